import ArgumentParser
import Experiments
import Foundation
import Multiprecision
import NTKMoments
import NTKOutput

struct SymbolicCommand: NTKSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "symbolic",
        abstract: "E[Θ] and E[Θ²] as exact polynomials in s = σ² and x = ‖x‖² (valid for ‖x‖² > 0).")

    @OptionGroup var network: NetworkOptions

    @Option(help: "exact (the real network) or gi (gradient-independence approximation).")
    var model: MomentModel = .exact

    /// Output formats of `symbolic`.
    enum Format: String, OutputFormat { case text, json, latex }

    @OptionGroup var output: OutputOptions<Format>

    @Option(name: .customLong("max-moment"), parsing: .unconditional, help: "Also E[Θ^k] for k = 3 … p (p ≤ 6).")
    var maxMoment: IntegerArgument?

    @Flag(name: .customLong("first-step"),
          help: "Also E[fQ] (Q = ⟨∇Θ, ∇f⟩), whose negative is the smooth first-order mean change E[ΔΘ]/η of one gradient step (exact model only).")
    var firstStep = false

    func validate() throws {
        try maxMoment?.check("--max-moment", SymbolicRequest.maxMomentRange)
    }

    func execute(_ io: CommandIO) throws { try output.writing(io) { try produce($0) } }

    func produce(_ io: CommandIO) throws {
        let a = try network.architecture(sigma2: 1, inputNorm2: 1)
        let result = try io.run(SymbolicRequest(network: a, model: model, maxMoment: maxMoment?.value, firstStep: firstStep))
        let mean = result.mean.polynomial, second = result.secondMoment.polynomial
        let higher = result.higherMoments.map(\.polynomial), fQ = result.fQ?.polynomial
        let network = describe(a).replacingOccurrences(of: "σ²=1, ‖x‖²=1, ", with: "")
        switch output.format {
        case .json:
            try io.writeDocument(result)
        case .latex:
            io.write("% E[Θ] and E[Θ²] for \(network); valid for \\|x\\|^2 > 0\n")
            io.write("\\mathbb{E}[\\Theta] &= \(PolynomialText.latex(mean)) \\\\\n")
            io.write("\\mathbb{E}[\\Theta^2] &= \(PolynomialText.latex(second))" + (higher.isEmpty && fQ == nil ? "" : " \\\\") + "\n")
            for (k, h) in higher.enumerated() {
                io.write("\\mathbb{E}[\\Theta^\(k + 3)] &= \(PolynomialText.latex(h))" + (k == higher.count - 1 && fQ == nil ? "" : " \\\\") + "\n")
            }
            if let fQ { io.write("\\mathbb{E}[fQ] &= \(PolynomialText.latex(fQ))\n") }
        default:
            io.write("network    \(network)\n")
            io.write("model      \(model == .exact ? "exact" : "gradient independence (approximation)")\n")
            io.write("variables  s = σ², x = ‖x‖²  (exact rational coefficients; valid for x > 0)\n")
            io.write("E[Θ]  = \(PolynomialText.plain(mean))\n")
            io.write("E[Θ²] = \(PolynomialText.plain(second))\n")
            for (k, h) in higher.enumerated() { io.write("E[Θ^\(k + 3)] = \(PolynomialText.plain(h))\n") }
            if let fQ { io.write("E[fQ] = \(PolynomialText.plain(fQ))   (−E[fQ] = smooth E[ΔΘ]/η of one gradient step)\n") }
        }
    }
}
