import MonteCarlo
import Multiprecision
import NTKMoments

/// `ntk table`: the convergence of a finite-width quantity to its infinite-depth-and-width
/// limits over a grid of σ², λ and hidden widths M (`ConvergenceStudy`, derivations/04, 05):
/// the dispersion E[Θ²]/E[Θ]² by default, the normalized moment E[Θ^p]/E[Θ]^p
/// (`moment` p ≥ 3, derivations/08) or E[fQ]/E[Θ]² (`firstStep`, derivations/11).
///
/// Each M gives depth L = round(λM) and input dimension n₀ = round(r·M); a row whose λM is not
/// an integer is computed, and compared with the limits, at λ′ = L/M.
public struct TableRequest: Experiment, Equatable {
    public var sigma2: [BigRational]
    public var lambda: [BigRational]
    /// Hidden widths M, in the order the rows of each (σ², λ) come.
    public var widths: [Int]
    /// r = n₀/M.
    public var inputRatio: BigRational
    /// ‖x‖².
    public var inputNorm2: BigRational
    public var biases: Bool
    /// Finite values from the exact recursion or the GI approximation.
    public var model: MomentModel
    /// MPFR working precision in bits.
    public var precision: Int
    /// Significant digits of every reported value (orders of convergence: at most 4).
    public var digits: Int
    /// Order k of the Richardson column (the polynomial in 1/M through k + 1 rows).
    public var richardsonOrder: Int
    /// p of the tabulated E[Θ^p]/E[Θ]^p (2: the dispersion).
    public var moment: Int
    /// Tabulate E[fQ]/E[Θ]² instead (exact model only).
    public var firstStep: Bool
    /// Also the 1/M coefficient c₁ of each (σ², λ) and the prediction F + c₁/M (one expansion
    /// per group).
    public var firstCorrection: Bool
    /// Compute only this contiguous block of (σ², λ) groups (nil: all of them).
    public var shard: ShardSpec?
    /// Requests whose extrapolated moment limits are estimated to take longer are refused
    /// before the first row (`--max-seconds`).
    public var maximumSeconds: Double

    public static let maximumLambda = BigRational(50)
    public static let widthRange = 1...1_000_000_000
    public static let precisionRange = 32...4096
    public static let digitsRange = 1...1000
    public static let richardsonOrderRange = 1...8
    public static let momentRange = 2...HigherMomentSummary.maximumOrder
    /// The most rows one table may have.
    public static let maximumRows = 10_000_000

    public init(sigma2: [BigRational] = ConvergenceStudy.default.sigma2Values, lambda: [BigRational] = ConvergenceStudy.default.lambdaValues,
                widths: [Int] = ConvergenceStudy.default.widths, inputRatio: BigRational = 1, inputNorm2: BigRational = 1,
                biases: Bool = true, model: MomentModel = .exact, precision: Int = 128, digits: Int = 8, richardsonOrder: Int = 1,
                moment: Int = 2, firstStep: Bool = false, firstCorrection: Bool = false, shard: ShardSpec? = nil,
                maximumSeconds: Double = RunTimeLimit.defaultSeconds) {
        self.sigma2 = sigma2
        self.lambda = lambda
        self.widths = widths
        self.inputRatio = inputRatio
        self.inputNorm2 = inputNorm2
        self.biases = biases
        self.model = model
        self.precision = precision
        self.digits = digits
        self.richardsonOrder = richardsonOrder
        self.moment = moment
        self.firstStep = firstStep
        self.firstCorrection = firstCorrection
        self.shard = shard
        self.maximumSeconds = maximumSeconds
    }

    enum CodingKeys: String, CodingKey {
        case sigma2, lambda, widths, inputRatio = "input_ratio", inputNorm2 = "input_norm2", biases, model, precision, digits
        case richardsonOrder = "richardson_order", moment, firstStep = "first_step", firstCorrection = "first_correction", shard
        case maximumSeconds = "max_seconds"
    }

    /// Absent members take the defaults of the command line.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = TableRequest()
        self.init(sigma2: try c.decodeIfPresent([BigRational].self, forKey: .sigma2) ?? d.sigma2,
                  lambda: try c.decodeIfPresent([BigRational].self, forKey: .lambda) ?? d.lambda,
                  widths: try c.decodeIfPresent([Int].self, forKey: .widths) ?? d.widths,
                  inputRatio: try c.decodeIfPresent(BigRational.self, forKey: .inputRatio) ?? d.inputRatio,
                  inputNorm2: try c.decodeIfPresent(BigRational.self, forKey: .inputNorm2) ?? d.inputNorm2,
                  biases: try c.decodeIfPresent(Bool.self, forKey: .biases) ?? d.biases,
                  model: try c.decodeIfPresent(MomentModel.self, forKey: .model) ?? d.model,
                  precision: try c.decodeIfPresent(Int.self, forKey: .precision) ?? d.precision,
                  digits: try c.decodeIfPresent(Int.self, forKey: .digits) ?? d.digits,
                  richardsonOrder: try c.decodeIfPresent(Int.self, forKey: .richardsonOrder) ?? d.richardsonOrder,
                  moment: try c.decodeIfPresent(Int.self, forKey: .moment) ?? d.moment,
                  firstStep: try c.decodeIfPresent(Bool.self, forKey: .firstStep) ?? d.firstStep,
                  firstCorrection: try c.decodeIfPresent(Bool.self, forKey: .firstCorrection) ?? d.firstCorrection,
                  shard: try c.decodeIfPresent(ShardSpec.self, forKey: .shard),
                  maximumSeconds: try c.decodeIfPresent(Double.self, forKey: .maximumSeconds) ?? d.maximumSeconds)
    }

    /// The study these parameters describe (every group, before any limit is prepared).
    public var study: ConvergenceStudy {
        var study = ConvergenceStudy(sigma2Values: sigma2, lambdaValues: lambda, widths: widths, inputRatio: inputRatio,
                                     inputNorm2: inputNorm2, trainableBiases: biases, model: model, precision: precision)
        study.richardsonOrder = richardsonOrder
        study.momentOrder = moment
        study.firstStep = firstStep
        study.includesFirstCorrection = firstCorrection
        return study
    }

    /// The (σ², λ) groups this request computes: all of them, or its shard's block.
    public var groups: ArraySlice<ConvergenceStudy.Group> {
        let study = study
        return shard.map { study.groups(shard: $0.index, of: $0.count) } ?? study.groups[...]
    }

    /// Whether this request carries the table's header and its once-per-table notes (the
    /// unsharded table, or shard 1).
    public var isFirstPart: Bool { shard.map { $0.index == 1 } ?? true }

    /// Whether the limit column holds, in the ordered phase with biases, the finite-(L, n₀)
    /// approximation of E[fQ]/E[Θ]² (whose limit there is 0).
    public var hasApproximateLimit: Bool { firstStep && biases && sigma2.contains { $0 < BigRational(2) } }

    /// The note a table of the dispersion owes its reader when its published column holds the
    /// GI-derived form at σ² = 2, where Seleznova & Kutyniok (ICML 2022) give no explicit limit;
    /// nil for other tables (and for later shards, which repeat no note).
    public var publishedLimitNote: String? {
        guard isFirstPart, moment == 2, !firstStep, groups.contains(where: { $0.sigma2 == 2 }) else { return nil }
        return "at σ² = 2 Seleznova & Kutyniok (ICML 2022) give no explicit g(λ, α0); limit_published there is the GI-derived form."
    }

    /// Refuses (`ExperimentError.tooExpensive`) a table whose limits of E[Θ^p]/E[Θ]^p (p ≥ 3)
    /// without a closed form — extrapolated from the exact recursion, once per σ² and attained
    /// λ′, seconds each at p ≥ 7 — are estimated to take longer than `maximumSeconds`;
    /// otherwise the note to print when the estimate exceeds a few seconds (nil: stay quiet).
    public func costNote() throws -> String? {
        let (count, seconds) = study.momentLimitExtrapolations(for: groups)
        guard count > 0 else { return nil }
        return try RunTimeLimit.note(
            estimate: seconds, limit: maximumSeconds,
            for: "the table's \(count) limit\(count == 1 ? "" : "s") of E[Θ^\(moment)]/E[Θ]^\(moment) (one per σ² and λ′ without a closed form, extrapolated from the exact recursion)",
            alternatives: ", lower --moment or use fewer --sigma2, --lambda or widths")
    }

    /// Range and consistency checks (the command line's parser checks syntax only).
    public func check() throws {
        func refuse(_ message: String) -> ExperimentError { .invalidRequest(message) }
        guard !sigma2.isEmpty, !lambda.isEmpty, !widths.isEmpty else { throw refuse("the table needs at least one σ², one λ and one width") }
        for s in sigma2 { try RequestRange.positive("--sigma2", s, text: s.displayText, maximum: s) }
        for l in lambda {
            try RequestRange.positive("--lambda", l, text: l.displayText, maximum: l)
            guard l <= Self.maximumLambda else { throw refuse("--lambda '\(l.displayText)' exceeds 50") }
        }
        for m in widths { try RequestRange.integer("--widths-grid entry", m, Self.widthRange) }
        try RequestRange.integer("--precision", precision, Self.precisionRange)
        try RequestRange.integer("--digits", digits, Self.digitsRange)
        try RequestRange.integer("--richardson-order", richardsonOrder, Self.richardsonOrderRange)
        try RequestRange.integer("--moment", moment, Self.momentRange)
        try RequestRange.positive("--input-ratio", inputRatio, text: inputRatio.displayText, maximum: inputRatio)
        // At ‖x‖² = 0 every network is dead and there is nothing to study.
        try RequestRange.positive("--input-norm2", inputNorm2, text: inputNorm2.displayText, maximum: inputNorm2)
        try RequestRange.positive("--max-seconds", maximumSeconds, maximum: BigRational(exactly: RunTimeLimit.maximumSeconds))
        if firstStep && moment != 2 { throw refuse("give either --first-step or --moment, not both") }
        if firstStep && model != .exact { throw refuse("--first-step needs --model exact (E[fQ] is a property of the real network)") }
        let rowCount = sigma2.count * lambda.count * widths.count
        guard rowCount <= Self.maximumRows else { throw refuse("the grid has \(rowCount) rows (limit \(Self.maximumRows))") }
        // λ ≤ 50 and M ≤ 10⁹ keep every depth below 5·10¹⁰, far inside the recursions' range.
        let study = study
        for m in widths where study.inputDimension(width: m) > Architecture.maximumWidth {
            throw refuse("--input-ratio '\(inputRatio.displayText)' with M = \(m) gives an input dimension n0 = r·M beyond 2^50")
        }
        if let shard, !(1...ShardSpec.maximumCount).contains(shard.count) || !(1...shard.count).contains(shard.index) {
            throw refuse("--shard \(shard.index)/\(shard.count) is out of range: k/N with 1 ≤ k ≤ N ≤ \(ShardSpec.maximumCount)")
        }
    }
}
