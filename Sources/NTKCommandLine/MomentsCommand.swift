import ArgumentParser
import Foundation
import Multiprecision
import NTKMoments
import NTKOutput

/// Arithmetic flags shared by the commands that evaluate the recursion.
struct ArithmeticOptions: ParsableArguments {
    @Flag(help: "Exact rational arithmetic (GMP).")
    var exact = false

    @Option(help: "MPFR working precision in bits (default 128; with --certified, the interval precision).")
    var precision: String?

    @Flag(help: "IEEE double arithmetic with a binary scale exponent.")
    var double = false

    @Flag(help: "Certified enclosures (interval arithmetic with outward rounding).")
    var certified = false

    @Option(help: "Significant digits to print (default 20; 16 with --double).")
    var digits: String?

    @Option(name: .customLong("max-digits"), help: "Refuse --exact when the rationals would exceed this many digits (default 200000).")
    var maxDigits: String?

    static let defaultPrecision = 128

    func mode() throws -> ArithmeticMode {
        let chosen = [exact, double, certified].filter { $0 }.count
        guard chosen <= 1 else { throw UsageError("choose at most one of --exact, --double, --certified") }
        let bits = try precision.map {
            try Arguments.integer($0, flag: "--precision", range: BigFloat.minimumPrecision...BigFloat.maximumPrecision)
        }
        if exact || double, bits != nil {
            throw UsageError("--precision applies to MPFR and --certified arithmetic, not to --\(exact ? "exact" : "double")")
        }
        if exact { return .exact }
        if double { return .double }
        if certified { return .certified(precision: bits ?? Self.defaultPrecision) }
        return .mpfr(precision: bits ?? Self.defaultPrecision)
    }

    func outputDigits(for mode: ArithmeticMode) throws -> Int {
        if let d = digits { return try Arguments.integer(d, flag: "--digits", range: 1...10_000) }
        switch mode {
        case .double: return 16
        case .mpfr(let p), .certified(let p): return max(1, min(20, Int(Double(p) * 0.30103) - 1))
        case .exact: return 20
        }
    }

    func digitLimit() throws -> Int {
        try maxDigits.map { try Arguments.integer($0, flag: "--max-digits", range: 1...1_000_000_000) } ?? 200_000
    }

    /// Refuses jobs that would run for hours.
    func checkCost(_ a: Architecture, mode: ArithmeticMode) throws {
        switch mode {
        case .exact:
            let estimate = CostEstimate.exactDecimalDigits(a)
            let limit = try digitLimit()
            if estimate > Double(limit) {
                throw UsageError("--exact would need rationals of about \(Int(estimate)) digits (limit \(limit)); use --precision BITS or --certified, or raise --max-digits")
            }
        case .mpfr(let p), .certified(let p):
            // Work is about (number of width segments) × p^1.6 bit operations; 2·10⁶ segments at
            // 10⁵ bits is hours. Refuse beyond roughly a minute's work.
            let segments = Double(a.hiddenRuns.count) * 2 + 1
            let cost = segments * pow(Double(p) / 128, 1.6)
            if cost > 4e7 {
                throw UsageError("this architecture (\(a.hiddenRuns.count) width runs) at \(p) bits would take too long; lower --precision")
            }
        case .double:
            // The Double engine rescales vectors and matrices by one shared power of two; with
            // σ² or ‖x‖² far from 1 single products under- or overflow before rescaling and
            // the results go wrong (e.g. σ² = 1e-100 without biases). Refuse outside the range
            // checked against MPFR.
            let low = BigRational(1) / BigRational(10).power(30), high = BigRational(10).power(30)
            if a.sigma2 < low || a.sigma2 > high {
                throw UsageError("--double handles σ² from 1e-30 to 1e30 (got --sigma2 \(Arguments.quoted(exactDecimal(a.sigma2)))); use the default MPFR arithmetic")
            }
            if !a.inputNorm2.isZero && (a.inputNorm2 < low || a.inputNorm2 > high) {
                throw UsageError("--double handles ‖x‖² = 0 or from 1e-30 to 1e30 (got --input-norm2 \(Arguments.quoted(exactDecimal(a.inputNorm2)))); use the default MPFR arithmetic")
            }
        }
    }
}

struct MomentsCommand: NTKSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "moments",
        abstract: "E[Θ], E[Θ²], Var[Θ], the dispersion E[Θ²]/E[Θ]² and P(dead) for one network.")

    @OptionGroup var network: NetworkOptions
    @OptionGroup var scale: ScaleOptions
    @OptionGroup var arithmetic: ArithmeticOptions

    @Option(help: "exact (the real network) or gi (gradient-independence approximation).")
    var model: String = "exact"

    @Option(help: "Output format: text, json or csv.")
    var format: String = "text"

    @Flag(name: .customLong("per-layer"), help: "Also print each layer's contribution to E[Θ] (depth ≤ 10^6).")
    var perLayer = false

    func execute(_ io: CommandIO) throws {
        let (sigma2, inputNorm2) = try scale.values()
        let mode = try arithmetic.mode()
        let digits = try arithmetic.outputDigits(for: mode)
        let model = try parseModel(self.model)
        guard ["text", "json", "csv"].contains(format) else {
            throw UsageError("--format \(Arguments.quoted(format)): allowed: text, json, csv")
        }
        let a = try network.architecture(sigma2: sigma2, inputNorm2: inputNorm2)
        try arithmetic.checkCost(a, mode: mode)
        if perLayer && a.depth > 1_000_000 {
            throw UsageError("--per-layer is limited to depth 10^6 (this network has \(a.depth) layers)")
        }
        let summary = MomentSummary(architecture: a, model: model, mode: mode)
        let contributions = perLayer ? layerContributions(a, model: model, mode: mode) : nil
        if let contributions, contributions.contains(where: { $0.decimal == "inf" || $0.decimal == "nan" }) {
            throw UsageError("--per-layer: a contribution is outside the Double range; use --precision BITS")
        }
        switch format {
        case "json": io.write(json(summary, digits: digits, contributions: contributions).serialized(pretty: true) + "\n")
        case "csv": io.write(csv(summary, digits: digits))
        default: io.write(text(summary, digits: digits, contributions: contributions))
        }
    }

    func layerContributions(_ a: Architecture, model: MomentModel, mode: ArithmeticMode) -> [FormattedValue] {
        let digits = (try? arithmetic.outputDigits(for: mode)) ?? 20
        switch mode {
        case .exact:
            return MomentRecursion(arithmetic: RationalArithmetic(sigma2: a.sigma2, inputNorm2: a.inputNorm2), model: model)
                .layerContributions(of: a).map { FormattedValue(.exact($0), digits: digits) }
        case .mpfr(let p):
            return MomentRecursion(arithmetic: MPFRArithmetic(precision: p, sigma2: a.sigma2, inputNorm2: a.inputNorm2), model: model)
                .layerContributions(of: a).map { FormattedValue(.approximate($0), digits: digits) }
        case .double:
            return MomentRecursion(arithmetic: DoubleArithmetic(sigma2: a.sigma2, inputNorm2: a.inputNorm2), model: model)
                .layerContributions(of: a).map { FormattedValue(.approximate(BigFloat($0, precision: 53)), digits: digits) }
        case .certified(let p):
            return MomentRecursion(arithmetic: EnclosureArithmetic(precision: p, sigma2: a.sigma2, inputNorm2: a.inputNorm2), model: model)
                .layerContributions(of: a).map { FormattedValue(.enclosure($0), digits: digits) }
        }
    }

    private var rows: [(String, String, KeyPath<MomentSummary, MomentValue>)] {
        [("E[Θ]", "E_theta", \.mean), ("E[Θ²]", "E_theta2", \.secondMoment), ("Var[Θ]", "variance", \.variance),
         ("E[Θ²]/E[Θ]²", "ratio", \.dispersion), ("P(dead)", "p_dead", \.probabilityDead)]
    }

    func text(_ s: MomentSummary, digits: Int, contributions: [FormattedValue]?) -> String {
        var out = ""
        out += "architecture  \(describe(s.architecture))\n"
        out += "model         \(s.model == .exact ? "exact" : "gradient independence (approximation)")\n"
        out += "arithmetic    \(s.mode.label); \(digits) significant digits shown\n"
        for (label, _, path) in rows {
            out += label.padding(toLength: 14, withPad: " ", startingAt: 0) + FormattedValue(s[keyPath: path], digits: digits).display + "\n"
        }
        if let contributions {
            out += "contributions to E[Θ] by layer l = 1 … L:\n"
            for (i, c) in contributions.enumerated() { out += "  \(i + 1)\t\(c.display)\n" }
        }
        return out
    }

    func json(_ s: MomentSummary, digits: Int, contributions: [FormattedValue]?) -> JSONValue {
        let a = s.architecture
        var members: [(key: String, value: JSONValue)] = [
            ("widths", .string(compactWidths(a))),
            ("input_dim", .number("\(a.inputDimension)")),
            ("depth", .number("\(a.depth)")),
            ("sigma2", .string(a.sigma2.fractionString)),
            ("input_norm2", .string(a.inputNorm2.fractionString)),
            ("biases", .bool(a.trainableBiases)),
            ("model", .string(s.model.rawValue)),
            ("arithmetic", .string(modeKey(s.mode))),
            ("arithmetic_description", .string(s.mode.label)),
            ("digits", .number("\(digits)")),
        ]
        if case .mpfr(let p) = s.mode { members.append(("precision_bits", .number("\(p)"))) }
        if case .certified(let p) = s.mode { members.append(("precision_bits", .number("\(p)"))) }
        for (_, key, path) in rows {
            let f = FormattedValue(s[keyPath: path], digits: digits)
            members.append((key, .stringOrNull(f.decimal)))
        }
        if s.mode == .exact {
            for (_, key, path) in rows where key != "variance" && key != "p_dead" {
                members.append((key + "_exact", .stringOrNull(FormattedValue(s[keyPath: path], digits: digits).fraction)))
            }
            members.append(("variance_exact", .stringOrNull(FormattedValue(s.variance, digits: digits).fraction)))
            members.append(("p_dead_exact", .stringOrNull(FormattedValue(s.probabilityDead, digits: digits).fraction)))
        }
        if case .certified = s.mode {
            for (_, key, path) in rows {
                let f = FormattedValue(s[keyPath: path], digits: digits)
                members.append((key + "_lower", .stringOrNull(f.lower)))
                members.append((key + "_upper", .stringOrNull(f.upper)))
                members.append((key + "_certified_digits", .stringOrNull(f.certified)))
            }
        }
        if let contributions {
            members.append(("layer_contributions", .array(contributions.map { .stringOrNull($0.fraction ?? $0.decimal) })))
        }
        return .object(members)
    }

    func csv(_ s: MomentSummary, digits: Int) -> String {
        let a = s.architecture
        var header = ["widths", "depth", "sigma2", "input_norm2", "biases", "model", "arithmetic"]
        var values = [compactWidths(a), "\(a.depth)", a.sigma2.fractionString, a.inputNorm2.fractionString,
                      a.trainableBiases ? "true" : "false", s.model.rawValue, modeKey(s.mode)]
        for (_, key, path) in rows {
            header.append(key)
            values.append(FormattedValue(s[keyPath: path], digits: digits).decimal ?? "")
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
