import Multiprecision

/// Closed forms of the infinite-depth-and-width limit of the dispersion R = E[Θ²]/E[Θ]²
/// (constant width M → ∞, depth L with L/M → λ > 0), derived in derivations/04.
///
/// Two different limits are provided and never confused:
/// * the limit of the **exact** recursion (`F_ww`, `F_wb`, `F_bb`);
/// * the limit of the **gradient-independence** approximation, which is the formula
///   published by Seleznova & Kutyniok (2022) (`F_pub`, and `F_wb^GI` for the edge of chaos).
///
/// Accuracy: every function returns its value correctly rounded to nearest at `precision`
/// bits up to a few units in the last place. The closed forms cancel catastrophically for
/// small λ (a numerator O(λ²) built from terms O(1)), so the working precision is raised by
/// ~3·log₂(1/λ) bits plus 64 guard bits before evaluating them.
public enum InfiniteWidthLimits {
    /// Working precision that absorbs the cancellation at small λ and the growth e^{5λ}.
    static func workingPrecision(for lambda: BigFloat, target: Int) -> Int {
        guard let e = lambda.exponent else { return target + 64 }
        let cancellation = e < 0 ? 3 * (-e) : 0
        return target + 64 + cancellation
    }

    static func evaluate(_ lambda: BigRational, precision: Int, _ body: (BigFloat, Int) -> BigFloat) -> BigFloat {
        let rough = BigFloat(lambda, precision: 64)
        let working = workingPrecision(for: rough, target: precision)
        let l = BigFloat(lambda, precision: working)
        return BigFloat(body(l, working), precision: precision)
    }

    /// F_ww(λ) = [(9λ² + 6λ − 1)e^{5λ} + e^{−λ}] / (27λ²): chaotic-phase limit of the exact recursion.
    public static func weightWeight(_ lambda: BigRational, precision: Int) -> BigFloat {
        evaluate(lambda, precision: precision) { l, p in
            let c = { (v: Int) in BigFloat(v, precision: p) }
            let e5 = (c(5) * l).exp()
            let em1 = (-l).exp()
            let numerator = (c(9) * l * l + c(6) * l - c(1)) * e5 + em1
            return numerator / (c(27) * l * l)
        }
    }

    /// F_wb(λ) = [(15λ + 11)e^{5λ} − 45λ − 36 + 25e^{−λ}] / (225λ²): weight–bias cross term.
    public static func weightBias(_ lambda: BigRational, precision: Int) -> BigFloat {
        evaluate(lambda, precision: precision) { l, p in
            let c = { (v: Int) in BigFloat(v, precision: p) }
            let numerator = (c(15) * l + c(11)) * (c(5) * l).exp() - c(45) * l - c(36) + c(25) * (-l).exp()
            return numerator / (c(225) * l * l)
        }
    }

    /// F_bb(λ) = 2(e^{5λ} − 1 − 5λ)/(25λ²): bias–bias term (the same in both models).
    public static func biasBias(_ lambda: BigRational, precision: Int) -> BigFloat {
        evaluate(lambda, precision: precision) { l, p in
            let c = { (v: Int) in BigFloat(v, precision: p) }
            let fiveL = c(5) * l
            return c(2) * (fiveL.expm1() - fiveL) / (c(25) * l * l)
        }
    }

    /// F_pub(λ) = e^{5λ}/(2λ)·(1 − (1 − e^{−4λ})/(4λ)): the published chaotic-phase limit,
    /// which is the limit of the gradient-independence recursion.
    public static func published(_ lambda: BigRational, precision: Int) -> BigFloat {
        evaluate(lambda, precision: precision) { l, p in
            let c = { (v: Int) in BigFloat(v, precision: p) }
            let fourL = c(4) * l
            let bracket = c(1) + (-fourL).expm1() / fourL  // 1 − (1 − e^{−4λ})/(4λ)
            return (c(5) * l).exp() / (c(2) * l) * bracket
        }
    }

    /// F_wb^GI(λ) = [(e^{5λ} − 1 − 5λ)/25 + e^{5λ}((1 − e^{−4λ})/4 − (1 − e^{−5λ})/5)]/λ²:
    /// the weight–bias term of the gradient-independence limit at the edge of chaos.
    public static func weightBiasGradientIndependence(_ lambda: BigRational, precision: Int) -> BigFloat {
        evaluate(lambda, precision: precision) { l, p in
            let c = { (v: Int) in BigFloat(v, precision: p) }
            let fiveL = c(5) * l
            let first = (fiveL.expm1() - fiveL) / c(25)
            let inner = -(-(c(4) * l)).expm1() / c(4) + (-fiveL).expm1() / c(5)
            return (first + fiveL.exp() * inner) / (l * l)
        }
    }

    /// (F_w + 2α₀F_b + α₀²F_bb)/(1 + α₀)².
    static func edgeOfChaosMixture(_ fw: BigFloat, _ fb: BigFloat, _ fbb: BigFloat, alpha0: BigRational, precision: Int) -> BigFloat {
        let a = BigFloat(alpha0, precision: precision + 32)
        let one = BigFloat(1, precision: precision + 32)
        let two = BigFloat(2, precision: precision + 32)
        let numerator = fw + two * a * fb + a * a * fbb
        let denominator = (one + a) * (one + a)
        return BigFloat(numerator / denominator, precision: precision)
    }
}

/// Why a limit cannot be evaluated for the given parameters.
public struct LimitDomainError: Error, CustomStringConvertible, Sendable {
    public let description: String
}

/// What the `published` member of `DispersionLimits` is, so that no front end presents one
/// limit as another.
public enum PublishedLimitForm: String, Sendable {
    /// The ordered-phase statement R → 1 of Seleznova & Kutyniok (ICML 2022), with trainable biases.
    case orderedOne = "ordered-one"
    /// F_pub(λ), the paper's chaotic-phase formula (= the GI limit with biases, σ² > 2).
    case chaoticFormula = "chaotic-formula"
    /// Edge of chaos with biases: the paper leaves g(λ, α₀) implicit; this is the GI-derived
    /// (F_pub + 2α₀F_wb^GI + α₀²F_bb)/(1+α₀)².
    case edgeOfChaosGIDerived = "edge-of-chaos-gi-derived"
    /// Without biases σ² scales out of Θ, so the paper's formula F_pub(λ) is the GI limit in
    /// every phase.
    case weightsOnlyFormula = "weights-only-formula"

    /// One line saying what the published value is.
    public var note: String {
        switch self {
        case .orderedOne: return "the ordered-phase result of Seleznova & Kutyniok (ICML 2022), R → 1"
        case .chaoticFormula: return "F_pub(λ), the chaotic-phase formula of Seleznova & Kutyniok (ICML 2022) (= the GI limit)"
        case .edgeOfChaosGIDerived:
            return "GI-derived: Seleznova & Kutyniok (ICML 2022) leave g(λ, α0) implicit; this is (F_pub + 2α0·F_wb^GI + α0²·F_bb)/(1+α0)²"
        case .weightsOnlyFormula:
            return "F_pub(λ): without biases σ² scales out of Θ, so the formula of Seleznova & Kutyniok (ICML 2022) is the GI limit in every phase"
        }
    }
}

/// The limits of the dispersion for one (σ², λ, biases, α₀), labelled by where they come from.
///
/// With trainable biases the limit depends on the phase (derivations/04): 1 in the ordered
/// phase, F_ww(λ) in the chaotic phase, and (F_ww + 2α₀F_wb + α₀²F_bb)/(1+α₀)² at the edge of
/// chaos. Without biases σ² scales out of Θ entirely (Θ is σ^{2(L−1)} times a σ²-free
/// variable), so the dispersion and its limit F_ww(λ) are the same in every phase, and the GI
/// limit is F_pub(λ) in every phase.
public struct DispersionLimits: Sendable {
    public let phase: Phase
    public let lambda: BigRational
    public let trainableBiases: Bool
    /// α₀ = n₀/(M‖x‖²) with trainable biases (it only matters at the edge of chaos); 0 without.
    public let alpha0: BigRational
    /// Limit of the exact recursion.
    public let exact: BigFloat
    /// Limit of the gradient-independence recursion.
    public let gradientIndependence: BigFloat
    /// The published value (Seleznova & Kutyniok 2022); `publishedForm` says which form it is.
    public let published: BigFloat
    public let publishedForm: PublishedLimitForm
    /// True when the published value is not printed in the paper but derived here from the GI
    /// approximation (edge of chaos with biases).
    public var publishedIsGIDerived: Bool { publishedForm == .edgeOfChaosGIDerived }

    /// α₀ = lim (mean bias part)/(mean weight part) = r/‖x‖² for input dimension n₀ = r·M; 0
    /// without biases or at ‖x‖² = 0 (where the network is dead and nothing converges).
    public static func alpha0(inputRatio r: BigRational, inputNorm2: BigRational, trainableBiases: Bool) -> BigRational {
        guard trainableBiases, inputNorm2.signum > 0 else { return 0 }
        return r / inputNorm2
    }

    /// Throws `LimitDomainError` unless λ > 0, α₀ ≥ 0 and `precision` is a valid MPFR
    /// precision (`BigFloat.minimumPrecision … maximumPrecision`).
    public init(sigma2: BigRational, lambda: BigRational, trainableBiases: Bool = true, alpha0: BigRational,
                precision: Int) throws {
        guard sigma2.signum > 0 else { throw LimitDomainError(description: "σ² = \(sigma2) must be positive") }
        guard lambda.signum > 0 else { throw LimitDomainError(description: "λ = \(lambda) must be positive") }
        guard alpha0.signum >= 0 else { throw LimitDomainError(description: "α0 = \(alpha0) must not be negative") }
        guard precision >= BigFloat.minimumPrecision, precision <= BigFloat.maximumPrecision - 256 else {
            throw LimitDomainError(description: "precision \(precision) bits is outside \(BigFloat.minimumPrecision)…\(BigFloat.maximumPrecision - 256)")
        }
        let guarded = precision + 16
        self.phase = Phase(sigma2: sigma2)
        self.lambda = lambda
        self.trainableBiases = trainableBiases
        self.alpha0 = trainableBiases ? alpha0 : 0
        if !trainableBiases {
            exact = InfiniteWidthLimits.weightWeight(lambda, precision: precision)
            gradientIndependence = InfiniteWidthLimits.published(lambda, precision: precision)
            published = gradientIndependence
            publishedForm = .weightsOnlyFormula
            return
        }
        switch phase {
        case .ordered:
            exact = BigFloat(1, precision: precision)
            gradientIndependence = BigFloat(1, precision: precision)
            published = BigFloat(1, precision: precision)
            publishedForm = .orderedOne
        case .chaotic:
            exact = InfiniteWidthLimits.weightWeight(lambda, precision: precision)
            gradientIndependence = InfiniteWidthLimits.published(lambda, precision: precision)
            published = gradientIndependence
            publishedForm = .chaoticFormula
        case .edgeOfChaos:
            let fbb = InfiniteWidthLimits.biasBias(lambda, precision: guarded)
            exact = InfiniteWidthLimits.edgeOfChaosMixture(
                InfiniteWidthLimits.weightWeight(lambda, precision: guarded),
                InfiniteWidthLimits.weightBias(lambda, precision: guarded), fbb, alpha0: alpha0, precision: precision)
            gradientIndependence = InfiniteWidthLimits.edgeOfChaosMixture(
                InfiniteWidthLimits.published(lambda, precision: guarded),
                InfiniteWidthLimits.weightBiasGradientIndependence(lambda, precision: guarded), fbb,
                alpha0: alpha0, precision: precision)
            published = gradientIndependence
            publishedForm = .edgeOfChaosGIDerived
        }
    }

    /// True when α₀ enters the exact limit (edge of chaos with biases).
    public var dependsOnAlpha0: Bool { trainableBiases && phase == .edgeOfChaos }
}
