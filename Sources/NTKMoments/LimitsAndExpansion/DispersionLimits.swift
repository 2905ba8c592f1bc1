import Multiprecision

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
