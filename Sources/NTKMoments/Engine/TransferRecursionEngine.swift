import Multiprecision

/// One edge of a transfer-matrix state space: from `source` to `target` at one hidden layer,
/// with weight Σ count·E[a^forward b^backward] over its terms (derivations/08, 11).
struct TransferEdge: Sendable {
    let source: Int
    let target: Int
    let terms: [(forward: Int, backward: Int, count: Int)]
}

/// The description of a transfer-matrix recursion over hidden layers: its states, the
/// per-layer edges (each a sum of joint moments E[a^i b^j] of the layer's alive-event
/// factors), and the sparsity pattern of the layer matrices and their products. The start
/// vector and the top weights belong to the quantity (`TupleMomentRecursion`,
/// `FirstStepRecursion`); the layer-by-layer engine is `TransferRecursionEngine`.
protocol TransferStateSpace: AnyObject, Sendable {
    var stateCount: Int { get }
    var edges: [TransferEdge] { get }
    var pattern: TransferPattern { get }
    /// The largest i + j of any term (the joint moments the layer needs).
    var maximumDegree: Int { get }
}

extension TransferStateSpace {
    /// The a-priori rounding-error count for running this space in a rounded arithmetic
    /// (`RoundingErrorBound`): per layer a matrix entry sums up to m joint expectations (each
    /// two correctly rounded constants times an exact count), and applying or multiplying by
    /// it adds T + 1; `extra` covers start vector, top weights and the final dot product.
    func roundingBound(architecture: Architecture, significandBits: Int, libmDeadProbability: Bool, extra: Int) -> RoundingErrorBound {
        let m = edges.map(\.terms.count).max() ?? 1
        let t = pattern.productTerms.map(\.count).max() ?? 1
        let perLayer = 4 + m + t
        let dead = libmDeadProbability ? 3 * architecture.hiddenWidthTotals.count + 10 : 2
        return RoundingErrorBound(roundings: architecture.hiddenLayerCount * perLayer + dead + extra + stateCount + 40,
                                  significandBits: significandBits)
    }
}

/// The one engine behind the general transfer-matrix recursions (E[Θ^p], E[fQ]): builds each
/// hidden layer's matrix from the joint moments E[a^i b^j] (`JointLayerMoments`) and carries
/// a row vector through the architecture — O(L) for arbitrary widths, O(log L) per run of
/// equal widths and per periodic stretch by repeated squaring, with power-of-two rescaling
/// (`PathVector`) for `Double`.
struct TransferRecursionEngine<Arithmetic: MomentArithmetic> {
    typealias Scalar = Arithmetic.Scalar
    let arithmetic: Arithmetic
    let model: MomentModel
    let space: any TransferStateSpace
    /// How many distinct layer values `propagate` keeps at once (tests lower it to make the
    /// slots refill).
    var layerEntryBudget = Self.cachedLayerEntries

    /// E[a^i b^j] of one layer for every (i, j) with i + j ≤ the space's degree.
    func jointExpectations(previous: Int, width: Int, cache: JointLayerMoments.Cache? = nil) -> [[Scalar]] {
        let order = space.maximumDegree
        return (0...order).map { i in
            (0...(order - i)).map { j in
                let c = cache?.coefficients(forward: i, backward: j, previous: previous, width: width)
                    ?? JointLayerMoments.coefficients(forward: i, backward: j, previous: previous, width: width, model: model)
                if width == 1 && j > 0 && model == .exact { return arithmetic.zero }  // χ²₀ = 0
                // For narrow layers fold 2^{−n} into one exact rational: no cancellation at all.
                if width <= 64 || c.timesTwoToMinusN.isZero {
                    return arithmetic.constant(c.main + c.timesTwoToMinusN.timesPowerOfTwo(-width), sigma2Power: i + j, twoToMinus: 0)
                }
                return arithmetic.constant(c.main, sigma2Power: i + j, twoToMinus: 0)
                    + arithmetic.constant(c.timesTwoToMinusN, sigma2Power: i + j, twoToMinus: width)
            }
        }
    }

    func layerMatrix(previous: Int, width: Int, cache: JointLayerMoments.Cache? = nil) -> TransferMatrix<Scalar> {
        let e = jointExpectations(previous: previous, width: width, cache: cache)
        let pattern = space.pattern
        var values = Array(repeating: arithmetic.zero, count: pattern.entries.count)
        for edge in space.edges {
            let position = pattern.position[edge.source * space.stateCount + edge.target]
            var total: Scalar? = nil
            for term in edge.terms {
                var v = e[term.forward][term.backward]
                if term.count > 1 { v = arithmetic.constant(BigRational(term.count)) * v }
                total = total.map { $0 + v } ?? v
            }
            if let total { values[position] = total }
        }
        return TransferMatrix(pattern: pattern, values: values)
    }

    /// One layer's non-zero matrix entries, in the order `PathVector.apply` visits them
    /// (row-major): applying them alone performs the same roundings as the full matrix,
    /// whose other stored entries are exact zeros (x + v·0 = x in every arithmetic here).
    /// Entry k is `values[valueIndex[k]]`: a layer of E[Θ⁴] has 378 entries but only 67
    /// distinct ones (every entry is count·E[a^i b^j] for one of few (i, j, count)), so the
    /// distinct values are computed and stored once.
    struct SparseLayer {
        var rows: [Int]
        var columns: [Int]
        var valueIndex: [Int]
        var values: [Scalar]
    }

    /// What every sparse layer of this space shares: the positions of its non-zero entries in
    /// row-major order, which distinct value each takes, the terms each distinct value sums,
    /// and the constants of the terms' counts. Made once per propagation.
    struct SparseLayerPlan {
        let rows: [Int]
        let columns: [Int]
        let valueIndex: [Int]
        /// The terms of each distinct value, summed in this order (an edge's term order).
        let recipes: [[(forward: Int, backward: Int, count: Int)]]
        let counts: [Int: Scalar]
    }

    func sparseLayerPlan() -> SparseLayerPlan {
        let pattern = space.pattern
        // Position → the edge that fills it: the last one with terms, as `layerMatrix` assigns them.
        var edgeAt: [Int: TransferEdge] = [:]
        for edge in space.edges {
            let position = pattern.position[edge.source * space.stateCount + edge.target]
            if edgeAt[position] == nil || !edge.terms.isEmpty { edgeAt[position] = edge }
        }
        let order = edgeAt.keys.sorted()
        // Entries whose edges have the same terms in the same order have the same value.
        var recipes: [[(forward: Int, backward: Int, count: Int)]] = []
        var recipeNumber: [[Int]: Int] = [:]
        let valueIndex = order.map { position -> Int in
            let terms = edgeAt[position]!.terms
            let key = terms.flatMap { [$0.forward, $0.backward, $0.count] }
            if let known = recipeNumber[key] { return known }
            recipeNumber[key] = recipes.count
            recipes.append(terms)
            return recipes.count - 1
        }
        var counts: [Int: Scalar] = [:]
        for terms in recipes { for term in terms where term.count > 1 && counts[term.count] == nil {
            counts[term.count] = arithmetic.constant(BigRational(term.count))
        } }
        return SparseLayerPlan(rows: order.map { pattern.entries[$0].row }, columns: order.map { pattern.entries[$0].column },
                               valueIndex: valueIndex, recipes: recipes, counts: counts)
    }

    /// values ← the layer's distinct non-zero entries (`plan.recipes`), each equal to the
    /// corresponding entries of `layerMatrix`: the same products and sums in the same order,
    /// computed in place into storage the caller reuses (0 + x = x exactly starts each sum).
    func fillSparseLayer(_ values: inout [Scalar], previous: Int, width: Int, cache: JointLayerMoments.Cache,
                         plan: SparseLayerPlan, scratch: inout Scalar) {
        let e = jointExpectations(previous: previous, width: width, cache: cache)
        for (k, terms) in plan.recipes.enumerated() {
            values[k].setZero()
            for (t, term) in terms.enumerated() {
                let x = e[term.forward][term.backward]
                if term.count == 1 {
                    values[k].accumulate(x)
                } else if t == 0 {
                    values[k].setProduct(plan.counts[term.count]!, x)
                } else {
                    scratch.setProduct(plan.counts[term.count]!, x)
                    values[k].accumulate(scratch)
                }
            }
        }
    }

    /// At most this many distinct layer values are kept at once (about 250 MB at 256 bits):
    /// a layer of E[Θ⁸] has 930 of them, E[Θ⁴] 67, E[fQ] fewer, so a fixed number of width
    /// pairs would not bound the memory.
    static var cachedLayerEntries: Int { 1 << 21 }

    /// start·Π_j M_j over the hidden layers j = 1 … L − 1 (times 2^scale for `Double`).
    func propagate(_ start: [Scalar], through architecture: Architecture) -> PathVector<Scalar> {
        let zero = arithmetic.zero
        var vector = PathVector(values: start)
        var cache: [WidthPair: TransferMatrix<Scalar>] = [:]
        func matrix(_ segment: LayerBlock.Segment) -> TransferMatrix<Scalar> {
            let key = WidthPair(previous: segment.previous, width: segment.width)
            let m = cache[key] ?? layerMatrix(previous: segment.previous, width: segment.width)
            if cache.count < 64 { cache[key] = m }
            return m
        }
        // Single layers and short runs (irregular widths) through their non-zero entries only,
        // each distinct width pair's built once into a slot. When the slots are full they are
        // all given up (the numbering restarts) and refilled in place, so a sequence with more
        // pairs than slots allocates nothing further.
        let coefficientCache = JointLayerMoments.Cache(model: model, order: space.maximumDegree)
        let plan = sparseLayerPlan()
        let slotLimit = max(1, layerEntryBudget / max(1, plan.recipes.count))
        var slotIndex = WidthPairIndex()
        var slots: [[Scalar]] = []
        var term = arithmetic.zero
        func sparse(_ segment: LayerBlock.Segment) -> SparseLayer {
            let n: Int
            if let known = slotIndex.existingNumber(segment.previous, segment.width) {
                n = known
            } else {
                if slotIndex.count == slotLimit { slotIndex.removeAll() }
                n = slotIndex.number(segment.previous, segment.width).number
                if n == slots.count { slots.append(plan.recipes.map { _ in arithmetic.zero }) }
                fillSparseLayer(&slots[n], previous: segment.previous, width: segment.width, cache: coefficientCache,
                                plan: plan, scratch: &term)
            }
            return SparseLayer(rows: plan.rows, columns: plan.columns, valueIndex: plan.valueIndex, values: slots[n])
        }
        // As in MomentRecursion: periodic stretches as one period matrix raised to a power,
        // except for Double, which applies layer by layer.
        var scratch = PathVector(values: start.map { _ in zero })
        for block in architecture.layerBlocks(periodic: !Scalar.needsRescaling) {
            switch block {
            case .segment(let segment) where segment.count <= 8:
                let layer = sparse(segment)
                for _ in 0..<segment.count {
                    vector.apply(layer, into: &scratch)
                    swap(&vector, &scratch)
                }
            case .segment(let segment):
                vector = vector.applying(matrix(segment), power: segment.count, zero: zero)
            case .periodic(let period, let repeats):
                var product: TransferMatrix<Scalar>? = nil
                for part in period {
                    var m = matrix(part)
                    if part.count > 1 { m = m.power(part.count, zero: zero) }
                    product = product.map { $0.multiplied(by: m, zero: zero) } ?? m
                }
                vector = vector.applying(product!, power: repeats, zero: zero)
            }
        }
        return vector
    }
}

extension PathVector {
    /// output ← self·M for a layer given by its non-zero entries (same operations, in the same
    /// order, as `apply(_:into:)` on the full matrix minus its products with exact zeros).
    func apply<A>(_ layer: TransferRecursionEngine<A>.SparseLayer, into output: inout PathVector) where A.Scalar == Scalar {
        for i in output.values.indices { output.values[i].setZero() }
        output.scale = scale
        layer.values.withUnsafeBufferPointer { m in
            values.withUnsafeBufferPointer { v in
                output.values.withUnsafeMutableBufferPointer { out in
                    for index in 0..<layer.rows.count {
                        out[layer.columns[index]].accumulateProduct(v[layer.rows[index]], m[layer.valueIndex[index]])
                    }
                }
            }
        }
        output.renormalize()
    }
}
