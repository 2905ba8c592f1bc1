import Foundation
import Testing

@testable import MonteCarlo

@Suite("MomentZTest: z-scores and the validation verdict")
struct MomentZTestTests {
    private static func moments(_ values: [Double]) -> ThetaMoments {
        var m = ThetaMoments()
        for v in values { m.add(v) }
        return m
    }

    /// Θ alternating 1, 3: mean 2, E[Θ²] = 5, positive standard errors.
    private static func alternating(_ n: Int) -> ThetaMoments {
        moments((0..<n).map { $0 % 2 == 0 ? 1 : 3 })
    }

    @Test("one sample: no standard error, inconclusive even against the right values")
    func oneSample() {
        let t = MomentZTest(moments: Self.moments([2]), referenceMean: 2, referenceSecondMoment: 4, zMax: 4)
        #expect(t.zMean.isNaN && t.zSecondMoment.isNaN)
        #expect(t.verdict == .inconclusive)
        #expect(!t.hasEnoughSamples)
    }

    @Test("two samples: finite z, but too few samples for a verdict — whether they match the model or not")
    func twoSamples() {
        let match = MomentZTest(moments: Self.moments([1, 3]), referenceMean: 2, referenceSecondMoment: 5, zMax: 4)
        #expect(match.zMean == 0 && match.zSecondMoment == 0)
        #expect(match.verdict == .inconclusive)
        let mismatch = MomentZTest(moments: Self.moments([1, 3]), referenceMean: 1000, referenceSecondMoment: 1e6, zMax: 4)
        #expect(abs(mismatch.zMean) > 4)
        #expect(mismatch.verdict == .inconclusive)
        // Two identical samples of a deterministic Θ: still below the minimum.
        let constant = MomentZTest(moments: Self.moments([3.5, 3.5]), referenceMean: 3.5, referenceSecondMoment: 12.25, zMax: 4)
        #expect(constant.verdict == .inconclusive)
    }

    @Test("the minimum sample count is the boundary: 29 inconclusive, 30 decides")
    func minimumBoundary() {
        #expect(MomentZTest.minimumSamples == 30)
        let below = MomentZTest(moments: Self.alternating(29), referenceMean: 2, referenceSecondMoment: 5, zMax: 4)
        #expect(below.verdict == .inconclusive)
        let at = MomentZTest(moments: Self.alternating(30), referenceMean: 2, referenceSecondMoment: 5, zMax: 4)
        #expect(at.verdict == .pass)
    }

    @Test("a matching model passes; the z-scores are (estimate − model)/SE")
    func match() {
        let m = Self.alternating(1000)
        let t = MomentZTest(moments: m, referenceMean: 2.01, referenceSecondMoment: 4.9, zMax: 4)
        #expect(t.zMean == (m.mean - 2.01) / m.standardErrorOfMean)
        #expect(t.zSecondMoment == (m.secondMoment - 4.9) / m.standardErrorOfSecondMoment)
        #expect(abs(t.zMean) < 4 && abs(t.zSecondMoment) < 4)
        #expect(t.meanVerdict == .pass && t.secondMomentVerdict == .pass && t.verdict == .pass)
    }

    @Test("a clear mismatch fails, in E[Θ] or in E[Θ²] alone")
    func mismatch() {
        let m = Self.alternating(1000)
        let meanOff = MomentZTest(moments: m, referenceMean: 2.5, referenceSecondMoment: 5, zMax: 4)
        #expect(meanOff.meanVerdict == .fail && meanOff.secondMomentVerdict == .pass && meanOff.verdict == .fail)
        let secondOff = MomentZTest(moments: m, referenceMean: 2, referenceSecondMoment: 6, zMax: 4)
        #expect(secondOff.meanVerdict == .pass && secondOff.secondMomentVerdict == .fail && secondOff.verdict == .fail)
        // The same data pass with a looser threshold: zMax is honoured.
        let loose = MomentZTest(moments: m, referenceMean: 2.5, referenceSecondMoment: 5, zMax: abs(meanOff.zMean) + 1)
        #expect(loose.verdict == .pass)
    }

    @Test("a deterministic Θ equal to the model passes; unequal is inconclusive (an atom, not evidence)")
    func deterministic() {
        let m = Self.moments(Array(repeating: 3.5, count: 100))
        #expect(m.standardErrorOfMean == 0 && m.standardErrorOfSecondMoment == 0)
        let equal = MomentZTest(moments: m, referenceMean: 3.5, referenceSecondMoment: 12.25, zMax: 4)
        #expect(!equal.zMean.isFinite)
        #expect(equal.verdict == .pass)
        let rounding = MomentZTest(moments: m, referenceMean: 3.5 * (1 + 1e-15), referenceSecondMoment: 12.25, zMax: 4)
        #expect(rounding.verdict == .pass)
        let unequal = MomentZTest(moments: m, referenceMean: 3.6, referenceSecondMoment: 12.96, zMax: 4)
        #expect(unequal.verdict == .inconclusive)
    }

    @Test("non-finite statistics (overflow) give no verdict")
    func nonFinite() {
        let m = Self.moments([1e200, 3e200] + Array(repeating: 2e200, count: 40))
        #expect(!m.secondMoment.isFinite)
        let t = MomentZTest(moments: m, referenceMean: 2e200, referenceSecondMoment: 1e300, zMax: 4)
        #expect(t.secondMomentVerdict == .inconclusive)
        #expect(t.verdict == .inconclusive)
        let none = MomentZTest(moments: ThetaMoments(), referenceMean: 1, referenceSecondMoment: 1, zMax: 4)
        #expect(none.verdict == .inconclusive)
    }

    @Test("combining verdicts: any fail fails, else any inconclusive is inconclusive, else pass")
    func combine() {
        #expect(MomentZTest.combine([.pass, .pass]) == .pass)
        #expect(MomentZTest.combine([.pass, .inconclusive]) == .inconclusive)
        #expect(MomentZTest.combine([.inconclusive, .fail, .pass]) == .fail)
        #expect(MomentZTest.combine([ValidationVerdict]()) == .pass)
        #expect(ValidationVerdict.allCases.map(\.rawValue) == ["pass", "fail", "inconclusive"])
    }

    @Test("ThetaMoments encodes with snake_case keys")
    func snakeCaseKeys() throws {
        let data = try JSONEncoder().encode(Self.moments([1, 2]))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(object.keys) == ["count", "sum_theta", "sum_theta2", "sum_theta3", "sum_theta4"])
    }
}
