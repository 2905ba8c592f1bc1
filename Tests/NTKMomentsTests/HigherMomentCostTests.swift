import Testing
@testable import NTKMoments

/// `CostEstimate.higherMomentSeconds`, which `moments --max-moment` prints and refuses on
/// (`make bench` compares it with measured times).
@Suite("The cost estimate of E[Θ³] … E[Θ^p]")
struct HigherMomentCostTests {
    @Test("the layer entry counts the estimate uses are the recursion's, k = 3 … 8 (GI layers have no more)")
    func entryCounts() throws {
        let arithmetic = try DoubleArithmetic(sigma2: 2, inputNorm2: 1)
        for k in 3...8 {
            let exact = TransferRecursionEngine(arithmetic: arithmetic, model: .exact, space: TupleStateSpace.of(order: k, model: .exact))
            #expect(Double(exact.sparseLayerPlan().rows.count) == CostEstimate.tupleLayerEntries[k])
            let gi = TransferRecursionEngine(arithmetic: arithmetic, model: .gradientIndependence,
                                             space: TupleStateSpace.of(order: k, model: .gradientIndependence))
            #expect(Double(gi.sparseLayerPlan().rows.count) <= CostEstimate.tupleLayerEntries[k]!)
        }
    }

    @Test("layer by layer costs grow with the layers and the order; squaring (constant or periodic widths) stays cheap; exact rationals grow quadratically")
    func shape() throws {
        func random(_ n: Int) -> [Int] {
            var state: UInt64 = 5
            return (0..<n).map { _ in state = state &* 6364136223846793005 &+ 1442695040888963407; return 60 + Int((state >> 33) % 81) }
        }
        let short = try Architecture(widths: random(2001), sigma2: 2), long = try Architecture(widths: random(20001), sigma2: 2)
        let mpfr = ArithmeticMode.mpfr(precision: 128)
        let s = CostEstimate.higherMomentSeconds(short, maxOrder: 8, mode: mpfr), l = CostEstimate.higherMomentSeconds(long, maxOrder: 8, mode: mpfr)
        #expect(l > 5 * s && l < 11 * s)
        #expect(CostEstimate.higherMomentSeconds(long, maxOrder: 6, mode: mpfr) < l / 3)
        #expect(CostEstimate.higherMomentSeconds(long, maxOrder: 8, mode: .double) < l)
        #expect(CostEstimate.higherMomentSeconds(long, maxOrder: 8, mode: .certified(precision: 128)) > l)
        #expect(CostEstimate.higherMomentSeconds(long, maxOrder: 2, mode: mpfr) == 0)
        // Exact rationals grow with depth: the cost is quadratic in the number of layers.
        let exact201 = CostEstimate.higherMomentSeconds(try Architecture(widths: random(201), sigma2: 2), maxOrder: 8, mode: .exact)
        let exact2001 = CostEstimate.higherMomentSeconds(short, maxOrder: 8, mode: .exact)
        #expect(exact2001 > 60 * exact201 && exact2001 < 140 * exact201)
        let constant = try Architecture(width: 1000, depth: 1_000_000, sigma2: 2)
        let periodic = try Architecture(inputDimension: 3, hiddenRuns: (0..<1_000_000).flatMap { _ in [WidthRun(width: 100, count: 1), WidthRun(width: 101, count: 1)] }, sigma2: 2)
        #expect(CostEstimate.higherMomentSeconds(constant, maxOrder: 8, mode: mpfr) < 1)
        #expect(CostEstimate.higherMomentSeconds(periodic, maxOrder: 8, mode: mpfr) < 1)
        // Double does not square periodic stretches: two million layers one by one.
        #expect(CostEstimate.higherMomentSeconds(periodic, maxOrder: 8, mode: .double) > 10)
    }
}
