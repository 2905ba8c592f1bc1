import ArgumentParser
import Foundation
import Multiprecision
import NTKMoments
import NTKOutput

/// Which arithmetic evaluates the recursion: one flag of four.
enum ArithmeticChoice: String, EnumerableFlag, Sendable {
    case mpfr, exact, double, certified

    static func help(for value: ArithmeticChoice) -> ArgumentHelp? {
        switch value {
        case .mpfr: return "MPFR arithmetic, rounding to nearest."
        case .exact: return "Exact rational arithmetic (GMP)."
        case .double: return "IEEE double arithmetic with a binary scale exponent."
        case .certified: return "Certified enclosures (interval arithmetic with outward rounding)."
        }
    }
}

/// Arithmetic flags shared by the commands that evaluate the recursion.
struct ArithmeticOptions: ParsableArguments {
    @Flag var arithmetic: ArithmeticChoice = .mpfr

    @Option(parsing: .unconditional,
            help: "Working precision in bits. MPFR default: enough for --digits guaranteed digits (at least 128); --certified default: 128.")
    var precision: IntegerArgument?

    @Option(parsing: .unconditional,
            help: "Significant digits to print (default 20; 16 with --double). Rounded arithmetics print only the digits their error bound guarantees.")
    var digits: IntegerArgument?

    @Option(name: .customLong("max-digits"), parsing: .unconditional,
            help: "Refuse --exact when the rationals would exceed this many digits.")
    var maxDigits = IntegerArgument(200_000)

    static let defaultPrecision = 128

    func validate() throws {
        try precision?.check("--precision", BigFloat.minimumPrecision...BigFloat.maximumPrecision)
        try digits?.check("--digits", 1...10_000)
        try maxDigits.check("--max-digits", 1...1_000_000_000)
        if precision != nil, arithmetic == .exact || arithmetic == .double {
            throw ValidationError("--precision applies to MPFR and --certified arithmetic, not to --\(arithmetic.rawValue)")
        }
    }

    /// Digits to print (at most; rounded arithmetics may show fewer).
    var outputDigits: Int {
        if let d = digits?.value { return d }
        if arithmetic == .double { return 16 }
        if arithmetic == .certified, let p = precision?.value { return max(1, min(20, Int(Double(p) * 0.30103) - 1)) }
        return 20
    }

    /// The arithmetic for `a`. Without --precision, MPFR works at a precision whose a-priori
    /// rounding-error bound guarantees every requested digit.
    func mode(for a: Architecture) -> ArithmeticMode {
        switch arithmetic {
        case .exact: return .exact
        case .double: return .double
        case .certified: return .certified(precision: precision?.value ?? Self.defaultPrecision)
        case .mpfr:
            if let p = precision?.value { return .mpfr(precision: p) }
            let p = RoundingErrorBound.precision(guaranteeing: outputDigits, architecture: a, minimum: Self.defaultPrecision)
            return .mpfr(precision: min(p, BigFloat.maximumPrecision))
        }
    }

    /// Refuses jobs that would run for hours.
    func checkCost(_ a: Architecture, mode: ArithmeticMode) throws {
        switch mode {
        case .exact:
            let estimate = CostEstimate.exactDecimalDigits(a)
            let limit = maxDigits.value
            if estimate > Double(limit) {
                throw UsageError("--exact would need rationals of about \(Int(estimate)) digits (limit \(limit)); use --precision BITS or --certified, or raise --max-digits")
            }
        case .mpfr(let p), .certified(let p):
            if CostEstimate.roundedWork(a, precision: p) > CostEstimate.roundedWorkLimit {
                throw UsageError("this architecture (\(a.hiddenRuns.count) width runs) at \(p) bits would take too long; lower --precision or --digits")
            }
        case .double:
            break
        }
    }

    /// The summary, with the library's range errors turned into one-line usage errors.
    func summary(_ a: Architecture, model: MomentModel, mode: ArithmeticMode) throws -> MomentSummary {
        do {
            return try MomentSummary(architecture: a, model: model, mode: mode)
        } catch is DoubleArithmetic.RangeError {
            let range = DoubleArithmetic.supportedRange
            if !range.contains(a.sigma2) {
                throw UsageError("--double handles σ² from 1e-30 to 1e30 (got --sigma2 \(Arguments.quoted(exactDecimal(a.sigma2)))); use the default MPFR arithmetic")
            }
            throw UsageError("--double handles ‖x‖² = 0 or from 1e-30 to 1e30 (got --input-norm2 \(Arguments.quoted(exactDecimal(a.inputNorm2)))); use the default MPFR arithmetic")
        }
    }
}

/// Output formats of `moments`.
enum MomentsFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case text, json, csv
}

struct MomentsCommand: NTKSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "moments",
        abstract: "E[Θ], E[Θ²], Var[Θ], the dispersion E[Θ²]/E[Θ]² and P(dead) for one network.")

    @OptionGroup var network: NetworkOptions
    @OptionGroup var scale: ScaleOptions
    @OptionGroup var arithmetic: ArithmeticOptions

    @Option(help: "exact (the real network) or gi (gradient-independence approximation).")
    var model: MomentModel = .exact

    @Option(help: "Output format.")
    var format: MomentsFormat = .text

    @Flag(name: .customLong("per-layer"), help: "Also print each layer's contribution to E[Θ] (depth ≤ 10^6; text or json).")
    var perLayer = false

    @Option(name: .customLong("max-moment"), parsing: .unconditional,
            help: "Also E[Θ^k] for k = 3 … p (p ≤ 8), the normalized moments E[Θ^k]/E[Θ]^k, the skewness (p ≥ 3) and the excess kurtosis (p ≥ 4).")
    var maxMoment: IntegerArgument?

    @Flag(name: .customLong("first-step"),
          help: "Also E[fQ] (Q = ⟨∇Θ, ∇f⟩): −E[fQ] is the smooth first-order mean change E[ΔΘ]/η of one gradient step (fixed activation patterns), with E[fQ]/E[Θ] and E[fQ]/E[Θ]² (exact model only).")
    var firstStep = false

    func validate() throws {
        try maxMoment?.check("--max-moment", 2...HigherMomentSummary.maximumOrder)
        if firstStep && model != .exact {
            throw ValidationError("--first-step needs --model exact (E[fQ] is a property of the real network)")
        }
        if perLayer && format == .csv {
            throw ValidationError("--per-layer is not available with --format csv (one row per network); use --format json or text")
        }
    }

    func execute(_ io: CommandIO) throws {
        let (sigma2, inputNorm2) = try scale.values()
        let a = try network.architecture(sigma2: sigma2, inputNorm2: inputNorm2)
        let mode = arithmetic.mode(for: a)
        let digits = arithmetic.outputDigits
        try arithmetic.checkCost(a, mode: mode)
        if perLayer && a.depth > 1_000_000 {
            throw UsageError("--per-layer is limited to depth 10^6 (this network has \(a.depth) layers)")
        }
        if let p = maxMoment?.value, mode == .exact,
           CostEstimate.exactDecimalDigits(a) * Double(p) / 2 > Double(arithmetic.maxDigits.value) {
            throw UsageError("--exact with --max-moment \(p) would need rationals of about \(Int(CostEstimate.exactDecimalDigits(a) * Double(p) / 2)) digits (limit \(arithmetic.maxDigits.value)); use --precision BITS or --certified")
        }
        let summary = try arithmetic.summary(a, model: model, mode: mode)
        let higher = try maxMoment.map { p -> HigherMomentSummary in
            do {
                return try HigherMomentSummary(architecture: a, model: model, mode: mode, maxOrder: p.value)
            } catch is DoubleArithmetic.RangeError {
                throw UsageError("--double handles σ² and ‖x‖² from 1e-30 to 1e30; use the default MPFR arithmetic")
            }
        }
        let first = try firstStep ? firstStepSummary(a, mode: mode) : nil
        let contributions = perLayer ? try layerContributions(a, model: model, mode: mode, digits: digits) : nil
        let extra = higherRows(higher) + firstStepRows(first)
        switch format {
        case .json: io.write(json(summary, extra: extra, digits: digits, contributions: contributions).serialized(pretty: true) + "\n")
        case .csv: io.write(csv(summary, extra: extra, digits: digits))
        case .text:
            io.write(text(summary, extra: extra, digits: digits, contributions: contributions))
            if first != nil {
                io.write("−E[fQ] is the smooth first-order mean change E[ΔΘ]/η of one gradient step on ½(f − y)² (any y; fixed activation patterns, the ReLU kink term not included)\n")
            }
        }
    }

    /// Each layer's contribution to E[Θ], with the same guarantees as the summary: exact,
    /// enclosed, or rounded within the a-priori bound of the architecture.
    func layerContributions(_ a: Architecture, model: MomentModel, mode: ArithmeticMode, digits: Int) throws -> [FormattedValue] {
        switch mode {
        case .exact:
            return MomentRecursion(arithmetic: RationalArithmetic(sigma2: a.sigma2, inputNorm2: a.inputNorm2), model: model)
                .layerContributions(of: a).map { FormattedValue(.exact($0), digits: digits) }
        case .mpfr(let p):
            let bound = RoundingErrorBound(architecture: a, significandBits: p, libmDeadProbability: false)
            return MomentRecursion(arithmetic: MPFRArithmetic(precision: p, sigma2: a.sigma2, inputNorm2: a.inputNorm2), model: model)
                .layerContributions(of: a).map { FormattedValue(.rounded($0, enclosure: bound.enclosure(of: $0)), digits: digits) }
        case .double:
            let bound = RoundingErrorBound(architecture: a, significandBits: 53, libmDeadProbability: true)
            let values = MomentRecursion(arithmetic: try DoubleArithmetic(sigma2: a.sigma2, inputNorm2: a.inputNorm2), model: model)
                .layerContributions(of: a)
            // This O(L) pass is not rescaled: a contribution outside the normal Double range
            // (overflowed, or subnormal and so short of digits) cannot be printed honestly.
            guard values.allSatisfy({ $0.isFinite && ($0 == 0 || abs($0) >= Double.leastNormalMagnitude) }) else {
                throw UsageError("--per-layer: a contribution is outside the normal Double range; omit --double for MPFR")
            }
            return values.map { v in
                let f = BigFloat(v, precision: 53)
                return FormattedValue(.rounded(f, enclosure: bound.enclosure(of: f)), digits: digits)
            }
        case .certified(let p):
            return MomentRecursion(arithmetic: EnclosureArithmetic(precision: p, sigma2: a.sigma2, inputNorm2: a.inputNorm2), model: model)
                .layerContributions(of: a).map { FormattedValue(.enclosure($0), digits: digits) }
        }
    }

    /// E[fQ] and its normalizations, with `Double`'s range errors as one-line usage errors.
    func firstStepSummary(_ a: Architecture, mode: ArithmeticMode) throws -> FirstStepSummary {
        do {
            return try FirstStepSummary(architecture: a, mode: mode)
        } catch is DoubleArithmetic.RangeError {
            throw UsageError("--double handles σ² and ‖x‖² from 1e-30 to 1e30; use the default MPFR arithmetic")
        }
    }

    /// The first-step rows: (label, JSON key, value).
    func firstStepRows(_ f: FirstStepSummary?) -> [(String, String, MomentValue)] {
        guard let f else { return [] }
        return [("E[fQ]", "E_fQ", f.fQ), ("−E[fQ]", "mean_change_per_rate", f.meanChangePerRate),
                ("E[fQ]/E[Θ]", "fQ_over_theta", f.overMean), ("E[fQ]/E[Θ]²", "fQ_over_theta2", f.overMeanSquared)]
    }

    /// The higher-moment rows: (label, JSON key, value), E[Θ^k] for k ≥ 3 first.
    func higherRows(_ h: HigherMomentSummary?) -> [(String, String, MomentValue)] {
        guard let h else { return [] }
        let p = h.moments.count
        var rows: [(String, String, MomentValue)] = []
        let superscripts = ["", "", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸"]
        for k in stride(from: 3, through: p, by: 1) { rows.append(("E[Θ\(superscripts[k])]", "E_theta\(k)", h.moments[k - 1])) }
        for k in stride(from: 3, through: p, by: 1) {
            rows.append(("E[Θ\(superscripts[k])]/E[Θ]\(superscripts[k])", "normalized_moment\(k)", h.normalized[k - 1]))
        }
        if p >= 3 { rows.append(("skewness", "skewness", h.skewness)) }
        if p >= 4 { rows.append(("ex. kurtosis", "kurtosis", h.excessKurtosis)) }
        return rows
    }

    private var rows: [(String, String, KeyPath<MomentSummary, MomentValue>)] {
        [("E[Θ]", "E_theta", \.mean), ("E[Θ²]", "E_theta2", \.secondMoment), ("Var[Θ]", "variance", \.variance),
         ("E[Θ²]/E[Θ]²", "ratio", \.dispersion), ("P(dead)", "p_dead", \.probabilityDead)]
    }

    /// What the printed digits guarantee, in one phrase.
    func guarantee(_ s: MomentSummary) -> String {
        switch s.mode {
        case .exact: return "exact"
        case .certified: return "digits shown are shared by every point of the certified enclosure"
        case .mpfr, .double:
            guard let bound = s.roundingErrorBound?.relative else { return "no digit is guaranteed at this depth" }
            return "digits shown are guaranteed by an a-priori rounding-error bound (relative error ≤ \(bound.formatted(significantDigits: 2, rounding: .up)))"
        }
    }

    func text(_ s: MomentSummary, extra: [(String, String, MomentValue)], digits: Int, contributions: [FormattedValue]?) -> String {
        var out = ""
        out += "architecture  \(describe(s.architecture))\n"
        out += "model         \(s.model == .exact ? "exact" : "gradient independence (approximation)")\n"
        out += "arithmetic    \(s.mode.label); at most \(digits) significant digits shown, \(guarantee(s))\n"
        for (label, _, path) in rows {
            let f = FormattedValue(s[keyPath: path], digits: digits)
            var line = label.padding(toLength: 14, withPad: " ", startingAt: 0) + f.display
            if let shown = f.shownDigits, shown > 0, shown < digits, s.mode != .exact { line += "   (\(shown) digit\(shown == 1 ? "" : "s") guaranteed)" }
            out += line + "\n"
        }
        for (label, _, value) in extra {
            let f = FormattedValue(value, digits: digits)
            var line = label.padding(toLength: 14, withPad: " ", startingAt: 0) + f.display
            if let shown = f.shownDigits, shown > 0, shown < digits, s.mode != .exact, !f.isCertified { line += "   (\(shown) digit\(shown == 1 ? "" : "s") guaranteed)" }
            out += line + "\n"
        }
        if let contributions {
            out += "contributions to E[Θ] by layer l = 1 … L:\n"
            for (i, c) in contributions.enumerated() { out += "  \(i + 1)\t\(c.display)\n" }
        }
        return out
    }

    func json(_ s: MomentSummary, extra: [(String, String, MomentValue)], digits: Int, contributions: [FormattedValue]?) -> JSONValue {
        let a = s.architecture
        var members = architectureMembers(a, inputDimension: true) + [
            ("model", .string(s.model.rawValue)),
            ("arithmetic", .string(modeKey(s.mode))),
            ("arithmetic_description", .string(s.mode.label)),
            ("digits_requested", .number("\(digits)")),
        ]
        if case .mpfr(let p) = s.mode { members.append(("precision_bits", .number("\(p)"))) }
        if case .certified(let p) = s.mode { members.append(("precision_bits", .number("\(p)"))) }
        if let bound = s.roundingErrorBound {
            members.append(("relative_error_bound", .stringOrNull(bound.relative?.formatted(significantDigits: 3, rounding: .up))))
        }
        for (_, key, path) in rows {
            let f = FormattedValue(s[keyPath: path], digits: digits)
            members.append((key, .stringOrNull(f.decimal)))
            if s.mode != .exact { members.append((key + "_digits", f.shownDigits.map { .number("\($0)") } ?? .null)) }
        }
        if s.mode == .exact {
            for (_, key, path) in rows {
                members.append((key + "_exact", .stringOrNull(FormattedValue(s[keyPath: path], digits: digits).fraction)))
            }
        }
        if s.mode != .exact {
            for (_, key, path) in rows {
                let f = FormattedValue(s[keyPath: path], digits: digits)
                members.append((key + "_lower", .stringOrNull(f.lower)))
                members.append((key + "_upper", .stringOrNull(f.upper)))
            }
        }
        for (_, key, value) in extra {
            let f = FormattedValue(value, digits: digits)
            members.append((key, .stringOrNull(f.decimal)))
            if let fraction = f.fraction { members.append((key + "_exact", .string(fraction))) }
            if s.mode != .exact || f.fraction == nil {
                members.append((key + "_digits", f.shownDigits.map { .number("\($0)") } ?? .null))
                members.append((key + "_lower", .stringOrNull(f.lower)))
                members.append((key + "_upper", .stringOrNull(f.upper)))
            }
        }
        if let contributions {
            members.append(("layer_contributions", .array(contributions.map { .stringOrNull($0.decimal) })))
            if s.mode == .exact {
                members.append(("layer_contributions_exact", .array(contributions.map { .stringOrNull($0.fraction) })))
            }
        }
        return .object(members)
    }

    func csv(_ s: MomentSummary, extra: [(String, String, MomentValue)], digits: Int) -> String {
        let a = s.architecture
        var header = ["widths", "depth", "sigma2", "sigma2_exact", "input_norm2", "input_norm2_exact", "biases", "model", "arithmetic"]
        var values = [compactWidths(a), "\(a.depth)", decimalNumber(a.sigma2), a.sigma2.fractionString,
                      decimalNumber(a.inputNorm2), a.inputNorm2.fractionString,
                      a.trainableBiases ? "true" : "false", s.model.rawValue, modeKey(s.mode)]
        for (_, key, path) in rows {
            header.append(key)
            values.append(FormattedValue(s[keyPath: path], digits: digits).decimal ?? "")
        }
        for (_, key, value) in extra {
            header.append(key)
            values.append(FormattedValue(value, digits: digits).decimal ?? "")
        }
        return [header, values].map { $0.map(CSVTableSink.field).joined(separator: ",") + "\n" }.joined()
    }
}

func modeKey(_ mode: ArithmeticMode) -> String {
    switch mode {
    case .exact: return "exact"
    case .mpfr: return "mpfr"
    case .double: return "double"
    case .certified: return "certified"
    }
}
