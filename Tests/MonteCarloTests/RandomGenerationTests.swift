import Foundation
import Testing

@testable import MonteCarlo

@Suite("Random streams and the ziggurat Gaussian")
struct RandomGenerationTests {
    @Test("xoshiro256++ reproduces the reference implementation's outputs for state {1,2,3,4}")
    func xoshiroMatchesReference() {
        // Published outputs of xoshiro.di.unimi.it/xoshiro256plusplus.c (also the test
        // vector of rand_xoshiro).
        let expected: [UInt64] = [
            41_943_041, 58_720_359, 3_588_806_011_781_223, 3_591_011_842_654_386,
            9_228_616_714_210_784_205, 9_973_669_472_204_895_162, 14_011_001_112_246_962_877,
            12_406_186_145_184_390_807, 15_849_039_046_786_891_736, 10_450_023_813_501_588_000,
        ]
        var generator = Xoshiro256PlusPlus(state: (1, 2, 3, 4))
        #expect(expected.map { _ in generator.next() } == expected)
    }

    @Test("Seeding from a key uses the first four SplitMix64 outputs (reference values for seed 1234567)")
    func seedingUsesSplitMix64() {
        // First outputs of the reference splitmix64.c seeded with 1234567.
        var fromKey = Xoshiro256PlusPlus(key: 1_234_567)
        var fromState = Xoshiro256PlusPlus(
            state: (
                6_457_827_717_110_365_317, 3_203_168_211_198_807_973,
                9_817_491_932_198_370_423, 4_593_380_528_125_082_431
            ))
        let a = (0..<8).map { _ in fromKey.next() }
        let b = (0..<8).map { _ in fromState.next() }
        #expect(a == b)
    }

    @Test("Stream keys differ between neighbouring seeds, samples, layers and rows")
    func streamKeysAreDistinct() {
        var keys = Set<UInt64>()
        for seed: UInt64 in 0..<4 {
            for sample: UInt64 in 0..<16 {
                for layer in 1...8 {
                    for row in 0..<8 {
                        keys.insert(StreamKey.weightRow(seed: seed, sample: sample, layer: layer, row: row))
                    }
                }
            }
        }
        #expect(keys.count == 4 * 16 * 8 * 8)
    }

    @Test("Ziggurat tables: the 255 layers stack up to the mode with equal areas")
    func zigguratTablesClose() {
        let tables = ZigguratGaussian.shared
        let v = ZigguratGaussian.layerArea
        // The top layer, [0, x₂₅₅] × [φ(x₂₅₅), 1], must also have area V for R to be the right
        // 256-layer constant; an error in R or V shows up here amplified by the recursion.
        let x255 = tables.xEdge[255]
        let topLayerArea = x255 * (1 - exp(-0.5 * x255 * x255))
        #expect(abs(topLayerArea - v) < 1e-11 * v)
        // The edges decrease strictly from V/φ(R) to 0 and the densities match them.
        #expect(tables.xEdge[1] == ZigguratGaussian.tailStart)
        #expect(zip(tables.xEdge, tables.xEdge.dropFirst()).allSatisfy { $0 > $1 })
        #expect(tables.xEdge[256] == 0 && tables.densityAtEdge[256] == 1)
    }

    @Test("10⁶ ziggurat draws: mean, variance, 4th moment and tail fractions match N(0, 1)")
    func gaussianMomentsAndTails() {
        let drawCount = 1_000_000
        var draws = [Double](repeating: .nan, count: drawCount)
        var generator = Xoshiro256PlusPlus(key: 20_240_601)
        draws.withUnsafeMutableBufferPointer { ZigguratGaussian.shared.fill($0, using: &generator) }

        var sum = 0.0, sumSquares = 0.0, sumFourth = 0.0
        var beyond3 = 0, beyond4 = 0, negative = 0
        for g in draws {
            let g2 = g * g
            sum += g
            sumSquares += g2
            sumFourth += g2 * g2
            if abs(g) > 3 { beyond3 += 1 }
            if abs(g) > 4 { beyond4 += 1 }  // beyond R = 3.654: only the exact tail sampler gets here
            if g < 0 { negative += 1 }
        }
        let n = Double(drawCount)
        // Standard errors from the N(0,1) moments: Var g = 1, Var g² = 2, Var g⁴ = 105 − 9 = 96.
        func within5StandardErrors(_ estimate: Double, _ exact: Double, variance: Double) -> Bool {
            abs(estimate - exact) < 5 * (variance / n).squareRoot()
        }
        #expect(within5StandardErrors(sum / n, 0, variance: 1))
        #expect(within5StandardErrors(sumSquares / n, 1, variance: 2))
        #expect(within5StandardErrors(sumFourth / n, 3, variance: 96))
        // P(|g| > t) = erfc(t/√2): 2.6997960632601866e-3 for t = 3, 6.334248366623984e-5 for t = 4.
        let p3 = 2.699_796_063_260_186_6e-3
        let p4 = 6.334_248_366_623_984e-5
        #expect(within5StandardErrors(Double(beyond3) / n, p3, variance: p3 * (1 - p3)))
        #expect(within5StandardErrors(Double(beyond4) / n, p4, variance: p4 * (1 - p4)))
        #expect(within5StandardErrors(Double(negative) / n, 0.5, variance: 0.25))
        #expect(draws.allSatisfy { $0.isFinite })
    }

    @Test("10⁶ ziggurat draws: binned counts fit N(0, 1) (chi-square, 42 bins)")
    func gaussianHistogramFits() {
        // Bins of width 0.2 on [−4, 4] plus the two tails; the wedges of the ziggurat are
        // narrow strips in x, so a wrong wedge test distorts individual bins that the moments
        // alone might average out.
        let drawCount = 1_000_000
        var draws = [Double](repeating: .nan, count: drawCount)
        var generator = Xoshiro256PlusPlus(key: 7)
        draws.withUnsafeMutableBufferPointer { ZigguratGaussian.shared.fill($0, using: &generator) }
        let edges = (0...40).map { -4.0 + 0.2 * Double($0) }
        var counts = [Int](repeating: 0, count: edges.count + 1)
        for g in draws {
            var bin = 0
            while bin < edges.count && g >= edges[bin] { bin += 1 }
            counts[bin] += 1
        }
        // Φ from Foundation's erfc, independent of the code under test.
        func normalCDF(_ t: Double) -> Double { 0.5 * erfc(-t / 2.0.squareRoot()) }
        let boundaries = [-Double.infinity] + edges + [Double.infinity]
        var chiSquare = 0.0
        for bin in counts.indices {
            let lower = boundaries[bin].isInfinite ? 0 : normalCDF(boundaries[bin])
            let upper = boundaries[bin + 1].isInfinite ? 1 : normalCDF(boundaries[bin + 1])
            let expected = Double(drawCount) * (upper - lower)
            let deviation = Double(counts[bin]) - expected
            chiSquare += deviation * deviation / expected
        }
        // 41 degrees of freedom: mean 41, standard deviation √82 ≈ 9.06; reject beyond 5 of them.
        #expect(chiSquare < 41 + 5 * 82.0.squareRoot(), "χ² = \(chiSquare)")
    }
}
