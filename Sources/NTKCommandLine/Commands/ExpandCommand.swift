import ArgumentParser
import Experiments
import Foundation
import Multiprecision
import NTKMoments
import NTKOutput

struct ExpandCommand: NTKSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "expand",
        abstract: "The 1/M expansion R(M) = F + c1/M + c2/M² + c3/M³ of the dispersion at constant width, L = λM.",
        discussion: """
        Evaluates the exact recursion at widths M = b·2^k (b makes λM and n0 = rM integers), fits \
        a polynomial in 1/M through a window of them, and reads off the coefficients; the error \
        bound is twice the difference from the window at doubled widths (self-consistent, not \
        rigorous). Also expands E[Θ]/Θ* and E[Θ²]/Θ*², with Θ* the infinite-width NTK. Where a \
        closed form is known (n0 = M), it is printed next to c1 and c2 with their difference. \
        The expansion checks where it holds (crossover near σ² = 2, growth of the coefficients, \
        resolution, closed forms, a limit ≥ 1); where it does not, no coefficient is printed, \
        the reason goes to stderr (and "valid": false, "reason" to JSON) and the exit code is 3.
        """)

    @Option(parsing: .unconditional, help: "Weight variance σ².")
    var sigma2: RationalArgument

    @Option(parsing: .unconditional, help: "λ = L/M (exact rational; widths are chosen so that λM is an integer).")
    var lambda: RationalArgument

    @Option(name: .customLong("input-norm2"), parsing: .unconditional, help: "‖x‖².")
    var inputNorm2 = RationalArgument(1)

    @Option(name: .customLong("input-ratio"), parsing: .unconditional, help: "r = n0/M (default 1).")
    var inputRatio: RationalArgument?

    @Option(parsing: .unconditional, help: "α0 = r/‖x‖² instead of --input-ratio (with biases; sets r = α0·‖x‖²).")
    var alpha0: RationalArgument?

    @Flag(name: .customLong("no-bias"), help: "Weights-only NTK.")
    var noBias = false

    @Option(help: "exact (the real network) or gi (gradient-independence approximation).")
    var model: MomentModel = .exact

    @Option(parsing: .unconditional, help: "Highest coefficient c_k computed (1 … 8).")
    var order = IntegerArgument(3)

    @Option(parsing: .unconditional, help: "Significant digits of the coefficients (up to 100).")
    var digits = IntegerArgument(25)

    @Flag(name: .customLong("first-step"),
          help: "Also expand E[fQ]/E[Θ]² (the normalized smooth first-step NTK change; exact model): F is its limit, c1 its 1/M coefficient (numerical).")
    var firstStep = false

    @OptionGroup var output: OutputOptions<ReportFormat>

    func validate() throws {
        // The size of the numbers only; the ranges and combinations are the request's
        // (`ExpandRequest.check`).
        try sigma2.checkPositive("--sigma2", maximumMagnitudeDigits: 60)
        try lambda.checkPositive("--lambda", maximumMagnitudeDigits: 12)
        try inputNorm2.checkPositive("--input-norm2", maximumMagnitudeDigits: 60)
        try inputRatio?.checkPositive("--input-ratio", maximumMagnitudeDigits: 12)
        try alpha0?.checkPositive("--alpha0", maximumMagnitudeDigits: 12)
    }

    /// The typed request these options describe.
    func request() -> ExpandRequest {
        ExpandRequest(sigma2: sigma2.value, lambda: lambda.value, inputNorm2: inputNorm2.value, inputRatio: inputRatio?.value,
                      alpha0: alpha0?.value, biases: !noBias, model: model, order: order.value, digits: digits.value, firstStep: firstStep)
    }

    func execute(_ io: CommandIO) throws { try output.writing(io) { try produce($0) } }

    func produce(_ io: CommandIO) throws {
        let result = try io.run(request())
        if let reason = result.reason {
            // No coefficient where the expansion does not hold: the report says why, exit 3.
            switch output.format {
            case .json: try io.writeDocument(result)
            case .text:
                io.write(familyLine(result) + "widths      \(widthNote(result)); \(result.precisionBits)-bit MPFR\n"
                         + "R(M) = E[Θ²]/E[Θ]² = F + c1/M + c2/M² + … does not hold here: \(reason)\n")
            }
            throw ResultDoesNotHold("expand: the 1/M expansion does not hold here: \(reason)")
        }
        switch output.format {
        case .json: try io.writeDocument(result)
        case .text: io.write(text(result))
        }
    }

    func familyLine(_ r: ExpandResult) -> String {
        "family      \(r.phase.displayName), λ = \(r.lambda.displayText), n0 = \(r.inputRatio.displayText)·M, ‖x‖² = \(r.inputNorm2.displayText), \(r.biases ? "biases (α0 = \(r.alpha0.displayText))" : "no biases"), \(r.model == .exact ? "exact model" : "GI model")\n"
    }

    func widthNote(_ r: ExpandResult) -> String {
        let base = r.widthBase ?? 1, k = r.widthExponents ?? 0...0
        return "M = \(base.displayText == "1" ? "" : base.displayText + "·")2^k, k = \(k.lowerBound)…\(k.upperBound)"
            + (base == 1 ? "" : " (multiples of \(base.displayText) so that λM and n0 = rM are integers)")
    }

    /// The text report of a result whose expansion holds.
    func text(_ r: ExpandResult) -> String {
        let names = r.coefficientNames
        func shown(_ x: ReportedReal?) -> String { x?.decimal ?? "" }
        func coefficientLines(_ s: ExpandSeries) -> String {
            names.indices.map { i in
                "  \(names[i].padding(toLength: 3, withPad: " ", startingAt: 0)) \(shown(s.coefficients[i]))   ± \(shown(s.errors[i]))\n"
            }.joined()
        }
        var out = familyLine(r)
        out += "widths      \(widthNote(r)); \(r.precisionBits)-bit MPFR\n"
        out += "R(M) = E[Θ²]/E[Θ]² = F + c1/M + c2/M² + …   (± = twice the difference from the window at doubled widths, plus the rounding of the printed digits)\n"
        if let d = r.dispersion { out += coefficientLines(d) }
        if let c = r.closedForms {
            out += "closed forms (derivations/07):\n"
            out += "  c1  \(shown(c.c1))   numerical − closed = \(shown(c.c1Difference))\n"
            if let c2 = c.c2 { out += "  c2  \(shown(c2))   numerical − closed = \(shown(c.c2Difference))\n" }
        } else if r.model == .exact {
            out += "closed forms: known for n0 = M only\n"
        }
        func line(_ s: ExpandSeries?) -> String {
            let terms = (s?.leadingTerms ?? []).enumerated().map { j, text in j == 0 ? text : "(\(text))/M" + (j == 1 ? "" : "^\(j)") }
            let note = s?.zeroBound.map { "   (zeros: |c| < \($0))" } ?? ""
            return terms.joined(separator: " + ") + " + …" + note + "\n"
        }
        out += "E[Θ]/Θ*   = " + line(r.meanRatio)
        out += "E[Θ²]/Θ*² = " + line(r.secondMomentRatio)
        if let fs = r.firstStepRatio {
            out += "E[fQ]/E[Θ]² = F + c1/M + …   (numerical; ± = twice the difference from the window at doubled widths, plus the rounding of the printed digits)\n"
            out += coefficientLines(fs)
            if let l = r.firstStepLimit {
                out += "  closed-form limit \(shown(l.limit))   F − limit = \(shown(l.difference))\n"
            }
        }
        return out
    }
}
