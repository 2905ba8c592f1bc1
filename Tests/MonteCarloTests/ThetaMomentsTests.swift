import Foundation
import Testing

@testable import MonteCarlo

@Suite("ThetaMoments and CompensatedSum")
struct ThetaMomentsTests {
    private static func accumulate(_ values: some Sequence<Double>) -> ThetaMoments {
        var moments = ThetaMoments()
        for value in values { moments.add(value) }
        return moments
    }

    @Test("Power sums and plug-in estimates of a small integer data set")
    func powerSumsOfIntegers() {
        let moments = Self.accumulate([1, 2, 3, 4])
        #expect(moments.count == 4)
        #expect(moments.sumTheta.value == 10)
        #expect(moments.sumTheta2.value == 30)
        #expect(moments.sumTheta3.value == 100)
        #expect(moments.sumTheta4.value == 354)
        #expect(moments.mean == 2.5)
        #expect(moments.secondMoment == 7.5)
        // Unbiased variance of {1,2,3,4} is 5/3; SE = √(5/3 / 4).
        #expect(abs(moments.standardErrorOfMean - (5.0 / 12).squareRoot()) < 1e-15)
        // Θ² = {1,4,9,16}: unbiased variance (354/4 − 7.5²)·4/3 = 43; SE = √(43/4).
        #expect(abs(moments.standardErrorOfSecondMoment - (43.0 / 4).squareRoot()) < 1e-14)
        #expect(moments.dispersion == 7.5 / 6.25)
    }

    @Test("Delta-method standard error of the dispersion for a two-point data set")
    func dispersionStandardError() {
        // Θ ∈ {1, 3}, each 50 times: m₁ = 2, m₂ = 5, m₃ = 14, m₄ = 41; with c = 100/99:
        // Var Θ = c, Cov(Θ,Θ²) = 4c, Var Θ² = 16c; gradient (−2·5/8, 1/4) = (−5/4, 1/4);
        // gᵀCg = c(25/16 − 2·5/4·1/4·4 + 16/16) = c·1/16, SE = √(c/16/100).
        let moments = Self.accumulate(Array(repeating: 1.0, count: 50) + Array(repeating: 3.0, count: 50))
        let expected = ((100.0 / 99) / 16 / 100).squareRoot()
        #expect(abs(moments.dispersionStandardError - expected) < 1e-15)
        #expect(moments.dispersion == 1.25)
    }

    @Test("Estimates are NaN without enough samples, and a constant gives zero standard error")
    func degenerateCounts() {
        #expect(ThetaMoments().mean.isNaN)
        #expect(Self.accumulate([2]).standardErrorOfMean.isNaN)
        let constant = Self.accumulate(Array(repeating: 0.1, count: 1000))
        #expect(constant.standardErrorOfMean == 0)
        #expect(constant.standardErrorOfSecondMoment == 0)
    }

    @Test("merge(a, b) equals accumulating every sample in one, and merging is associative")
    func mergeIsExactForIntegers() {
        let values = (0..<300).map { Double(($0 * 37) % 101) }
        let a = Self.accumulate(values[0..<100])
        let b = Self.accumulate(values[100..<170])
        let c = Self.accumulate(values[170..<300])
        let all = Self.accumulate(values)
        #expect(a.merging(b).merging(c) == all)
        #expect(a.merging(b.merging(c)) == all)
        #expect(c.merging(a).merging(b) == all)
    }

    @Test("Compensated summation keeps what naive summation loses")
    func compensationRecoversLostLowOrderTerms() {
        // 1 + 10⁶ · 2⁻⁵³: naive summation rounds every small term away and returns exactly 1.
        var sum = CompensatedSum()
        sum.add(1)
        for _ in 0..<1_000_000 { sum.add(0x1.0p-53) }
        #expect(sum.high == 1)
        #expect(sum.value == 1 + 1_000_000 * 0x1.0p-53)
    }

    @Test("JSON round trip is lossless")
    func jsonRoundTrip() throws {
        let moments = Self.accumulate([0.1, 1e-300, 3.141592653589793, 1e70, 2.0 / 3])
        let data = try JSONEncoder().encode(moments)
        let decoded = try JSONDecoder().decode(ThetaMoments.self, from: data)
        #expect(decoded == moments)
        #expect(decoded.sumTheta4.low == moments.sumTheta4.low)
    }
}
