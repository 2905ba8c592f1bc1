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
    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json, latex }

    @Option(help: "Output format.")
    var format: Format = .text

    @Option(name: .customLong("max-moment"), parsing: .unconditional, help: "Also E[Θ^k] for k = 3 … p (p ≤ 6).")
    var maxMoment: IntegerArgument?

    @Flag(name: .customLong("first-step"),
          help: "Also E[fQ] (Q = ⟨∇Θ, ∇f⟩), whose negative is the smooth first-order mean change E[ΔΘ]/η of one gradient step (exact model only).")
    var firstStep = false

    func validate() throws {
        try maxMoment?.check("--max-moment", SymbolicRequest.maxMomentRange)
    }

    @OptionGroup var outputFile: OutputFileOption

    func execute(_ io: CommandIO) throws { try outputFile.writing(io) { try produce($0) } }

    func produce(_ io: CommandIO) throws {
        let a = try network.architecture(sigma2: 1, inputNorm2: 1)
        let result = try io.run(SymbolicRequest(network: a, model: model, maxMoment: maxMoment?.value, firstStep: firstStep))
        let mean = result.mean.polynomial, second = result.secondMoment.polynomial
        let higher = result.higherMoments.map(\.polynomial), fQ = result.fQ?.polynomial
        let network = describe(a).replacingOccurrences(of: "σ²=1, ‖x‖²=1, ", with: "")
        switch format {
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

/// Human-readable renderings of polynomials in s and x.
enum PolynomialText {
    static func terms(_ p: Polynomial) -> [(c: BigRational, i: Int, j: Int)] {
        var out: [(BigRational, Int, Int)] = []
        for (i, row) in p.coefficients.enumerated() {
            for (j, c) in row.enumerated().reversed() where !c.isZero { out.append((c, i, j)) }
        }
        return out.sorted { ($0.1, $0.2) > ($1.1, $1.2) }
    }

    /// Signed terms, highest degrees first; `body` renders one term's magnitude and monomial.
    static func render(_ p: Polynomial, _ body: (_ magnitude: BigRational, _ xDegree: Int, _ sDegree: Int) -> String) -> String {
        let t = terms(p)
        if t.isEmpty { return "0" }
        var s = ""
        for (k, (c, i, j)) in t.enumerated() {
            let negative = c.signum < 0
            s += k == 0 ? (negative ? "-" : "") : (negative ? " - " : " + ")
            s += body(negative ? -c : c, i, j)
        }
        return s
    }

    static func plain(_ p: Polynomial) -> String {
        render(p) { magnitude, i, j in
            var factors: [String] = []
            if magnitude != BigRational(1) || (i == 0 && j == 0) {
                factors.append(magnitude.isInteger ? magnitude.fractionString : "(\(magnitude.fractionString))")
            }
            if i > 0 { factors.append(i == 1 ? "x" : "x^\(i)") }
            if j > 0 { factors.append(j == 1 ? "s" : "s^\(j)") }
            return factors.joined(separator: "·")
        }
    }

    static func latex(_ p: Polynomial) -> String {
        render(p) { magnitude, i, j in
            var s = ""
            if magnitude != BigRational(1) || (i == 0 && j == 0) {
                s += magnitude.isInteger ? magnitude.numeratorString : "\\frac{\(magnitude.numeratorString)}{\(magnitude.denominatorString)}"
            }
            if i > 0 { s += i == 1 ? "\\|x\\|^{2}" : "\\|x\\|^{\(2 * i)}" }
            if j > 0 { s += "\\sigma^{\(2 * j)}" }
            return s
        }
    }
}
