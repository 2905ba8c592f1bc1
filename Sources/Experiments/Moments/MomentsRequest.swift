import Multiprecision
import NTKMoments

/// `ntk moments`: E[Θ], E[Θ²], Var[Θ], the dispersion E[Θ²]/E[Θ]² and P(dead) of one network
/// (derivations/03), optionally E[Θ^k] up to `maxMoment` (derivations/08), the first-step
/// quantity E[fQ] (derivations/10) and each layer's contribution to E[Θ].
public struct MomentsRequest: Experiment, Equatable {
    /// The arithmetic of the recursion, and so what the reported digits mean.
    public enum Arithmetic: String, Sendable, Codable, CaseIterable {
        /// MPFR rounding to nearest; digits guaranteed by an a-priori rounding-error bound.
        case mpfr
        /// Exact rationals (GMP).
        case exact
        /// IEEE double with a binary scale exponent; digits guaranteed by the same bound.
        case double
        /// Certified enclosures (MPFR intervals, outward rounding).
        case certified
    }

    public var network: ReportedNetwork
    public var model: MomentModel
    public var arithmetic: Arithmetic
    /// Working precision in bits (MPFR default: enough for `digits`, at least 128; certified 128).
    public var precision: Int?
    /// Significant digits to report at most (default 20; 16 in double).
    public var digits: Int?
    /// Exact runs whose rationals would exceed this many decimal digits are refused.
    public var maxDigits: Int
    /// Also E[Θ^k] for k = 3 … maxMoment, their normalizations, skewness and kurtosis.
    public var maxMoment: Int?
    /// Also E[fQ] and its normalizations (exact model only).
    public var firstStep: Bool
    /// Also each layer's contribution to E[Θ] (depth ≤ 10⁶).
    public var perLayer: Bool
    /// Requests estimated to take longer are refused before any work (`--max-seconds`; nil:
    /// `RunTimeLimit.defaultSeconds`).
    public var maximumSeconds: Double?

    public static let defaultPrecision = 128
    public static let defaultMaxDigits = 200_000
    public static let maximumPerLayerDepth = 1_000_000

    public init(network: Architecture, model: MomentModel = .exact, arithmetic: Arithmetic = .mpfr, precision: Int? = nil,
                digits: Int? = nil, maxDigits: Int = MomentsRequest.defaultMaxDigits, maxMoment: Int? = nil,
                firstStep: Bool = false, perLayer: Bool = false, maximumSeconds: Double? = nil) {
        self.network = ReportedNetwork(network)
        self.model = model
        self.arithmetic = arithmetic
        self.precision = precision
        self.digits = digits
        self.maxDigits = maxDigits
        self.maxMoment = maxMoment
        self.firstStep = firstStep
        self.perLayer = perLayer
        self.maximumSeconds = maximumSeconds
    }

    enum CodingKeys: String, CodingKey {
        case network, model, arithmetic, precision, digits, maxDigits = "max_digits", maxMoment = "max_moment"
        case firstStep = "first_step", perLayer = "per_layer", maximumSeconds = "max_seconds"
    }

    /// Digits to report (at most; rounded arithmetics may guarantee fewer).
    public var outputDigits: Int {
        if let digits { return digits }
        if arithmetic == .double { return 16 }
        if arithmetic == .certified, let p = precision { return DecimalDigits.digits(forBits: p) }
        return 20
    }

    /// The arithmetic for this network. Without `precision`, MPFR works at a precision whose
    /// a-priori rounding-error bound guarantees every requested digit.
    public var mode: ArithmeticMode {
        switch arithmetic {
        case .exact: return .exact
        case .double: return .double
        case .certified: return .certified(precision: precision ?? Self.defaultPrecision)
        case .mpfr:
            if let precision { return .mpfr(precision: precision) }
            let p = RoundingErrorBound.precision(guaranteeing: outputDigits, architecture: network.architecture, minimum: Self.defaultPrecision)
            return .mpfr(precision: min(p, BigFloat.maximumPrecision))
        }
    }

    public static let precisionRange = BigFloat.minimumPrecision...BigFloat.maximumPrecision
    public static let digitsRange = 1...10_000
    public static let maxDigitsRange = 1...1_000_000_000
    public static let maxMomentRange = 2...HigherMomentSummary.maximumOrder

    /// Range and consistency checks (the command line's parser checks syntax only).
    public func check() throws {
        func inRange(_ flag: String, _ value: Int?, _ range: ClosedRange<Int>) throws {
            if let value, !range.contains(value) {
                throw ExperimentError.invalidRequest("\(flag) '\(value)' is out of range: an integer from \(range.lowerBound) to \(range.upperBound)")
            }
        }
        try inRange("--precision", precision, Self.precisionRange)
        try inRange("--digits", digits, Self.digitsRange)
        try inRange("--max-digits", maxDigits, Self.maxDigitsRange)
        if let t = maximumSeconds {
            try RequestRange.positive("--max-seconds", t, maximum: BigRational(exactly: RunTimeLimit.maximumSeconds))
        }
        try inRange("--max-moment", maxMoment, Self.maxMomentRange)
        if precision != nil, arithmetic == .exact || arithmetic == .double {
            throw ExperimentError.invalidRequest("--precision applies to MPFR and --certified arithmetic, not to --\(arithmetic.rawValue)")
        }
        if firstStep && model != .exact {
            throw ExperimentError.invalidRequest("--first-step needs --model exact (E[fQ] is a property of the real network)")
        }
        let a = network.architecture
        if perLayer && a.depth > Self.maximumPerLayerDepth {
            throw ExperimentError.invalidRequest("--per-layer is limited to depth 10^6 (this network has \(a.depth) layers)")
        }
    }

    /// The estimated seconds of the higher moments (`CostEstimate.higherMomentSeconds`).
    public var estimatedSeconds: Double {
        CostEstimate.higherMomentSeconds(network.architecture, maxOrder: maxMoment ?? 2, mode: mode)
    }

    /// Refuses (`ExperimentError.tooExpensive`) higher moments estimated to take longer than
    /// `maximumSeconds`; otherwise the note a front end prints when the estimate exceeds a few
    /// seconds (nil: stay quiet).
    public func costNote() throws -> String? {
        try checkSize()
        return try RunTimeLimit.note(estimate: estimatedSeconds, limit: maximumSeconds ?? RunTimeLimit.defaultSeconds,
                                     for: "E[Θ^3] … E[Θ^\(maxMoment ?? 2)] over \(network.architecture.hiddenRuns.count) width runs",
                                     alternatives: ", lower --max-moment or use --double")
    }

    /// Refuses jobs that would run for hours, before any work: too many digits or too much
    /// work for the arithmetic (`checkSize`), then too long (`costNote`).
    public func checkCost() throws {
        _ = try costNote()
    }

    /// The refusals by size, which come before the time estimate: exact rationals past
    /// `maxDigits`, rounded work past `CostEstimate.roundedWorkLimit`.
    func checkSize() throws {
        let a = network.architecture
        switch mode {
        case .exact:
            let digits = CostEstimate.exactDecimalDigits(a)
            if digits > Double(maxDigits) {
                throw ExperimentError.tooExpensive("--exact would need rationals of about \(Int(digits)) digits (limit \(maxDigits)); use --precision BITS or --certified, or raise --max-digits")
            }
            if let p = maxMoment, digits * Double(p) / 2 > Double(maxDigits) {
                throw ExperimentError.tooExpensive("--exact with --max-moment \(p) would need rationals of about \(Int(digits * Double(p) / 2)) digits (limit \(maxDigits)); use --precision BITS or --certified")
            }
        case .mpfr(let p), .certified(let p):
            if CostEstimate.roundedWork(a, precision: p) > CostEstimate.roundedWorkLimit {
                throw ExperimentError.tooExpensive("this architecture (\(a.hiddenRuns.count) width runs) at \(p) bits would take too long; lower --precision or --digits")
            }
        case .double:
            break
        }
    }
}
