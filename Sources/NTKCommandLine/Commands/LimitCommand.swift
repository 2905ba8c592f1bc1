import ArgumentParser
import Foundation
import Multiprecision
import NTKMoments
import NTKOutput

struct LimitCommand: NTKSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "limit",
        abstract: "Infinite-depth-and-width limits of the dispersion: exact, gradient-independence and published.")

    @Option(parsing: .unconditional, help: "λ = L/M, from 1e-30 to 50.")
    var lambda: RationalArgument

    @Option(parsing: .unconditional, help: "Weight variance σ² (decides the phase exactly).")
    var sigma2: RationalArgument

    @Option(parsing: .unconditional,
            help: "α0 = lim (mean bias part)/(mean weight part); it enters the limit only at the edge of chaos with biases (default: r/‖x‖²).")
    var alpha0: RationalArgument?

    @Option(name: .customLong("input-ratio"), parsing: .unconditional, help: "r = n0/M; with --input-norm2 X gives α0 = r/X (default 1).")
    var inputRatio: RationalArgument?

    @Option(name: .customLong("input-norm2"), parsing: .unconditional, help: "‖x‖² for α0 = r/‖x‖² (default 1).")
    var inputNorm2: RationalArgument?

    @Flag(name: .customLong("no-bias"), help: "Weights-only NTK: the limit is F_ww(λ) in every phase.")
    var noBias = false

    @Option(parsing: .unconditional, help: "Working precision in bits.")
    var precision = IntegerArgument(128)

    @Option(parsing: .unconditional, help: "Significant digits to print (default: 20, fewer at low --precision).")
    var digits: IntegerArgument?

    @Flag(help: "Also print the closed forms of the first two finite-width corrections c1, c2 (R = F + c1/M + c2/M² + …, n0 = M).")
    var corrections = false

    @Option(name: .customLong("max-moment"), parsing: .unconditional,
            help: "Also the limits of E[Θ^k]/E[Θ]^k for k = 3 … p (p ≤ 8; n0 = M·r, ‖x‖² as given): closed form or extrapolated from the exact recursion, as labelled.")
    var maxMoment: IntegerArgument?

    @Flag(name: .customLong("first-step"),
          help: "Also the limit of E[fQ]/E[Θ]², the normalized smooth first-order NTK change of one gradient step (0 with exponential decay in the ordered phase with biases).")
    var firstStep = false

    /// Output formats of `limit`.
    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Option(help: "Output format.")
    var format: Format = .text

    static let lambdaRange = (BigRational(1) / BigRational(10).power(30), BigRational(50))

    func validate() throws {
        try lambda.checkPositive("--lambda")
        guard lambda.value >= Self.lambdaRange.0, lambda.value <= Self.lambdaRange.1 else {
            throw ValidationError("--lambda \(Arguments.quoted(lambda.text)) is outside the supported range 1e-30 … 50")
        }
        try sigma2.checkPositive("--sigma2", maximumMagnitudeDigits: 200)
        try precision.check("--precision", 16...100_000)
        try maxMoment?.check("--max-moment", 2...HigherMomentSummary.maximumOrder)
        try digits?.check("--digits", 1...10_000)
        try alpha0?.checkNonNegative("--alpha0")
        try inputRatio?.checkPositive("--input-ratio")
        try inputNorm2?.checkPositive("--input-norm2")
        if noBias, alpha0 != nil || inputRatio != nil || inputNorm2 != nil {
            throw ValidationError("--alpha0, --input-ratio and --input-norm2 do not apply with --no-bias (the limit is F_ww(λ) in every phase)")
        }
        if alpha0 != nil, inputRatio != nil || inputNorm2 != nil {
            throw ValidationError("give either --alpha0 or --input-ratio/--input-norm2, not both")
        }
    }

    /// Which closed form `FirstStepLimits` used, in words.
    static func firstStepForm(_ l: FirstStepLimits) -> String {
        if l.decaysExponentially {
            return "0: decays like 16‖x‖²/(2 − σ²)·(σ²/2)^L/n0 (approximation at finite L, n0)"
        }
        if l.dependsOnAlpha0 { return "(G_w + α0·G_b)/(1 + α0)²" }
        return l.trainableBiases ? "G_w (chaotic phase: biases do not enter)" : "G_w (weights only: independent of σ²)"
    }

    var alpha0Value: BigRational {
        if let a = alpha0 { return a.value }
        return DispersionLimits.alpha0(inputRatio: inputRatio?.value ?? 1, inputNorm2: inputNorm2?.value ?? 1, trainableBiases: !noBias)
    }

    func execute(_ io: CommandIO) throws {
        let lambda = self.lambda.value, sigma2 = self.sigma2.value
        let bits = precision.value
        let digits = self.digits?.value ?? max(1, min(20, Int(Double(bits) * 0.30103) - 1))
        let alpha0 = alpha0Value
        let workingBits = max(bits, digitsToBits(digits))
        let limits = try DispersionLimits(sigma2: sigma2, lambda: lambda, trainableBiases: !noBias, alpha0: alpha0, precision: workingBits)
        let f = { (x: BigFloat) in x.formatted(significantDigits: digits) }
        let publishedNote = limits.publishedForm.note
        // The closed forms take n0 = M and ‖x‖² = X0; α0 = 1/X0 then.
        let ratio = self.alpha0 == nil ? (inputRatio?.value ?? 1) : 1
        // α0 = 0 (X0 = ∞) has no finite X0; only the corrections (skipped then) and the
        // higher-moment limits use it.
        if let a = self.alpha0, a.value.isZero, maxMoment != nil {
            throw UsageError("--max-moment needs --alpha0 > 0 (α0 = 0 means ‖x‖² = ∞)")
        }
        let x0 = self.alpha0.map { $0.value.isZero ? BigRational(1) : BigRational(1) / $0.value } ?? inputNorm2?.value ?? 1
        var correction = corrections && (self.alpha0 == nil || self.alpha0!.value.signum > 0)
            ? try ExpansionClosedForms.dispersion(sigma2: sigma2, lambda: lambda, inputNorm2: x0, trainableBiases: !noBias,
                                                   inputRatio: ratio, precision: workingBits)
            : nil
        // The closed forms are printed only where the expansion they belong to holds.
        var correctionWithheld: String? = nil
        if correction != nil {
            let family = FiniteWidthExpansion.Family(sigma2: sigma2, lambda: lambda, inputRatio: ratio, inputNorm2: x0, trainableBiases: !noBias)
            if let reason = ExpansionValidity.ofClosedForms(family).reason {
                correctionWithheld = reason
                correction = nil
            }
        }
        let momentLimits = try (3...max(3, maxMoment?.value ?? 2)).compactMap { k -> NormalizedMomentLimit? in
            guard let p = maxMoment?.value, k <= p else { return nil }
            return try NormalizedMomentLimit(order: k, sigma2: sigma2, lambda: lambda, inputNorm2: x0, inputRatio: ratio,
                                             trainableBiases: !noBias, precision: workingBits)
        }
        let first = firstStep
            ? try FirstStepLimits(sigma2: sigma2, lambda: lambda, trainableBiases: !noBias, alpha0: alpha0, precision: workingBits)
            : nil
        func sourceText(_ l: NormalizedMomentLimit) -> String {
            switch l.source {
            case .closedForm: return "closed form"
            case .extrapolated(let e): return "extrapolated from the exact recursion (± \(e.formatted(significantDigits: 2, rounding: .up)), self-consistent)"
            }
        }
        let alphaNote = limits.dependsOnAlpha0 ? "" : " (does not enter the limit \(noBias ? "without biases" : "in this phase"))"
        if format == .json {
            var members: [(key: String, value: JSONValue)] = [
                ("lambda", .number(decimalNumber(lambda))),
                ("lambda_exact", .string(lambda.fractionString)),
                ("sigma2", .number(decimalNumber(sigma2))),
                ("sigma2_exact", .string(sigma2.fractionString)),
                ("phase", .string(limits.phase.rawValue)),
                ("biases", .bool(!noBias)),
                ("alpha0", limits.dependsOnAlpha0 ? .number(decimalNumber(alpha0)) : .null),
                ("alpha0_exact", limits.dependsOnAlpha0 ? .string(alpha0.fractionString) : .null),
                ("precision_bits", .number("\(workingBits)")),
                ("digits", .number("\(digits)")),
                ("exact", .string(f(limits.exact))),
                ("gi", .string(f(limits.gradientIndependence))),
                ("published", .string(f(limits.published))),
                ("published_is_gi_derived", .bool(limits.publishedIsGIDerived)),
                ("published_form", .string(limits.publishedForm.rawValue)),
                ("published_note", .string(publishedNote)),
                ("exact_minus_published_relative", .string(f((limits.exact - limits.published) / limits.published))),
                ("c1", correction.map { .string(f($0.c1)) } ?? .null),
                ("c2", correction.map { .string(f($0.c2)) } ?? .null),
            ]
            for l in momentLimits {
                members.append(("normalized_moment\(l.order)", .string(f(l.value))))
                members.append(("normalized_moment\(l.order)_source", .string(sourceText(l))))
            }
            if let first {
                members.append(("fQ_over_theta2_limit", .string(f(first.limit))))
                members.append(("fQ_over_theta2_limit_form", .string(Self.firstStepForm(first))))
                members.append(("G_w", .string(f(FirstStepLimits.weightTerm(lambda, precision: workingBits)))))
                members.append(("G_b", .string(f(FirstStepLimits.biasTerm(lambda, precision: workingBits)))))
            }
            if let correctionWithheld { members.append(("corrections_reason", .string(correctionWithheld))) }
            let value: JSONValue = .object(members)
            io.writeJSON(value)
            if let correctionWithheld { io.writeError("ntk: note: c1 and c2 left out: the 1/M expansion does not hold here: \(correctionWithheld)\n") }
            return
        }
        var out = "phase       \(limits.phase.displayName)\(noBias ? ", no biases" : "")\n"
        out += "λ           \(exactDecimal(lambda))\n"
        if !noBias { out += "α0          \(exactDecimal(alpha0))\(alphaNote)\n" }
        out += "limits of E[Θ²]/E[Θ]² as M → ∞ with L/M → λ (\(digits) significant digits, \(workingBits)-bit MPFR):\n"
        out += "  exact       \(f(limits.exact))   limit of the exact finite-width recursion\n"
        out += "  gi          \(f(limits.gradientIndependence))   limit of the gradient-independence approximation\n"
        out += "  published   \(f(limits.published))   \(publishedNote)\n"
        if corrections {
            if let correctionWithheld {
                out += "finite-width corrections: not printed, the 1/M expansion does not hold here (see stderr)\n"
                io.writeError("ntk: note: c1 and c2 left out: the 1/M expansion does not hold here: \(correctionWithheld)\n")
            } else if let correction {
                out += "finite-width corrections of the exact recursion, R(M) = F + c1/M + c2/M² + … (n0 = M, ‖x‖² = \(exactDecimal(x0))):\n"
                out += "  c1          \(f(correction.c1))\n"
                out += "  c2          \(f(correction.c2))\n"
            } else {
                out += "finite-width corrections: closed forms are known for n0 = M only; ntk expand computes them for any n0\n"
            }
        }
        if !momentLimits.isEmpty {
            out += "limits of E[Θ^k]/E[Θ]^k of the exact recursion:\n"
            for l in momentLimits { out += "  R\(l.order)          \(f(l.value))   \(sourceText(l))\n" }
        }
        if limits.exact != limits.published {
            out += "  exact/published − 1 = \(((limits.exact - limits.published) / limits.published).formatted(significantDigits: 6))\n"
        }
        if let first {
            out += "limit of E[fQ]/E[Θ]² (−η·E[fQ] = smooth mean NTK change of one gradient step):\n"
            out += "  fQ/Θ²       \(f(first.limit))   \(Self.firstStepForm(first))\n"
            out += "  G_w         \(f(FirstStepLimits.weightTerm(lambda, precision: workingBits)))\n"
            if !noBias { out += "  G_b         \(f(FirstStepLimits.biasTerm(lambda, precision: workingBits)))\n" }
        }
        io.write(out)
    }
}
