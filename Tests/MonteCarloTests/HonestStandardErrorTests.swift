import Foundation
import Testing

@testable import MonteCarlo

/// The verdict rules for heavy-tailed Θ (derivations/06, "Honest standard errors"), checked on
/// lognormal samples whose moments are known in closed form: E[Θ^k] = exp(k²s²/2) for
/// Θ = exp(sZ), Z standard normal.
@Suite("Honest standard errors")
struct HonestStandardErrorTests {
    /// SplitMix64 and Box–Muller: an independent, seeded source of normal variates.
    struct Normals {
        var state: UInt64
        mutating func uniform() -> Double {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return (Double((z ^ (z >> 31)) >> 11) + 0.5) / 9_007_199_254_740_992
        }
        mutating func next() -> Double { (-2 * log(uniform())).squareRoot() * cos(2 * .pi * uniform()) }
    }

    static func lognormalMoments(_ s: Double) -> [Double] { (1...4).map { k in exp(Double(k * k) * s * s / 2) } }
    static func lognormalPlan(_ s: Double) -> ExactSamplingPlan {
        ExactSamplingPlan(moments: lognormalMoments(s), sixthMoment: exp(18 * s * s))
    }

    /// Θ = K with probability p, else 1: E[Θ^k] = 1 − p + pK^k.
    static func twoPointPlan(p: Double, K: Double) -> ExactSamplingPlan {
        func m(_ k: Double) -> Double { 1 - p + p * pow(K, k) }
        return ExactSamplingPlan(moments: [m(1), m(2), m(3), m(4)], sixthMoment: m(6))
    }

    /// Fractions of `runs` runs of `samples` draws of the two-point law whose E[Θ] has |z| > 4 on
    /// the exact standard error, and whose verdict is FAIL.
    static func twoPointRates(p: Double, K: Double, samples: Int, runs: Int) -> (beyondFour: Double, failed: Double) {
        let plan = twoPointPlan(p: p, K: K)
        var normals = Normals(state: 99)
        var beyond = 0, failed = 0
        for _ in 0..<runs {
            var m = ThetaMoments()
            for _ in 0..<samples { m.add(normals.uniform() < p ? K : 1) }
            let t = MomentZTest(moments: m, referenceMean: plan.moments[0], referenceSecondMoment: plan.moments[1], zMax: 4,
                                exactStandardErrors: .init(plan: plan, samples: samples))
            if abs(t.zMean) > 4 { beyond += 1 }
            if t.verdict == .fail { failed += 1 }
        }
        return (Double(beyond) / Double(runs), Double(failed) / Double(runs))
    }

    /// False-failure rates over `runs` runs of `samples` lognormal(s) samples tested against the
    /// true moments: (with the exact standard errors, with the sample ones and the trust rule,
    /// with the sample ones and no rule).
    static func falseFailureRates(s: Double, samples: Int, runs: Int) -> (exact: Double, trusted: Double, naive: Double) {
        let truth = lognormalMoments(s)
        let plan = lognormalPlan(s)
        var normals = Normals(state: 42)
        var fails = (exact: 0, trusted: 0, naive: 0)
        for _ in 0..<runs {
            var m = ThetaMoments()
            for _ in 0..<samples { m.add(exp(s * normals.next())) }
            let exact = MomentZTest(moments: m, referenceMean: truth[0], referenceSecondMoment: truth[1], zMax: 4,
                                    exactStandardErrors: .init(plan: plan, samples: samples))
            let sample = MomentZTest(moments: m, referenceMean: truth[0], referenceSecondMoment: truth[1], zMax: 4)
            if exact.verdict == .fail { fails.exact += 1 }
            if sample.verdict == .fail { fails.trusted += 1 }
            let naive = [sample.meanVerdict, sample.secondMomentVerdict].contains(.fail)
                || abs(sample.zMean) > 4 || abs(sample.zSecondMoment) > 4
            if naive { fails.naive += 1 }
        }
        let n = Double(runs)
        return (Double(fails.exact) / n, Double(fails.trusted) / n, Double(fails.naive) / n)
    }

    @Test("check: honest-standard-errors — heavy tails: the sample standard error fails a true model often; exact errors and the trust rule stay within 1 %")
    func falseFailures() {
        // s = 1.5: the kurtosis of Θ² is e^{36}-scale; 200 samples, as in a short offdiag run.
        let rates = Self.falseFailureRates(s: 1.5, samples: 200, runs: 2000)
        #expect(rates.naive > 0.05, "the naive rule should fail a true model often here: \(rates)")
        #expect(rates.exact <= 0.01, "\(rates)")
        #expect(rates.trusted <= 0.01, "\(rates)")
    }

    @Test("exact standard errors are used when given, and a real difference still fails")
    func exactErrorsUsed() {
        var m = ThetaMoments()
        var normals = Normals(state: 7)
        for _ in 0..<5000 { m.add(exp(0.3 * normals.next())) }
        let truth = Self.lognormalMoments(0.3)
        let plan = Self.lognormalPlan(0.3)
        let t = MomentZTest(moments: m, referenceMean: truth[0], referenceSecondMoment: truth[1], zMax: 4,
                            exactStandardErrors: .init(plan: plan, samples: 5000))
        #expect(t.usesExactStandardErrors)
        #expect(abs(t.standardErrorOfMean - plan.standardErrors(samples: 5000).mean) == 0)
        #expect(t.verdict == .pass)
        let wrong = MomentZTest(moments: m, referenceMean: truth[0] * 1.05, referenceSecondMoment: truth[1] * 1.1, zMax: 4,
                                exactStandardErrors: .init(plan: plan, samples: 5000))
        #expect(wrong.verdict == .fail)
    }

    @Test("a failure on an untrustworthy sample standard error is inconclusive, a trustworthy one still fails")
    func trustRule() {
        // 99 ones and one 1000: κ̂ ≈ 98, so N = 100 < 16(κ̂ − 1).
        var heavy = ThetaMoments()
        for _ in 0..<99 { heavy.add(1) }
        heavy.add(1000)
        let t = MomentZTest(moments: heavy, referenceMean: 100, referenceSecondMoment: 1e6, zMax: 4)
        #expect(!t.standardErrorsAreTrustworthy && t.sampleKurtosis > 90)
        #expect(abs(t.zSecondMoment) > 4 && t.secondMomentVerdict == .inconclusive && t.verdict == .inconclusive)
        // Light tails (κ = 1 for ±1 alternation): the same rule keeps the failure.
        var light = ThetaMoments()
        for i in 0..<100 { light.add(i % 2 == 0 ? 1 : 3) }
        let f = MomentZTest(moments: light, referenceMean: 3, referenceSecondMoment: 5, zMax: 4)
        #expect(f.standardErrorsAreTrustworthy && f.verdict == .fail)
    }

    @Test("check: exact-errors-need-normality — an exact standard error without the normal approximation: |z| > 4 is common for a true model, so FAIL needs Chebyshev's √1000")
    func exactErrorsWithoutNormalApproximation() {
        // Θ = 100 with probability 1/1000, else 1, 200 samples: two rare draws give z ≈ 4.0, and
        // P(two or more) = 1 − 1.2e^{−0.2} ≈ 1.75 %. The skewness of Θ is ≈ 31, so N ≥ 100γ²
        // would need 10⁵ samples.
        let rates = Self.twoPointRates(p: 0.001, K: 100, samples: 200, runs: 4000)
        #expect(rates.beyondFour > 0.01, "the exact z alone should exceed 4 often: \(rates)")
        #expect(rates.failed <= 0.001, "\(rates)")
        let plan = Self.twoPointPlan(p: 0.001, K: 100)
        let g = plan.skewness.theta!
        #expect(abs(g - 31.4) < 0.2, "skewness of the two-point law: \(g)")
        // A model wrong by far more than Chebyshev's bound still fails.
        var m = ThetaMoments()
        for _ in 0..<200 { m.add(1) }
        // (The model: normal with mean 10 and variance 1, E[Θ^k] = 10, 101, 1030, 10603.)
        let wrong = MomentZTest(moments: m, referenceMean: 10, referenceSecondMoment: 101, zMax: 4,
                                exactStandardErrors: .init(plan: ExactSamplingPlan(moments: [10, 101, 1030, 10603]), samples: 200))
        #expect(abs(wrong.zMean) > MomentZTest.chebyshevZ && wrong.meanVerdict == .fail)
    }

    @Test("the normal approximation is used where the exact skewness allows it: N ≥ 100γ²")
    func nearNormalThreshold() {
        // Lognormal s = 0.3: γ(Θ) = (e^{s²} + 2)√(e^{s²} − 1) ≈ 0.9495.
        let plan = Self.lognormalPlan(0.3)
        let g = plan.skewness.theta!
        let exactSkew = (exp(0.09) + 2) * (exp(0.09) - 1).squareRoot()
        #expect(abs(g - exactSkew) < 1e-9)
        let needed = Int((100 * g * g).rounded(.up))
        var m = ThetaMoments()
        for _ in 0..<needed { m.add(1) }
        let at = MomentZTest(moments: m, referenceMean: plan.moments[0], referenceSecondMoment: plan.moments[1], zMax: 4,
                             exactStandardErrors: .init(plan: plan, samples: needed))
        #expect(at.meanIsNearNormal)
        var fewer = ThetaMoments()
        for _ in 0..<(needed - 1) { fewer.add(1) }
        let below = MomentZTest(moments: fewer, referenceMean: plan.moments[0], referenceSecondMoment: plan.moments[1], zMax: 4,
                                exactStandardErrors: .init(plan: plan, samples: needed - 1))
        #expect(!below.meanIsNearNormal)
        // Without E[Θ⁶] the skewness of Θ² is unknown and the normal approximation is not relied on.
        let four = ExactSamplingPlan(moments: plan.moments)
        #expect(four.skewness.thetaSquared == nil)
        let t = MomentZTest(moments: m, referenceMean: plan.moments[0], referenceSecondMoment: plan.moments[1], zMax: 4,
                            exactStandardErrors: .init(plan: four, samples: needed))
        #expect(!t.secondMomentIsNearNormal)
    }
}
