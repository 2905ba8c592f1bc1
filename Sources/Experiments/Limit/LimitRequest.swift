import Multiprecision
import NTKMoments

/// `ntk limit`: the limits of the dispersion E[Θ²]/E[Θ]² as M → ∞ with L/M → λ — exact,
/// gradient independence and published (derivations/04, 05) — optionally the closed forms of
/// the first two finite-width corrections (derivations/07), the limits of E[Θ^k]/E[Θ]^k
/// (derivations/08) and of E[fQ]/E[Θ]² (derivations/11).
public struct LimitRequest: Experiment, Equatable {
    public var lambda: BigRational
    public var sigma2: BigRational
    /// α₀ = lim (mean bias part)/(mean weight part); default r/‖x‖².
    public var alpha0: BigRational?
    /// r = n₀/M (default 1).
    public var inputRatio: BigRational?
    /// ‖x‖² (default 1).
    public var inputNorm2: BigRational?
    public var biases: Bool
    /// Working precision in bits (raised to carry `digits`).
    public var precision: Int
    /// Significant digits to report (default: 20, fewer at low precision).
    public var digits: Int?
    /// Also the closed forms of c₁, c₂ (n₀ = M).
    public var corrections: Bool
    /// Also the limits of E[Θ^k]/E[Θ]^k for k = 3 … maxMoment.
    public var maxMoment: Int?
    /// Also the limit of E[fQ]/E[Θ]².
    public var firstStep: Bool
    /// Requests estimated to take longer are refused before any work (`--max-seconds`).
    public var maximumSeconds: Double

    public static let lambdaRange = (BigRational(1) / BigRational(10).power(30))...BigRational(50)
    public static let precisionRange = 16...100_000
    public static let digitsRange = 1...10_000

    public init(lambda: BigRational, sigma2: BigRational, alpha0: BigRational? = nil, inputRatio: BigRational? = nil,
                inputNorm2: BigRational? = nil, biases: Bool = true, precision: Int = 128, digits: Int? = nil,
                corrections: Bool = false, maxMoment: Int? = nil, firstStep: Bool = false,
                maximumSeconds: Double = RunTimeLimit.defaultSeconds) {
        self.lambda = lambda
        self.sigma2 = sigma2
        self.alpha0 = alpha0
        self.inputRatio = inputRatio
        self.inputNorm2 = inputNorm2
        self.biases = biases
        self.precision = precision
        self.digits = digits
        self.corrections = corrections
        self.maxMoment = maxMoment
        self.firstStep = firstStep
        self.maximumSeconds = maximumSeconds
    }

    enum CodingKeys: String, CodingKey {
        case lambda, sigma2, alpha0, inputRatio = "input_ratio", inputNorm2 = "input_norm2", biases, precision, digits
        case corrections, maxMoment = "max_moment", firstStep = "first_step", maximumSeconds = "max_seconds"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(lambda: try c.decode(BigRational.self, forKey: .lambda), sigma2: try c.decode(BigRational.self, forKey: .sigma2),
                  alpha0: try c.decodeIfPresent(BigRational.self, forKey: .alpha0),
                  inputRatio: try c.decodeIfPresent(BigRational.self, forKey: .inputRatio),
                  inputNorm2: try c.decodeIfPresent(BigRational.self, forKey: .inputNorm2),
                  biases: try c.decode(Bool.self, forKey: .biases), precision: try c.decode(Int.self, forKey: .precision),
                  digits: try c.decodeIfPresent(Int.self, forKey: .digits), corrections: try c.decode(Bool.self, forKey: .corrections),
                  maxMoment: try c.decodeIfPresent(Int.self, forKey: .maxMoment), firstStep: try c.decode(Bool.self, forKey: .firstStep),
                  maximumSeconds: try c.decodeIfPresent(Double.self, forKey: .maximumSeconds) ?? RunTimeLimit.defaultSeconds)
    }

    /// Digits to report.
    public var outputDigits: Int { digits ?? DecimalDigits.digits(forBits: precision) }

    /// The precision the limits are computed at: `precision`, raised to carry every digit.
    public var workingPrecision: Int { max(precision, DecimalDigits.bits(forDigits: outputDigits)) }

    /// (r, ‖x‖²) as the closed forms take them: n₀ = rM and ‖x‖² = X₀; with --alpha0, r = 1
    /// and X₀ = 1/α₀.
    var closedFormInputs: (ratio: BigRational, inputNorm2: BigRational) {
        (alpha0 == nil ? (inputRatio ?? 1) : 1, alpha0.map { $0.isZero ? BigRational(1) : BigRational(1) / $0 } ?? inputNorm2 ?? 1)
    }

    /// The orders k ≤ maxMoment whose limits of E[Θ^k]/E[Θ]^k have no closed form here and
    /// are extrapolated from the exact recursion, and the estimated seconds that takes.
    public var extrapolatedMoments: (orders: [Int], seconds: Double) {
        guard let p = maxMoment, p >= 3 else { return ([], 0) }
        let orders = (3...p).filter {
            !NormalizedMomentLimit.hasClosedForm(order: $0, sigma2: sigma2, inputRatio: closedFormInputs.ratio, trainableBiases: biases)
        }
        return (orders, orders.map { NormalizedMomentLimit.extrapolationSeconds(order: $0, precision: workingPrecision) }.reduce(0, +))
    }

    /// Refuses (`ExperimentError.tooExpensive`) a request estimated to take longer than
    /// `maximumSeconds`; otherwise the one-line note a front end prints when the estimate
    /// exceeds a few seconds (nil: stay quiet).
    public func costNote() throws -> String? {
        let (orders, seconds) = extrapolatedMoments
        guard !orders.isEmpty else { return nil }
        return try RunTimeLimit.note(
            estimate: seconds, limit: maximumSeconds,
            for: "the limits of E[Θ^k]/E[Θ]^k for k = \(orders.map(String.init).joined(separator: ", ")) (extrapolated from the exact recursion)",
            alternatives: " or lower --max-moment")
    }

    /// α₀ as it enters the limits.
    public var alpha0Value: BigRational {
        alpha0 ?? DispersionLimits.alpha0(inputRatio: inputRatio ?? 1, inputNorm2: inputNorm2 ?? 1, trainableBiases: biases)
    }

    /// Range and consistency checks (the command line's parser checks syntax only).
    public func check() throws {
        func refuse(_ message: String) -> ExperimentError { .invalidRequest(message) }
        guard Self.lambdaRange.contains(lambda) else {
            // A tiny λ's exact decimal runs to dozens of digits; its double says the same.
            let shown = lambda.displayText.count > 24 ? "\(lambda.approximateDouble)" : lambda.displayText
            throw refuse("--lambda \(shown) is outside the supported range 1e-30 … 50")
        }
        guard sigma2.signum > 0 else { throw refuse("--sigma2 must be positive") }
        guard Self.precisionRange.contains(precision) else {
            throw refuse("--precision '\(precision)' is out of range: an integer from \(Self.precisionRange.lowerBound) to \(Self.precisionRange.upperBound)")
        }
        if let d = digits, !Self.digitsRange.contains(d) {
            throw refuse("--digits '\(d)' is out of range: an integer from 1 to 10000")
        }
        if let p = maxMoment, !MomentsRequest.maxMomentRange.contains(p) {
            throw refuse("--max-moment '\(p)' is out of range: an integer from 2 to \(MomentsRequest.maxMomentRange.upperBound)")
        }
        if let a = alpha0, a.signum < 0 { throw refuse("--alpha0 must not be negative") }
        if let r = inputRatio, r.signum <= 0 { throw refuse("--input-ratio must be positive") }
        if let x = inputNorm2, x.signum <= 0 { throw refuse("--input-norm2 must be positive") }
        if !biases, alpha0 != nil || inputRatio != nil || inputNorm2 != nil {
            throw refuse("--alpha0, --input-ratio and --input-norm2 do not apply with --no-bias (the limit is F_ww(λ) in every phase)")
        }
        if alpha0 != nil, inputRatio != nil || inputNorm2 != nil {
            throw refuse("give either --alpha0 or --input-ratio/--input-norm2, not both")
        }
        try RequestRange.positive("--max-seconds", maximumSeconds, maximum: BigRational(exactly: RunTimeLimit.maximumSeconds))
        if let a = alpha0, a.isZero, maxMoment != nil {
            throw refuse("--max-moment needs --alpha0 > 0 (α0 = 0 means ‖x‖² = ∞)")
        }
    }
}
