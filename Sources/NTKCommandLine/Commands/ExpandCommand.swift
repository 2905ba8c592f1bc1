import ArgumentParser
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

    /// Output formats of `expand`.
    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Option(help: "Output format.")
    var format: Format = .text

    func validate() throws {
        try sigma2.checkPositive("--sigma2", maximumMagnitudeDigits: 60)
        try lambda.checkPositive("--lambda", maximum: 50, maximumMagnitudeDigits: 12)
        try inputNorm2.checkPositive("--input-norm2", maximumMagnitudeDigits: 60)
        try inputRatio?.checkPositive("--input-ratio", maximum: 1000, maximumMagnitudeDigits: 12)
        try alpha0?.checkPositive("--alpha0", maximumMagnitudeDigits: 12)
        try order.check("--order", 1...8)
        try digits.check("--digits", 1...100)
        if alpha0 != nil && inputRatio != nil { throw ValidationError("give either --alpha0 or --input-ratio, not both") }
        if alpha0 != nil && noBias { throw ValidationError("--alpha0 does not apply with --no-bias (α0 = 0 without biases)") }
        if firstStep && model != .exact { throw ValidationError("--first-step needs --model exact (E[fQ] is a property of the real network)") }
    }

    var family: FiniteWidthExpansion.Family {
        let r = alpha0.map { $0.value * inputNorm2.value } ?? inputRatio?.value ?? 1
        return FiniteWidthExpansion.Family(sigma2: sigma2.value, lambda: lambda.value, inputRatio: r, inputNorm2: inputNorm2.value,
                                           trainableBiases: !noBias, model: model)
    }

    func execute(_ io: CommandIO) throws {
        let family = self.family
        let d = digits.value
        let expansion: FiniteWidthExpansion
        do {
            // A window of m points resolves c_k with m − k orders of truncation to spare.
            expansion = try FiniteWidthExpansion(family: family, order: order.value, digits: d + 5, points: max(12, order.value + 9),
                                             firstStep: firstStep)
        } catch let e as FiniteWidthExpansion.ExpansionError {
            throw UsageError("expand: \(e.description)")
        }
        let closed = model == .exact
            ? try ExpansionClosedForms.dispersion(sigma2: family.sigma2, lambda: family.lambda, inputNorm2: family.inputNorm2,
                                                   trainableBiases: family.trainableBiases, inputRatio: family.inputRatio,
                                                   precision: expansion.precision)
            : nil
        let phase = Phase(sigma2: family.sigma2)
        let f = { (x: BigFloat) in x.formatted(significantDigits: d) }
        let e = { (x: BigFloat) in x.formatted(significantDigits: 2, rounding: .up) }
        // The ± of a printed coefficient also covers its rounding to d digits (half a unit in
        // the last place, at most |c|·10^{1−d}/2), so it bounds the distance of the printed
        // number from the truth.
        let halfUnit = BigFloat(BigRational(1, 2) / BigRational(10).power(d - 1), precision: 64)
        let printedBound = { (s: FiniteWidthExpansion.Series, j: Int) in e(s.errors[j] + s.coefficients[j].magnitude() * halfUnit) }
        let names = ["F"] + (1...order.value).map { "c\($0)" }
        let base = family.widthBase
        let widthNote = "M = \(exactDecimal(base) == "1" ? "" : exactDecimal(base) + "·")2^k, k = "
            + "\(log2(expansion.widths.first! / (base.exactInt ?? 1)))…\(log2(expansion.checkWidths.last! / (base.exactInt ?? 1)))"
            + (base == 1 ? "" : " (multiples of \(exactDecimal(base)) so that λM and n0 = rM are integers)")
        let validity = expansion.validity
        var parameters: [(key: String, value: JSONValue)] = [
            ("sigma2", .number(decimalNumber(family.sigma2))), ("sigma2_exact", .string(family.sigma2.fractionString)),
            ("lambda", .number(decimalNumber(family.lambda))), ("lambda_exact", .string(family.lambda.fractionString)),
            ("input_ratio", .number(decimalNumber(family.inputRatio))), ("input_norm2", .number(decimalNumber(family.inputNorm2))),
            ("alpha0", .number(decimalNumber(family.alpha0))), ("biases", .bool(family.trainableBiases)),
            ("model", .string(model.rawValue)), ("phase", .string(phase.rawValue)),
            ("widths", .array(expansion.widths.map { .number("\($0)") })),
            ("check_widths", .array(expansion.checkWidths.map { .number("\($0)") })),
            ("precision_bits", .number("\(expansion.precision)")),
            ("valid", .bool(validity.holds)),
        ]
        let familyLine = "family      \(phase.displayName), λ = \(exactDecimal(family.lambda)), n0 = \(exactDecimal(family.inputRatio))·M, ‖x‖² = \(exactDecimal(family.inputNorm2)), \(noBias ? "no biases" : "biases (α0 = \(exactDecimal(family.alpha0)))"), \(model == .exact ? "exact model" : "GI model")\n"
        if let reason = validity.reason {
            // No coefficient where the expansion does not hold: the report says why, exit 3.
            if format == .json {
                parameters.append(("reason", .string(reason)))
                io.writeJSON(.object(parameters))
            } else {
                io.write(familyLine + "widths      \(widthNote); \(expansion.precision)-bit MPFR\n"
                         + "R(M) = E[Θ²]/E[Θ]² = F + c1/M + c2/M² + … does not hold here: \(reason)\n")
            }
            throw ResultDoesNotHold("expand: the 1/M expansion does not hold here: \(reason)")
        }
        if format == .json {
            func seriesJSON(_ s: FiniteWidthExpansion.Series) -> JSONValue {
                var members: [(key: String, value: JSONValue)] = []
                for (i, name) in names.enumerated() {
                    members.append((name, .string(f(s.coefficients[i]))))
                    members.append((name + "_error", .string(printedBound(s, i))))
                }
                return .object(members)
            }
            var members = parameters + [
                ("error_estimate", .string("twice the difference from the window at doubled widths, plus half a unit in the last printed digit (self-consistent, not rigorous)")),
            ]
            let dispersion = seriesJSON(expansion.dispersion)
            if case .object(let m) = dispersion { members += m }
            if let closed {
                members.append(("c1_closed_form", .string(f(closed.c1))))
                members.append(("c1_difference", .string(e(expansion.dispersion.coefficients[1] - closed.c1))))
                if order.value >= 2 {
                    members.append(("c2_closed_form", .string(f(closed.c2))))
                    members.append(("c2_difference", .string(e(expansion.dispersion.coefficients[2] - closed.c2))))
                }
            }
            members.append(("mean_ratio", seriesJSON(expansion.meanRatio)))
            members.append(("second_moment_ratio", seriesJSON(expansion.secondMomentRatio)))
            if let fs = expansion.firstStepRatio {
                members.append(("fQ_over_theta2", seriesJSON(fs)))
                if let limit = try? firstStepLimit(family, precision: expansion.precision) {
                    members.append(("fQ_over_theta2_limit_closed_form", .string(f(limit))))
                }
            }
            io.writeJSON(.object(members))
            return
        }
        var out = familyLine
        out += "widths      \(widthNote); \(expansion.precision)-bit MPFR\n"
        out += "R(M) = E[Θ²]/E[Θ]² = F + c1/M + c2/M² + …   (± = twice the difference from the window at doubled widths, plus the rounding of the printed digits)\n"
        for (i, name) in names.enumerated() {
            out += "  \(name.padding(toLength: 3, withPad: " ", startingAt: 0)) \(f(expansion.dispersion.coefficients[i]))   ± \(printedBound(expansion.dispersion, i))\n"
        }
        if let closed {
            out += "closed forms (derivations/07):\n"
            out += "  c1  \(f(closed.c1))   numerical − closed = \(e(expansion.dispersion.coefficients[1] - closed.c1))\n"
            if order.value >= 2 {
                out += "  c2  \(f(closed.c2))   numerical − closed = \(e(expansion.dispersion.coefficients[2] - closed.c2))\n"
            }
        } else if model == .exact {
            out += "closed forms: known for n0 = M only\n"
        }
        // A coefficient within a few error estimates of 0 (or below half the working
        // precision) is shown as 0, and the bound is said once.
        func line(_ series: FiniteWidthExpansion.Series) -> String {
            var zeroBounds: [BigFloat] = []
            let terms = (0...min(order.value, 2)).map { j -> String in
                let c = series.coefficients[j]
                let bound = max(series.errors[j] * BigFloat(16, precision: 64), BigFloat.powerOfTwo(-expansion.precision / 2, precision: 64))
                let text: String
                if j > 0 && c.magnitude() <= bound {
                    zeroBounds.append(bound)
                    text = "0"
                } else {
                    text = c.formatted(significantDigits: min(d, 12))
                }
                return j == 0 ? text : "(\(text))/M" + (j == 1 ? "" : "^\(j)")
            }
            let note = zeroBounds.max().map { "   (zeros: |c| < \(e($0)))" } ?? ""
            return terms.joined(separator: " + ") + " + …" + note + "\n"
        }
        out += "E[Θ]/Θ*   = " + line(expansion.meanRatio)
        out += "E[Θ²]/Θ*² = " + line(expansion.secondMomentRatio)
        if let fs = expansion.firstStepRatio {
            out += "E[fQ]/E[Θ]² = F + c1/M + …   (numerical; ± = twice the difference from the window at doubled widths, plus the rounding of the printed digits)\n"
            for (i, name) in names.enumerated() {
                out += "  \(name.padding(toLength: 3, withPad: " ", startingAt: 0)) \(f(fs.coefficients[i]))   ± \(printedBound(fs, i))\n"
            }
            if let limit = try? firstStepLimit(family, precision: expansion.precision) {
                out += "  closed-form limit \(f(limit))   F − limit = \(e(fs.coefficients[0] - limit))\n"
            }
        }
        io.write(out)
    }

    func firstStepLimit(_ family: FiniteWidthExpansion.Family, precision: Int) throws -> BigFloat {
        try FirstStepLimits(sigma2: family.sigma2, lambda: family.lambda, trainableBiases: family.trainableBiases,
                            alpha0: family.alpha0, precision: precision).limit
    }

    func log2(_ n: Int) -> Int { Int.bitWidth - 1 - n.leadingZeroBitCount }
}
