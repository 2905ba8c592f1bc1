import Multiprecision

/// One hidden layer's transfer matrix written as Σ_k e_k·C_k, where e_k are the six
/// per-layer expectations of `LayerMoments` and C_k are fixed 0/1/2 matrices.
///
/// Every entry of a layer matrix is such a combination (a pair entry sums E[f·g] over the
/// orderings of its source pair), so v·M = Σ_targets Σ_k e_k·(Σ_sources c·v_s): the sources
/// that share a target and an expectation are added first and multiplied once. For the
/// 10-state pair recursion that turns 42 multiply-adds per layer into 20 products and a few
/// cheap additions — the hot loop of every architecture that changes width from layer to layer.
struct FactoredLayerOperator: Sendable {
    /// Indices into `LayerMoments.values`.
    enum Expectation: Int, CaseIterable { case one, a, b, aa, ab, bb }

    struct Group: Sendable {
        let target: Int
        let expectation: Int
        /// Source indices, repeated when a source counts twice.
        let sources: [Int]
        /// The first group writing its target assigns the product instead of adding it.
        let assigns: Bool
    }

    let size: Int
    let groups: [Group]
    /// Targets no group writes (they stay zero).
    let untouchedTargets: [Int]
    /// The same map in the compressed form `MomentScalar.apply` takes.
    let plan: SparseLinearPlan

    /// From (source, target, expectation) triples, one per unit coefficient.
    init(size: Int, terms: [(source: Int, target: Int, expectation: Expectation)]) {
        var grouped: [[Int]: [Int]] = [:]
        var order: [[Int]] = []
        for t in terms {
            let key = [t.target, t.expectation.rawValue]
            if grouped[key] == nil { order.append(key) }
            grouped[key, default: []].append(t.source)
        }
        self.size = size
        var seen = Set<Int>()
        self.groups = order.map { key in
            Group(target: key[0], expectation: key[1], sources: grouped[key]!.sorted(), assigns: seen.insert(key[0]).inserted)
        }
        self.untouchedTargets = (0..<size).filter { !seen.contains($0) }
        self.plan = SparseLinearPlan(targets: groups.map(\.target), coefficientIndices: groups.map(\.expectation),
                                     sources: groups.map(\.sources), assigns: groups.map(\.assigns), untouched: untouchedTargets)
    }

    static func expectation(_ f: PathFactor, _ g: PathFactor) -> Expectation {
        switch (f, g) {
        case (.one, .one): return .one
        case (.one, .forward), (.forward, .one): return .a
        case (.one, .backward), (.backward, .one): return .b
        case (.forward, .forward): return .aa
        case (.forward, .backward), (.backward, .forward): return .ab
        case (.backward, .backward): return .bb
        }
    }

    /// The mean (4-state) operator of a model.
    static func mean(_ model: MomentModel) -> FactoredLayerOperator {
        FactoredLayerOperator(size: PathState.allCases.count, terms: model.transitions.map {
            ($0.from.rawValue, $0.to.rawValue, expectation($0.factor, .one))
        })
    }

    /// The pair (10-state) operator of a model: unordered source pair P → target pair Q
    /// collects E[f·g] over the orderings (s, s') of P with s → Q.first and s' → Q.second.
    static func pair(_ model: MomentModel) -> FactoredLayerOperator {
        var factor: [Int: PathFactor] = [:]
        for t in model.transitions { factor[t.from.rawValue * 4 + t.to.rawValue] = t.factor }
        var terms: [(source: Int, target: Int, expectation: Expectation)] = []
        for (p, source) in PairState.all.enumerated() {
            for (q, target) in PairState.all.enumerated() {
                for (s, s2) in source.orderings {
                    guard let f = factor[s.rawValue * 4 + target.first.rawValue],
                          let g = factor[s2.rawValue * 4 + target.second.rawValue] else { continue }
                    terms.append((p, q, expectation(f, g)))
                }
            }
        }
        return FactoredLayerOperator(size: PairState.all.count, terms: terms)
    }

    static let exactMean = mean(.exact), exactPair = pair(.exact)
    static let giMean = mean(.gradientIndependence), giPair = pair(.gradientIndependence)
}

extension PathVector {
    /// output ← self·(Σ_k e_k·C_k), reusing output's storage; `scratch` holds partial sums.
    func apply(_ op: FactoredLayerOperator, expectations e: [Scalar], into output: inout PathVector, scratch: inout Scalar) {
        output.scale = scale
        Scalar.apply(op.plan, values: values, coefficients: e, into: &output.values, scratch: &scratch)
        output.renormalize()
    }
}
