import Multiprecision

/// The infinite-depth-and-width limit of the normalized smooth first-step change
/// E[f·Q]/E[Θ]² (constant width M → ∞, L/M → λ, n₀ = rM; derivations/11):
///
/// * edge of chaos with biases: (G_w + α₀G_b)/(1 + α₀)², α₀ = r/‖x‖² (`DispersionLimits.alpha0`);
/// * without biases, in every phase: G_w (weights-only, E[fQ]/E[Θ]² does not depend on σ²
///   even at finite width: both scale as (σ²)^{2(L−1)});
/// * chaotic with biases: G_w (the bias terms are a vanishing fraction of E[Θ] and E[fQ]);
/// * ordered with biases: 0, approached exponentially; `orderedApproximation` gives the
///   leading behaviour 16‖x‖²/(β(2 − σ²))·(σ²/2)^L/n₀ — an approximation, not a limit value
///   (a /M in place of /n₀ would be the same only for n₀ = M; the ratio of the recursion to
///   such a /M form tends to M/n₀ = 1/r; derivations/11-first-step.md, first-step-ordered-decay).
///
///     G_w = [(18λ² − 6λ + 1)e^{5λ} − e^{−λ}]/(27λ²)
///     G_b = 2[(30λ − 11)e^{5λ} + 36 − 25e^{−λ}]/(225λ²)
public struct FirstStepLimits: Sendable {
    public let phase: Phase
    public let lambda: BigRational
    public let trainableBiases: Bool
    /// α₀ (0 without biases).
    public let alpha0: BigRational
    /// lim E[fQ]/E[Θ]² (0 in the ordered phase with biases).
    public let limit: BigFloat

    /// Throws `LimitDomainError` unless σ² > 0, λ > 0, α₀ ≥ 0 and the precision is valid.
    public init(sigma2: BigRational, lambda: BigRational, trainableBiases: Bool = true, alpha0: BigRational, precision: Int) throws {
        guard sigma2.signum > 0 else { throw LimitDomainError(description: "σ² = \(sigma2) must be positive") }
        guard lambda.signum > 0 else { throw LimitDomainError(description: "λ = \(lambda) must be positive") }
        guard alpha0.signum >= 0 else { throw LimitDomainError(description: "α0 = \(alpha0) must not be negative") }
        guard precision >= BigFloat.minimumPrecision, precision <= BigFloat.maximumPrecision - 256 else {
            throw LimitDomainError(description: "precision \(precision) bits is outside \(BigFloat.minimumPrecision)…\(BigFloat.maximumPrecision - 256)")
        }
        phase = Phase(sigma2: sigma2)
        self.lambda = lambda
        self.trainableBiases = trainableBiases
        self.alpha0 = trainableBiases ? alpha0 : 0
        if !trainableBiases || phase == .chaotic {
            limit = Self.weightTerm(lambda, precision: precision)
        } else if phase == .ordered {
            limit = BigFloat(0, precision: precision)
        } else {
            let guarded = precision + 32
            let a = BigFloat(self.alpha0, precision: guarded)
            let one = BigFloat(1, precision: guarded)
            let numerator = Self.weightTerm(lambda, precision: guarded) + a * Self.biasTerm(lambda, precision: guarded)
            limit = BigFloat(numerator / ((one + a) * (one + a)), precision: precision)
        }
    }

    /// True when α₀ enters the limit (edge of chaos with biases).
    public var dependsOnAlpha0: Bool { trainableBiases && phase == .edgeOfChaos }

    /// True when the limit is 0 and only `orderedApproximation` describes the decay.
    public var decaysExponentially: Bool { trainableBiases && phase == .ordered }

    /// G_w(λ) = [(18λ² − 6λ + 1)e^{5λ} − e^{−λ}]/(27λ²).
    public static func weightTerm(_ lambda: BigRational, precision: Int) -> BigFloat {
        InfiniteWidthLimits.evaluate(lambda, precision: precision) { l, p in
            let c = { (v: Int) in BigFloat(v, precision: p) }
            let numerator = (c(18) * l * l - c(6) * l + c(1)) * (c(5) * l).exp() - (-l).exp()
            return numerator / (c(27) * l * l)
        }
    }

    /// G_b(λ) = 2[(30λ − 11)e^{5λ} + 36 − 25e^{−λ}]/(225λ²).
    public static func biasTerm(_ lambda: BigRational, precision: Int) -> BigFloat {
        InfiniteWidthLimits.evaluate(lambda, precision: precision) { l, p in
            let c = { (v: Int) in BigFloat(v, precision: p) }
            let numerator = (c(30) * l - c(11)) * (c(5) * l).exp() + c(36) - c(25) * (-l).exp()
            return c(2) * numerator / (c(225) * l * l)
        }
    }

    /// The ordered-phase (σ² < 2, biases) approximation of E[fQ]/E[Θ]² at finite depth and
    /// width: 16‖x‖²/(β(2 − σ²))·(σ²/2)^L/n₀ with β = 1 and n₀ the input dimension; its
    /// relative error is O(1/M) at L = λM. An approximation of the leading exponential decay,
    /// not a limit; throws outside the ordered phase.
    public static func orderedApproximation(sigma2: BigRational, inputNorm2: BigRational, depth: Int, inputDimension width: Int, precision: Int) throws -> BigFloat {
        guard sigma2.signum > 0, sigma2 < 2 else { throw LimitDomainError(description: "the ordered-phase approximation needs 0 < σ² < 2 (got \(sigma2))") }
        guard depth >= 1, width >= 1 else { throw LimitDomainError(description: "depth and input dimension must be positive") }
        guard inputNorm2.signum >= 0 else { throw LimitDomainError(description: "‖x‖² = \(inputNorm2) must not be negative") }
        let p = precision + 32
        let ratio = BigFloat(sigma2 / 2, precision: p)
        let decay = (BigFloat(depth, precision: p) * ratio.log()).exp()
        let prefactor = BigFloat(16 * inputNorm2 / ((2 - sigma2) * BigRational(width)), precision: p)
        return BigFloat(prefactor * decay, precision: precision)
    }
}
