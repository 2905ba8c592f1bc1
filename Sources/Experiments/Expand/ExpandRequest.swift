import Multiprecision
import NTKMoments

/// `ntk expand`: the 1/M expansion R(M) = F + c₁/M + c₂/M² + … of the dispersion E[Θ²]/E[Θ]²
/// at constant width M, with L = λM and n₀ = rM (derivations/07), and the same expansion of
/// E[Θ]/Θ*, E[Θ²]/Θ*² and optionally E[fQ]/E[Θ]².
public struct ExpandRequest: Experiment, Equatable {
    public var sigma2: BigRational
    public var lambda: BigRational
    /// ‖x‖² (default 1).
    public var inputNorm2: BigRational
    /// r = n₀/M (default 1).
    public var inputRatio: BigRational?
    /// α₀ = r/‖x‖², given instead of r (with biases; sets r = α₀·‖x‖²).
    public var alpha0: BigRational?
    public var biases: Bool
    public var model: MomentModel
    /// Highest coefficient c_k computed.
    public var order: Int
    /// Significant digits of the reported coefficients.
    public var digits: Int
    /// Also expand E[fQ]/E[Θ]² (exact model only).
    public var firstStep: Bool

    public static let orderRange = 1...8
    public static let digitsRange = 1...100
    public static let maximumLambda = BigRational(50)
    public static let maximumInputRatio = BigRational(1000)

    public init(sigma2: BigRational, lambda: BigRational, inputNorm2: BigRational = 1, inputRatio: BigRational? = nil,
                alpha0: BigRational? = nil, biases: Bool = true, model: MomentModel = .exact, order: Int = 3, digits: Int = 25,
                firstStep: Bool = false) {
        self.sigma2 = sigma2
        self.lambda = lambda
        self.inputNorm2 = inputNorm2
        self.inputRatio = inputRatio
        self.alpha0 = alpha0
        self.biases = biases
        self.model = model
        self.order = order
        self.digits = digits
        self.firstStep = firstStep
    }

    enum CodingKeys: String, CodingKey {
        case sigma2, lambda, inputNorm2 = "input_norm2", inputRatio = "input_ratio", alpha0, biases, model, order, digits
        case firstStep = "first_step"
    }

    /// The family of networks the expansion runs along. α₀ = r/‖x‖² with biases, so a given
    /// α₀ fixes r = α₀·‖x‖² (the widths then make n₀ = rM an integer).
    public var family: FiniteWidthExpansion.Family {
        let r = alpha0.map { $0 * inputNorm2 } ?? inputRatio ?? 1
        return FiniteWidthExpansion.Family(sigma2: sigma2, lambda: lambda, inputRatio: r, inputNorm2: inputNorm2,
                                           trainableBiases: biases, model: model)
    }

    /// Points of the fitting window: m points resolve c_k with m − k orders of truncation to
    /// spare, and 12 keep the low orders clear of the truncation at every σ² the expansion holds.
    public var windowPoints: Int { max(12, order + 9) }

    /// Digits the fit carries: 5 more than reported, so that the differences of the window
    /// from its doubled-width copy (the error estimate) are not rounding noise.
    public var workingDigits: Int { digits + 5 }

    /// Range and consistency checks, with the messages the command line prints.
    public func check() throws {
        func refuse(_ message: String) -> ExperimentError { .invalidRequest(message) }
        func positive(_ flag: String, _ x: BigRational, maximum: BigRational? = nil) throws {
            try RequestRange.positive(flag, x, text: x.displayText, maximum: maximum ?? x)
        }
        try positive("--sigma2", sigma2)
        try positive("--lambda", lambda, maximum: Self.maximumLambda)
        try positive("--input-norm2", inputNorm2)
        if let r = inputRatio { try positive("--input-ratio", r, maximum: Self.maximumInputRatio) }
        if let a = alpha0 { try positive("--alpha0", a) }
        try RequestRange.integer("--order", order, Self.orderRange)
        try RequestRange.integer("--digits", digits, Self.digitsRange)
        if alpha0 != nil && inputRatio != nil { throw refuse("give either --alpha0 or --input-ratio, not both") }
        if alpha0 != nil && !biases { throw refuse("--alpha0 does not apply with --no-bias (α0 = 0 without biases)") }
        if firstStep && model != .exact {
            throw refuse("--first-step needs --model exact (E[fQ] is a property of the real network)")
        }
    }
}
