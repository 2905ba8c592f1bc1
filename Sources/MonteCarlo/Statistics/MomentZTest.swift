import Foundation

/// The outcome of comparing Monte Carlo estimates with a model.
public enum ValidationVerdict: String, Sendable, Hashable, Codable, CaseIterable {
    /// Every tested moment agrees with the model: |z| ≤ zMax, or Θ showed no spread at all and
    /// the estimate equals the model value up to rounding.
    case pass
    /// At least one moment has a well-defined z-score with |z| > zMax.
    case fail
    /// The samples cannot support a verdict: too few of them, or a standard error that is not
    /// a finite positive number (and the estimate does not simply equal the model value).
    case inconclusive
}

/// The z-tests of a Monte Carlo run against one model: `z = (estimate − model) / SE` for
/// `E[Θ]` (standard error `√(Var Θ / N)`) and for `E[Θ²]` (standard error `√(Var Θ² / N)`),
/// and the verdict they support.
///
/// Rules, applied to each of the two moments:
/// - fewer than `minimumSamples` samples: no verdict (`inconclusive`), whatever the numbers;
/// - a finite, positive standard error and a finite estimate: pass when `|z| ≤ zMax`, fail
///   otherwise;
/// - standard error exactly 0 (every sample gave the same Θ — a deterministic Θ such as a
///   depth-1 network, or a network that is always dead): pass when the estimate equals the
///   model value up to rounding (relative 10⁻¹²), otherwise no verdict. Identical samples
///   with a different value are what an atom of Θ (e.g. the dead network) looks like when it
///   carries almost all the probability; the rest of the distribution was simply not seen,
///   so this is not evidence against the model;
/// - anything else (NaN or infinite estimates or standard errors, e.g. after overflow): no
///   verdict.
///
/// The run fails when either moment fails, is inconclusive when neither fails and either is
/// inconclusive, and passes only when both pass.
///
/// Standard errors (derivations/06, "Honest standard errors"): when the model's exact
/// E[Θ²] and E[Θ⁴] are known, the z-scores use the exact standard errors of the two sample
/// means under the model, √((E[Θ²] − E[Θ]²)/N) and √((E[Θ⁴] − E[Θ²]²)/N). The sample standard
/// error of a heavy-tailed quantity is too small in most runs — the rare large samples that
/// carry its variance were not drawn — so a z-score built on it fails a correct model far more
/// often than its nominal rate. Where only sample standard errors exist, a |z| above zMax is a
/// failure only when the sample kurtosis κ̂ of Θ shows the standard error to be trustworthy:
/// N ≥ 16(κ̂ − 1) for E[Θ] (the relative standard error of the sample variance, √((κ − 1)/N),
/// is then at most 1/4), and N ≥ 16(κ̂ − 1)⁴ for E[Θ²], whose own kurtosis the samples do not
/// estimate (for lognormal tails κ(Θ²) ≈ κ(Θ)⁴); otherwise the moment is inconclusive, never
/// failed.
///
/// An exact standard error is the true one, but |z| > zMax is rare only where the sample mean is
/// close to normal. A skewed, heavy-tailed Y (Θ or Θ²) makes most sample means fall a little
/// short and a few overshoot by many standard errors. So with exact standard errors a |z| above
/// zMax is a failure only when the normal approximation is known to hold — N ≥ 100γ², γ the
/// model's exact skewness of Y (from E[Θ^k], k ≤ 3 for Θ and E[Θ²], E[Θ⁴], E[Θ⁶] for Θ²; the
/// first Edgeworth correction to the tail beyond z = 4 is then at most the tail itself) — or
/// when |z| exceeds `chebyshevZ` = √1000: by Chebyshev's inequality a correct model gives
/// |z| ≥ √1000 with probability at most 10⁻³ whatever its law. Between zMax and √1000 without
/// the normal approximation the moment is inconclusive.
public struct MomentZTest: Sendable, Hashable {
    /// Exact standard errors of the sample means of Θ and Θ² under the model.
    public struct ExactStandardErrors: Sendable, Hashable {
        public let mean: Double
        public let secondMoment: Double
        /// The model's skewness of Θ and of Θ², where known: they decide whether the normal
        /// approximation behind |z| > zMax holds (nil: not known, so it is not relied on).
        public let thetaSkewness: Double?
        public let thetaSquaredSkewness: Double?

        /// From the model's E[Θ^k] (`plan`) for `samples` samples.
        public init(plan: ExactSamplingPlan, samples: Int) {
            let se = plan.standardErrors(samples: samples)
            mean = se.mean
            secondMoment = se.secondMoment
            thetaSkewness = plan.skewness.theta
            thetaSquaredSkewness = plan.skewness.thetaSquared
        }

        public init(mean: Double, secondMoment: Double, thetaSkewness: Double? = nil, thetaSquaredSkewness: Double? = nil) {
            self.mean = mean
            self.secondMoment = secondMoment
            self.thetaSkewness = thetaSkewness
            self.thetaSquaredSkewness = thetaSquaredSkewness
        }
    }

    /// The sample-size factor of the trust rule for sample standard errors: N ≥ 16(κ̂ − 1).
    public static let sampleKurtosisFactor = 16.0

    /// The sample-size factor of the normal approximation with exact standard errors: N ≥ 100γ².
    public static let skewnessFactor = 100.0

    /// The |z| that fails a moment on an exact standard error without the normal approximation:
    /// Chebyshev's inequality bounds P(|z| ≥ √1000) by 10⁻³ for a correct model, whatever its law.
    public static let chebyshevZ = 1000.0.squareRoot()

    /// The fewest samples on which a verdict is given.
    ///
    /// The z-test treats `(estimate − model)/SE` as standard normal, which rests on the central
    /// limit theorem and on the sample standard error being close to the true one. Neither
    /// holds for a handful of samples: with N = 2 the standard error comes from one degree of
    /// freedom and |z| > 4 is common even when the model is right (Student t₁ tails); with N = 1
    /// it does not exist. 30 is the usual floor for normal approximations (at N = 30,
    /// P(|t₂₉| > 4) ≈ 4·10⁻⁴). It is a floor, not a guarantee: heavy-tailed Θ (large λ = L/M)
    /// needs far more samples before its E[Θ²] standard error can be trusted.
    public static let minimumSamples = 30

    /// Relative tolerance for "equal up to rounding" when Θ showed no spread.
    public static let deterministicTolerance = 1e-12

    /// The estimates and sample count the test was computed from.
    public let count: Int
    public let mean: Double
    public let standardErrorOfMean: Double
    public let secondMoment: Double
    public let standardErrorOfSecondMoment: Double
    /// The model's `E[Θ]` and `E[Θ²]`.
    public let referenceMean: Double
    public let referenceSecondMoment: Double
    /// The largest |z| that passes.
    public let zMax: Double
    /// Whether the standard errors above are the model's exact ones (else the samples').
    public let usesExactStandardErrors: Bool
    /// The sample kurtosis E[(Θ − μ)⁴]/Var(Θ)² of the samples (NaN without spread).
    public let sampleKurtosis: Double
    /// The model's skewness of Θ and of Θ² when the standard errors are exact and it is known.
    public let thetaSkewness: Double?
    public let thetaSquaredSkewness: Double?

    /// Tests `moments` against the model values `referenceMean = E[Θ]` and
    /// `referenceSecondMoment = E[Θ²]`; `zMax` must be finite and positive. With
    /// `exactStandardErrors` (finite and positive) the z-scores use them.
    public init(moments: ThetaMoments, referenceMean: Double, referenceSecondMoment: Double, zMax: Double,
                exactStandardErrors: ExactStandardErrors? = nil) {
        precondition(zMax.isFinite && zMax > 0, "zMax must be finite and positive")
        count = moments.count
        mean = moments.mean
        secondMoment = moments.secondMoment
        let exact = exactStandardErrors.flatMap { e in
            [e.mean, e.secondMoment].allSatisfy { $0.isFinite && $0 > 0 } ? e : nil
        }
        standardErrorOfMean = exact?.mean ?? moments.standardErrorOfMean
        standardErrorOfSecondMoment = exact?.secondMoment ?? moments.standardErrorOfSecondMoment
        usesExactStandardErrors = exact != nil
        thetaSkewness = exact?.thetaSkewness
        thetaSquaredSkewness = exact?.thetaSquaredSkewness
        sampleKurtosis = Self.kurtosis(moments)
        self.referenceMean = referenceMean
        self.referenceSecondMoment = referenceSecondMoment
        self.zMax = zMax
    }

    /// E[(Θ − μ)⁴]/Var(Θ)² from the sample's raw moments.
    static func kurtosis(_ m: ThetaMoments) -> Double {
        let mu = m.mean, m2 = m.secondMoment, m3 = m.thirdMoment, m4 = m.fourthMoment
        let variance = m2 - mu * mu
        let central4 = m4 - 4 * mu * m3 + 6 * mu * mu * m2 - 3 * mu * mu * mu * mu
        guard variance > 0 else { return .nan }
        return max(1, central4 / (variance * variance))
    }

    /// Whether the standard error of the sample mean of Θ can be trusted for a failure:
    /// exact, or N ≥ 16(κ̂ − 1).
    public var meanStandardErrorIsTrustworthy: Bool {
        usesExactStandardErrors || (sampleKurtosis.isFinite && Double(count) >= Self.sampleKurtosisFactor * (sampleKurtosis - 1))
    }

    /// Whether the standard error of the sample mean of Θ² can be trusted for a failure:
    /// exact, or N ≥ 16(κ̂ − 1)⁴.
    public var secondMomentStandardErrorIsTrustworthy: Bool {
        usesExactStandardErrors
            || (sampleKurtosis.isFinite && Double(count) >= Self.sampleKurtosisFactor * Foundation.pow(sampleKurtosis - 1, 4))
    }

    /// Both standard errors can be trusted for a failure.
    public var standardErrorsAreTrustworthy: Bool { meanStandardErrorIsTrustworthy && secondMomentStandardErrorIsTrustworthy }

    /// Whether the sample mean of Θ is known to be close enough to normal for |z| > zMax to
    /// fail: exact standard errors and N ≥ 100γ(Θ)².
    public var meanIsNearNormal: Bool { usesExactStandardErrors && Self.nearNormal(count, thetaSkewness) }

    /// Whether the sample mean of Θ² is known to be close enough to normal: exact standard
    /// errors and N ≥ 100γ(Θ²)².
    public var secondMomentIsNearNormal: Bool { usesExactStandardErrors && Self.nearNormal(count, thetaSquaredSkewness) }

    static func nearNormal(_ count: Int, _ skewness: Double?) -> Bool {
        guard let g = skewness, g.isFinite else { return false }
        return Double(count) >= skewnessFactor * g * g
    }

    /// `(mean − referenceMean) / standardErrorOfMean`; NaN or infinite when the standard
    /// error is not positive (fewer than 2 samples, or no spread).
    public var zMean: Double { (mean - referenceMean) / standardErrorOfMean }

    /// `(secondMoment − referenceSecondMoment) / standardErrorOfSecondMoment`; see `zMean`.
    public var zSecondMoment: Double { (secondMoment - referenceSecondMoment) / standardErrorOfSecondMoment }

    /// The verdict on `E[Θ]` alone.
    public var meanVerdict: ValidationVerdict {
        trusted(Self.verdict(count: count, z: zMean, standardError: standardErrorOfMean, estimate: mean, model: referenceMean, zMax: zMax),
                z: zMean, trustworthy: meanStandardErrorIsTrustworthy, nearNormal: meanIsNearNormal)
    }

    /// The verdict on `E[Θ²]` alone.
    public var secondMomentVerdict: ValidationVerdict {
        trusted(Self.verdict(count: count, z: zSecondMoment, standardError: standardErrorOfSecondMoment, estimate: secondMoment,
                             model: referenceSecondMoment, zMax: zMax),
                z: zSecondMoment, trustworthy: secondMomentStandardErrorIsTrustworthy, nearNormal: secondMomentIsNearNormal)
    }

    /// A failure stands only on a standard error that can be trusted and, when it is exact, with
    /// the normal approximation or beyond Chebyshev's bound; otherwise it is inconclusive.
    private func trusted(_ verdict: ValidationVerdict, z: Double, trustworthy: Bool, nearNormal: Bool) -> ValidationVerdict {
        guard verdict == .fail else { return verdict }
        guard trustworthy else { return .inconclusive }
        guard usesExactStandardErrors, !nearNormal else { return .fail }
        return abs(z) > max(zMax, Self.chebyshevZ) ? .fail : .inconclusive
    }

    /// Why the verdict is inconclusive, in one phrase; nil when it is not.
    public var inconclusiveReason: String? {
        guard verdict == .inconclusive else { return nil }
        if !hasEnoughSamples { return "fewer than \(Self.minimumSamples) samples" }
        let reasons = [(meanVerdict, zMean, meanStandardErrorIsTrustworthy), (secondMomentVerdict, zSecondMoment, secondMomentStandardErrorIsTrustworthy)]
            .filter { $0.0 == .inconclusive }
            .map { v, z, trustworthy -> String in
                if !(z.isFinite) { return "no finite standard error" }
                if !trustworthy { return "sample standard errors that heavy tails make unreliable" }
                return "|z| > \(Self.formatted(zMax)) without the normal approximation (exact skewness too large for \(count) samples) and below Chebyshev's √1000"
            }
        return Array(Set(reasons)).sorted().joined(separator: "; ")
    }

    static func formatted(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x)
    }

    /// The verdict on both moments: fail if either fails, else inconclusive if either is,
    /// else pass.
    public var verdict: ValidationVerdict { Self.combine([meanVerdict, secondMomentVerdict]) }

    /// Whether there were enough samples for any verdict (`count ≥ minimumSamples`).
    public var hasEnoughSamples: Bool { count >= Self.minimumSamples }

    /// Fail if any verdict fails, else inconclusive if any is, else pass (also for none).
    public static func combine(_ verdicts: some Sequence<ValidationVerdict>) -> ValidationVerdict {
        var sawInconclusive = false
        for v in verdicts {
            if v == .fail { return .fail }
            if v == .inconclusive { sawInconclusive = true }
        }
        return sawInconclusive ? .inconclusive : .pass
    }

    /// The rule for one moment (see the type's documentation).
    public static func verdict(count: Int, z: Double, standardError: Double, estimate: Double, model: Double,
                        zMax: Double) -> ValidationVerdict {
        guard count >= minimumSamples, estimate.isFinite, model.isFinite else { return .inconclusive }
        if standardError.isFinite && standardError > 0 {
            guard !z.isNaN else { return .inconclusive }
            return abs(z) <= zMax ? .pass : .fail  // an overflowing z (±inf) is a clear failure
        }
        if standardError == 0 {
            let equal = abs(estimate - model) <= deterministicTolerance * max(abs(model), Double.leastNormalMagnitude)
            return equal ? .pass : .inconclusive
        }
        return .inconclusive
    }
}

/// What exact higher moments say about a Monte Carlo estimate before it is run
/// (derivations/08): the exact standard errors of the sample means of Θ and Θ² for N samples,
/// Var(mean of Θ) = (E[Θ²] − E[Θ]²)/N and Var(mean of Θ²) = (E[Θ⁴] − E[Θ²]²)/N, and the number
/// of samples at which the difference between two models' E[Θ] (or E[Θ²]) is z exact standard
/// errors — the run length that tells them apart at that z.
public struct ExactSamplingPlan: Sendable, Hashable {
    /// E[Θ], E[Θ²], E[Θ³], E[Θ⁴] of the model the samples come from.
    public let moments: [Double]
    /// E[Θ⁶], where known: the skewness of Θ² needs it.
    public let sixthMoment: Double?

    /// Precondition: four finite moments, and a finite sixth moment if any.
    public init(moments: [Double], sixthMoment: Double? = nil) {
        precondition(moments.count == 4 && moments.allSatisfy(\.isFinite), "E[Θ^k], k = 1…4, are needed")
        precondition(sixthMoment?.isFinite ?? true, "E[Θ⁶] must be finite")
        self.moments = moments
        self.sixthMoment = sixthMoment
    }

    /// The skewness E[(Y − E Y)³]/Var(Y)^{3/2} of Y = Θ and, with E[Θ⁶], of Y = Θ²; nil where
    /// Y has no spread or the value is not finite.
    public var skewness: (theta: Double?, thetaSquared: Double?) {
        func skew(_ m1: Double, _ m2: Double, _ m3: Double) -> Double? {
            let variance = m2 - m1 * m1
            guard variance > 0 else { return nil }
            let g = (m3 - 3 * m1 * m2 + 2 * m1 * m1 * m1) / (variance * variance.squareRoot())
            return g.isFinite ? g : nil
        }
        return (skew(moments[0], moments[1], moments[2]), sixthMoment.flatMap { skew(moments[1], moments[3], $0) })
    }

    /// Per-sample standard deviations of Θ and Θ².
    public var perSampleDeviation: (theta: Double, thetaSquared: Double) {
        ((max(0, moments[1] - moments[0] * moments[0])).squareRoot(), (max(0, moments[3] - moments[1] * moments[1])).squareRoot())
    }

    /// Exact standard errors of the sample means of Θ and Θ² over `samples` samples.
    public func standardErrors(samples: Int) -> (mean: Double, secondMoment: Double) {
        let d = perSampleDeviation, n = Double(max(samples, 1)).squareRoot()
        return (d.theta / n, d.thetaSquared / n)
    }

    /// Samples N with |Δ| = z·σ/√N, i.e. N = (z·σ/Δ)², for a difference Δ in E[Θ] and in E[Θ²];
    /// nil where the difference is zero (never separated).
    public func samplesToSeparate(meanDifference: Double, secondMomentDifference: Double, z: Double) -> (mean: Double?, secondMoment: Double?) {
        let d = perSampleDeviation
        func needed(_ sigma: Double, _ delta: Double) -> Double? {
            delta == 0 || !delta.isFinite ? nil : ((z * sigma / delta) * (z * sigma / delta)).rounded(.up)
        }
        return (needed(d.theta, meanDifference), needed(d.thetaSquared, secondMomentDifference))
    }
}
