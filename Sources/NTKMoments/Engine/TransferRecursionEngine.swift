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

    /// E[a^i b^j] of one layer for every (i, j) with i + j ≤ the space's degree.
    func jointExpectations(previous: Int, width: Int) -> [[Scalar]] {
        let order = space.maximumDegree
        return (0...order).map { i in
            (0...(order - i)).map { j in
                let c = JointLayerMoments.coefficients(forward: i, backward: j, previous: previous, width: width, model: model)
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

    func layerMatrix(previous: Int, width: Int) -> TransferMatrix<Scalar> {
        let e = jointExpectations(previous: previous, width: width)
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
        // As in MomentRecursion: periodic stretches as one period matrix raised to a power,
        // except for Double, which applies layer by layer.
        // Short segments (irregular widths: mostly single layers) reuse one scratch vector
        // instead of allocating fresh scalars per layer.
        var scratch = PathVector(values: start.map { _ in zero })
        for block in architecture.layerBlocks(periodic: !Scalar.needsRescaling) {
            switch block {
            case .segment(let segment) where segment.count <= 8:
                let m = matrix(segment)
                for _ in 0..<segment.count {
                    vector.apply(m, into: &scratch)
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
