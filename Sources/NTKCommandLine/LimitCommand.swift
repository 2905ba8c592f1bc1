import ArgumentParser
import Foundation
import Multiprecision
import NTKMoments
import NTKOutput

struct LimitCommand: NTKSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "limit",
        abstract: "Infinite-depth-and-width limits of the dispersion: exact, gradient-independence and published.")

    @Option(help: "λ = L/M, from 1e-30 to 50.")
    var lambda: String?

    @Option(help: "Weight variance σ² (decides the phase exactly).")
    var sigma2: String?

    @Option(help: "α0 = lim (mean bias part)/(mean weight part) (edge of chaos only).")
    var alpha0: String?

    @Option(name: .customLong("input-ratio"), help: "r = n0/M; with --input-norm2 X gives α0 = r/X.")
    var inputRatio: String?

    @Option(name: .customLong("input-norm2"), help: "‖x‖² for α0 = r/‖x‖² (default 1).")
    var inputNorm2: String?

    @Flag(name: .customLong("no-bias"), help: "Weights-only NTK: α0 = 0.")
    var noBias = false

    @Option(help: "Working precision in bits (default 128).")
    var precision: String?

    @Option(help: "Significant digits to print (default 20).")
    var digits: String?

    @Option(help: "Output format: text or json.")
    var format: String = "text"

    static let lambdaRange = (BigRational(1).timesPowerOfTwo(0) / BigRational(10).power(30), BigRational(50))

    func execute(_ io: CommandIO) throws {
        guard let lambdaText = lambda else { throw UsageError("--lambda is required (λ = L/M, e.g. --lambda 0.5)") }
        guard let sigmaText = sigma2 else { throw UsageError("--sigma2 is required (e.g. --sigma2 2.5)") }
        let lambda = try Arguments.positiveRational(lambdaText, flag: "--lambda")
        guard lambda >= Self.lambdaRange.0, lambda <= Self.lambdaRange.1 else {
            throw UsageError("--lambda \(Arguments.quoted(lambdaText)) is outside the supported range 1e-30 … 50")
        }
        let sigma2 = try Arguments.positiveRational(sigmaText, flag: "--sigma2", maximumMagnitudeDigits: 200)
        guard ["text", "json"].contains(format) else { throw UsageError("--format \(Arguments.quoted(format)): allowed: text, json") }
        let bits = try precision.map { try Arguments.integer($0, flag: "--precision", range: 16...100_000) } ?? 128
        let digits = try self.digits.map { try Arguments.integer($0, flag: "--digits", range: 1...10_000) }
            ?? max(1, min(20, Int(Double(bits) * 0.30103) - 1))
        let alpha0 = try resolveAlpha0()
        let limits = try DispersionLimits(sigma2: sigma2, lambda: lambda, trainableBiases: !noBias, alpha0: alpha0, precision: max(bits, digitsToBits(digits)))
        let f = { (x: BigFloat) in x.formatted(significantDigits: digits) }
        let publishedNote: String
        switch limits.phase {
        case .ordered: publishedNote = "the seed's ordered-phase result, R → 1"
        case .chaotic: publishedNote = "F_pub(λ), the seed's chaotic-phase formula (= the GI limit)"
        case .edgeOfChaos: publishedNote = "GI-derived: the seed leaves g(λ, α0) implicit; this is (F_pub + 2α0·F_wb^GI + α0²·F_bb)/(1+α0)²"
        }
        if format == "json" {
            let value: JSONValue = .object([
                ("lambda", .string(lambda.fractionString)),
                ("sigma2", .string(sigma2.fractionString)),
                ("phase", .string(limits.phase.rawValue)),
                ("alpha0", limits.phase == .edgeOfChaos ? .string(alpha0.fractionString) : .null),
                ("precision_bits", .number("\(max(bits, digitsToBits(digits)))")),
                ("exact", .string(f(limits.exact))),
                ("gi", .string(f(limits.gradientIndependence))),
                ("published", .string(f(limits.published))),
                ("published_is_gi_derived", .bool(limits.publishedIsGIDerived)),
                ("published_note", .string(publishedNote)),
                ("exact_minus_published_relative", .string(f((limits.exact - limits.published) / limits.published))),
            ])
            io.write(value.serialized(pretty: true) + "\n")
            return
        }
        var out = "phase       \(limits.phase.displayName)\n"
        out += "λ           \(lambda.fractionString)\n"
        if limits.phase == .edgeOfChaos { out += "α0          \(alpha0.fractionString)\n" }
        out += "limits of E[Θ²]/E[Θ]² as M → ∞ with L/M → λ (\(digits) significant digits, \(max(bits, digitsToBits(digits)))-bit MPFR):\n"
        out += "  exact       \(f(limits.exact))   limit of the exact finite-width recursion\n"
        out += "  gi          \(f(limits.gradientIndependence))   limit of the gradient-independence approximation\n"
        out += "  published   \(f(limits.published))   \(publishedNote)\n"
        if limits.phase != .ordered {
            out += "  exact/published − 1 = \(((limits.exact - limits.published) / limits.published).formatted(significantDigits: 6))\n"
        }
        io.write(out)
    }

    func resolveAlpha0() throws -> BigRational {
        if noBias {
            guard alpha0 == nil else { throw UsageError("--alpha0 cannot be combined with --no-bias (α0 = 0 without biases)") }
            return 0
        }
        if let a = alpha0 {
            guard inputRatio == nil, inputNorm2 == nil else {
                throw UsageError("give either --alpha0 or --input-ratio/--input-norm2, not both")
            }
            return try Arguments.nonNegativeRational(a, flag: "--alpha0")
        }
        let r = try Arguments.positiveRational(inputRatio ?? "1", flag: "--input-ratio")
        let x = try Arguments.positiveRational(inputNorm2 ?? "1", flag: "--input-norm2")
        return r / x
    }
}
