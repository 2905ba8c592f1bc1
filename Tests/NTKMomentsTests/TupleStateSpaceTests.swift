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
