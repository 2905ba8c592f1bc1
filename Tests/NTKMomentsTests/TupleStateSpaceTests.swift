import Testing
@testable import NTKMoments

/// The edges of the p-th moment recursion were first built by brute force: every ordering of
/// the source multiset, every choice of successor per component, kept when the successors are
/// the target's sorted representative. That takes seconds at p = 8, so the library now counts
/// contingency tables instead. This reference is the brute force, kept here to check it.
private func bruteForceEdges(order p: Int, model: MomentModel) -> (edges: [String], orderings: [Int]) {
    var all: [[PathState]] = []
    func build(_ prefix: [PathState], from start: Int) {
        if prefix.count == p { all.append(prefix); return }
        for raw in start..<PathState.allCases.count { build(prefix + [PathState(rawValue: raw)!], from: raw) }
    }
    build([], from: 0)
    var index: [[PathState]: Int] = [:]
    for (i, s) in all.enumerated() { index[s] = i }
    var factor: [Int: PathFactor] = [:]
    for t in model.transitions { factor[t.from.rawValue * 4 + t.to.rawValue] = t.factor }
    func permutations(_ s: [PathState]) -> [[PathState]] {
        if s.count <= 1 { return [s] }
        var result: [[PathState]] = []
        var used = Set<PathState>()
        for (i, x) in s.enumerated() where used.insert(x).inserted {
            var rest = s
            rest.remove(at: i)
            for tail in permutations(rest) { result.append([x] + tail) }
        }
        return result
    }
    let orderingsOf = all.map(permutations)
    var edges: [String] = []
    for si in all.indices {
        var byTarget: [Int: [[Int]: Int]] = [:]
        for ordered in orderingsOf[si] {
            func choose(_ i: Int, _ chosen: [PathState], _ forward: Int, _ backward: Int) {
                if i == p {
                    guard chosen == chosen.sorted(by: { $0.rawValue < $1.rawValue }), let ti = index[chosen] else { return }
                    byTarget[ti, default: [:]][[forward, backward], default: 0] += 1
                    return
                }
                for to in PathState.allCases {
                    guard let f = factor[ordered[i].rawValue * 4 + to.rawValue] else { continue }
                    choose(i + 1, chosen + [to], forward + (f == .forward ? 1 : 0), backward + (f == .backward ? 1 : 0))
                }
            }
            choose(0, [], 0, 0)
        }
        for (ti, counts) in byTarget.sorted(by: { $0.key < $1.key }) {
            let terms = counts.map { ($0.key[0], $0.key[1], $0.value) }.sorted { ($0.0, $0.1) < ($1.0, $1.1) }
            edges.append("\(si)→\(ti): " + terms.map { "(\($0.0),\($0.1))×\($0.2)" }.joined(separator: " + "))
        }
    }
    return (edges, orderingsOf.map(\.count))
}

@Suite("The multiset state space of E[Θ^p] (derivations/08)")
struct TupleStateSpaceTests {
    @Test("edges, their (i, j, count) terms and the orderings equal the brute-force enumeration", arguments: [
        (1, MomentModel.exact), (2, .exact), (3, .exact), (4, .exact), (5, .exact),
        (1, .gradientIndependence), (2, .gradientIndependence), (3, .gradientIndependence), (4, .gradientIndependence),
    ])
    func matchesBruteForce(order p: Int, model: MomentModel) {
        let space = TupleStateSpace(order: p, model: model)
        let reference = bruteForceEdges(order: p, model: model)
        let edges = space.edges.map { e in
            "\(e.source)→\(e.target): " + e.terms.map { "(\($0.forward),\($0.backward))×\($0.count)" }.joined(separator: " + ")
        }
        #expect(edges == reference.edges)
        #expect(space.orderings == reference.orderings)
    }

    @Test("at p = 8: C(11, 3) = 165 states whose orderings add up to the 4^8 ordered tuples")
    func orderEight() {
        let space = TupleStateSpace(order: 8, model: .exact)
        #expect(space.stateCount == 165)
        #expect(space.orderings.reduce(0, +) == 65536)
    }
}

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
