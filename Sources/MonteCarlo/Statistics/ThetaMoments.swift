/// The power sums `Σ Θ, Σ Θ², Σ Θ³, Σ Θ⁴` of a set of samples of `Θ = Θ(x, x)`, with their
/// count, from which the mean, the second moment and their standard errors follow.
///
/// The sums are compensated within a block of samples and exact across blocks
/// (`CompensatedSum`): `merge` is exact, so a run's result depends only on its blocks, not on
/// how they were grouped into threads or shards.
public struct ThetaMoments: Sendable, Hashable, Codable {
    /// Number of samples accumulated.
    public private(set) var count: Int
    /// `Σ Θ`.
    public private(set) var sumTheta: CompensatedSum
    /// `Σ Θ²`.
    public private(set) var sumTheta2: CompensatedSum
    /// `Σ Θ³`.
    public private(set) var sumTheta3: CompensatedSum
    /// `Σ Θ⁴`.
    public private(set) var sumTheta4: CompensatedSum

    /// JSON keys are snake_case, like every JSON file `ntk` writes.
    enum CodingKeys: String, CodingKey {
        case count
        case sumTheta = "sum_theta"
        case sumTheta2 = "sum_theta2"
        case sumTheta3 = "sum_theta3"
        case sumTheta4 = "sum_theta4"
    }

    /// No samples.
    public init() {
        count = 0
        sumTheta = CompensatedSum()
        sumTheta2 = CompensatedSum()
        sumTheta3 = CompensatedSum()
        sumTheta4 = CompensatedSum()
    }

    /// Accumulates one sample `theta`.
    @inline(__always)
    public mutating func add(_ theta: Double) {
        let theta2 = theta * theta
        count += 1
        sumTheta.add(theta)
        sumTheta2.add(theta2)
        sumTheta3.add(theta2 * theta)
        sumTheta4.add(theta2 * theta2)
    }

    /// Accumulates all the samples of `other`; exact (see `CompensatedSum.add(_:)`), hence
    /// associative and commutative.
    public mutating func merge(_ other: ThetaMoments) {
        count += other.count
        sumTheta.add(other.sumTheta)
        sumTheta2.add(other.sumTheta2)
        sumTheta3.add(other.sumTheta3)
        sumTheta4.add(other.sumTheta4)
    }

    /// `self` merged with `other`; see `merge(_:)`.
    public func merging(_ other: ThetaMoments) -> ThetaMoments {
        var result = self
        result.merge(other)
        return result
    }

    // MARK: Plug-in estimates

    /// `(1/N) Σ Θ`, the unbiased estimate of `E[Θ]`; NaN when `count == 0`.
    public var mean: Double { sumTheta.value / Double(count) }

    /// `(1/N) Σ Θ²`, the unbiased estimate of `E[Θ²]`; NaN when `count == 0`.
    public var secondMoment: Double { sumTheta2.value / Double(count) }

    /// `(1/N) Σ Θ³`; NaN when `count == 0`.
    public var thirdMoment: Double { sumTheta3.value / Double(count) }

    /// `(1/N) Σ Θ⁴`; NaN when `count == 0`.
    public var fourthMoment: Double { sumTheta4.value / Double(count) }

    /// The unbiased sample variance of Θ, `N/(N−1) · (mean(Θ²) − mean(Θ)²)`, clamped at 0
    /// (rounding can make the difference slightly negative when Θ is nearly constant).
    /// NaN when `count < 2`.
    public var varianceOfTheta: Double {
        guard count >= 2 else { return .nan }
        return besselCorrection * max(0, secondMoment - mean * mean)
    }

    /// The unbiased sample variance of Θ², `N/(N−1) · (mean(Θ⁴) − mean(Θ²)²)`, clamped at 0.
    /// NaN when `count < 2`.
    public var varianceOfTheta2: Double {
        guard count >= 2 else { return .nan }
        return besselCorrection * max(0, fourthMoment - secondMoment * secondMoment)
    }

    /// Standard error of `mean`: `√(varianceOfTheta / N)`. NaN when `count < 2`.
    public var standardErrorOfMean: Double { (varianceOfTheta / Double(count)).squareRoot() }

    /// Standard error of `secondMoment`, from the fourth power sum:
    /// `√(varianceOfTheta2 / N)`. NaN when `count < 2`.
    public var standardErrorOfSecondMoment: Double {
        (varianceOfTheta2 / Double(count)).squareRoot()
    }

    /// The plug-in dispersion `mean(Θ²) / mean(Θ)²`, an estimate of `R = E[Θ²]/E[Θ]²`.
    ///
    /// It is a ratio of estimates, hence biased; for the heavy-tailed Θ of deep networks
    /// (large `λ = L/M`, derivations/06-monte-carlo.md) it is biased LOW — the rare huge samples that carry
    /// `E[Θ²]` are under-represented in any finite run — and `dispersionStandardError` is
    /// then optimistic. To validate a model, test `mean` and `secondMoment` separately with
    /// their own standard errors, and trust the ratio only where `λ ≤ 0.5`.
    public var dispersion: Double { secondMoment / (mean * mean) }

    /// Delta-method standard error of `dispersion`: with `m₁ = mean`, `m₂ = secondMoment`,
    /// gradient `g = (−2m₂/m₁³, 1/m₁²)` of `m₂/m₁²` and the sample covariance `C` of
    /// `(Θ, Θ²)` (entries `Var Θ`, `m₃ − m₁m₂`, `Var Θ²`, each with the `N/(N−1)` correction),
    /// `SE = √(gᵀ C g / N)`. First-order only: see `dispersion` for why it is optimistic when
    /// Θ is heavy-tailed. NaN when `count < 2`.
    public var dispersionStandardError: Double {
        guard count >= 2 else { return .nan }
        let m1 = mean
        let m2 = secondMoment
        let covarianceThetaTheta2 = besselCorrection * (thirdMoment - m1 * m2)
        let gradientMean = -2 * m2 / (m1 * m1 * m1)
        let gradientSecondMoment = 1 / (m1 * m1)
        let variance =
            gradientMean * gradientMean * varianceOfTheta
            + 2 * gradientMean * gradientSecondMoment * covarianceThetaTheta2
            + gradientSecondMoment * gradientSecondMoment * varianceOfTheta2
        return (max(0, variance) / Double(count)).squareRoot()
    }

    /// `N/(N−1)`, turning the plug-in (biased) variance into the unbiased one.
    private var besselCorrection: Double { Double(count) / Double(count - 1) }
}
