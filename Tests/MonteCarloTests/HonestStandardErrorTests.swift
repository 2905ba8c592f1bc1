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

    /// False-failure rates over `runs` runs of `samples` lognormal(s) samples tested against the
    /// true moments: (with the exact standard errors, with the sample ones and the trust rule,
    /// with the sample ones and no rule).
    static func falseFailureRates(s: Double, samples: Int, runs: Int) -> (exact: Double, trusted: Double, naive: Double) {
        let truth = lognormalMoments(s)
        let plan = ExactSamplingPlan(moments: truth)
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
        let plan = ExactSamplingPlan(moments: truth)
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
}
