import Multiprecision

/// A scalar times a power of two. For every arithmetic except `Double` the scale is 0.
public struct ScaledScalar<Scalar: MomentScalar>: Sendable {
    public var mantissa: Scalar
    public var binaryScale: Int
    public init(_ mantissa: Scalar, binaryScale: Int = 0) {
        self.mantissa = mantissa
        self.binaryScale = binaryScale
    }
}

/// E[Θ] and E[Θ²] of the NTK diagonal, in one arithmetic.
public struct RawMoments<Scalar: MomentScalar>: Sendable {
    /// E[Θ].
    public var mean: ScaledScalar<Scalar>
    /// E[Θ²].
    public var secondMoment: ScaledScalar<Scalar>
    /// P(some hidden layer has no active unit) in a real network; then Θ = β exactly.
    /// (Reported for both models; only the exact model adds the dead-network term.)
    public var probabilityDead: Scalar
    /// True when E[Θ] is exactly 0 (no biases and ‖x‖² = 0): the dispersion is undefined.
    public var meanIsZero: Bool
}

/// The transfer-matrix recursion of derivations/03-recursion.md, written once for every arithmetic.
///
/// Θ(x,x) = Σ_l (X_{l−1} + β)·Δ_l unrolls into products with one factor per hidden layer,
/// chosen by a path through the states of `PathState`. On the event that every hidden layer
/// is alive the layers are independent, so E[Θ] is a product of 4×4 per-layer matrices of
/// expectations and E[Θ²] a product of 10×10 matrices over unordered pairs of states.
/// A dead layer makes Θ = β exactly, which adds P(dead)·β^p.
///
/// Cost: O(1) matrix-vector products per segment of the architecture plus O(log r) matrix
/// products for a run of r equal widths, i.e. O(log L) for constant width, O(L) in general.
public struct MomentRecursion<Arithmetic: MomentArithmetic>: Sendable {
    public typealias Scalar = Arithmetic.Scalar
    public let arithmetic: Arithmetic
    public let model: MomentModel

    public init(arithmetic: Arithmetic, model: MomentModel = .exact) {
        self.arithmetic = arithmetic
        self.model = model
    }

    /// Runs up to this many equal layers are applied one by one (cheaper than building and
    /// squaring their matrices).
    static var shortRun: Int { 8 }

    /// At most this many width pairs' expectations are kept at once (6 scalars each).
    static var cachedWidthPairs: Int { 1 << 14 }

    static var meanPattern: TransferPattern { Patterns.mean }
    static var pairPattern: TransferPattern { Patterns.pair }

    /// The per-layer transfer matrices for one (n_{j−1}, n_j).
    struct LayerMatrices {
        var mean: TransferMatrix<Scalar>
        var pair: TransferMatrix<Scalar>
    }

    func layerMatrices(previous: Int, width: Int) -> LayerMatrices {
        let moments = LayerMoments(previous: previous, width: width, model: model, arithmetic: arithmetic)
        let zero = arithmetic.zero
        let transitions = model.transitions
        var factor: [Int: PathFactor] = [:]
        for t in transitions { factor[t.from.rawValue * 4 + t.to.rawValue] = t.factor }

        let meanPattern = Patterns.mean
        var meanValues = Array(repeating: zero, count: meanPattern.entries.count)
        for (index, entry) in meanPattern.entries.enumerated() {
            if let f = factor[entry.row * 4 + entry.column] { meanValues[index] = moments.expectation(f) }
        }

        let pairPattern = Patterns.pair
        var pairValues = Array(repeating: zero, count: pairPattern.entries.count)
        for (index, entry) in pairPattern.entries.enumerated() {
            let source = PairState.all[entry.row], target = PairState.all[entry.column]
            // Σ over the ordered representatives of the source pair, into the target's
            // fixed representative (first, second).
            var value: Scalar? = nil
            for (s, s2) in source.orderings {
                guard let f = factor[s.rawValue * 4 + target.first.rawValue],
                      let g = factor[s2.rawValue * 4 + target.second.rawValue] else { continue }
                let e = moments.expectation(f, g)
                value = value.map { $0 + e } ?? e
            }
            if let value { pairValues[index] = value }
        }
        return LayerMatrices(mean: TransferMatrix(pattern: meanPattern, values: meanValues),
                             pair: TransferMatrix(pattern: pairPattern, values: pairValues))
    }

    /// Top weights: Σ_s v_s·top_s gives E[Θ; alive]; Σ_P w_P·pairTop_P gives E[Θ²; alive].
    func topWeights(lastHiddenWidth: Int, hasHiddenLayers: Bool) -> (mean: [Scalar], pair: [Scalar]) {
        let one = arithmetic.constant(1)
        let top = hasHiddenLayers ? TopMoments(lastHiddenWidth: lastHiddenWidth, arithmetic: arithmetic) : nil
        let mean = PathState.allCases.map { $0 == .injected ? (top?.z ?? arithmetic.zero) : one }
        let pair: [Scalar] = PairState.all.map { p in
            let e: Scalar
            switch (p.first == .injected, p.second == .injected) {
            case (false, false): e = one
            case (true, true): e = top?.zz ?? arithmetic.zero
            default: e = top?.z ?? arithmetic.zero
            }
            return p.orderings.count == 2 ? e + e : e
        }
        return (mean, pair)
    }

    /// Start weights: X₀ on the weight prefix, β on the bias prefix.
    func startVectors(beta: Int) -> (mean: PathVector<Scalar>, pair: PathVector<Scalar>) {
        let x = arithmetic.inputNorm2
        let b = arithmetic.constant(BigRational(beta))
        let zero = arithmetic.zero
        let mean = PathState.allCases.map { s -> Scalar in
            switch s { case .prefixWeight: return x; case .prefixBias: return b; default: return zero }
        }
        let pair = PairState.all.map { p -> Scalar in
            guard p.first.rawValue <= PathState.prefixBias.rawValue,
                  p.second.rawValue <= PathState.prefixBias.rawValue else { return zero }
            return mean[p.first.rawValue] * mean[p.second.rawValue]
        }
        return (PathVector(values: mean), PathVector(values: pair))
    }

    /// E[Θ] and E[Θ²] for the architecture (σ² and ‖x‖² are the arithmetic's).
    public func moments(of architecture: Architecture) -> RawMoments<Scalar> {
        let zero = arithmetic.zero
        let beta = architecture.beta
        let betaScalar = arithmetic.constant(BigRational(beta))
        let depth = architecture.depth

        if architecture.inputNorm2.isZero && depth >= 2 {
            // ReLU'(0) = 0: the first hidden layer is dead with probability 1, Θ = β.
            return RawMoments(mean: ScaledScalar(betaScalar), secondMoment: ScaledScalar(betaScalar * betaScalar),
                              probabilityDead: arithmetic.constant(1), meanIsZero: beta == 0)
        }

        var (meanVector, pairVector) = startVectors(beta: beta)
        // Double buffers: single layers are applied in place, without allocating.
        var meanScratch = PathVector(values: meanVector.values.map { _ in zero }, scale: 0)
        var pairScratch = PathVector(values: pairVector.values.map { _ in zero }, scale: 0)
        var partialSum = zero
        let meanOperator = model == .exact ? FactoredLayerOperator.exactMean : FactoredLayerOperator.giMean
        let pairOperator = model == .exact ? FactoredLayerOperator.exactPair : FactoredLayerOperator.giPair
        /// One layer through the factored operators.
        func applyLayer(_ expectations: [Scalar]) {
            meanVector.apply(meanOperator, expectations: expectations, into: &meanScratch, scratch: &partialSum)
            swap(&meanVector, &meanScratch)
            pairVector.apply(pairOperator, expectations: expectations, into: &pairScratch, scratch: &partialSum)
            swap(&pairVector, &pairScratch)
        }
        // Short segments (single layers, runs up to `shortRun`) are collected and applied in
        // batches: each distinct (n_{j−1}, n_j) pair's expectations are built once per run (a
        // random width sequence from 60…140 has at most 81² pairs however deep it is), then one
        // step per layer — through the type's raw fast path where it has one (MPFR, Double),
        // else layer by layer through the factored operator.
        var pairIndex = WidthPairIndex()
        var sets: [[Scalar]] = []
        var steps: [Int] = []
        func flush() {
            guard !steps.isEmpty else { return }
            defer { steps.removeAll(keepingCapacity: true) }
            // Move the vectors out so that the fast path owns their storage uniquely.
            var vectors = [meanVector.values, pairVector.values], buffers = [meanScratch.values, pairScratch.values]
            meanVector.values = []; pairVector.values = []; meanScratch.values = []; pairScratch.values = []
            let plans = [meanOperator.plan, pairOperator.plan]
            var done: Bool
            if Scalar.needsRescaling {
                var scales = [meanVector.scale, pairVector.scale]
                done = Scalar.applyRescaledSequence(plans: plans, coefficientSets: sets, steps: steps, vectors: &vectors, scales: &scales)
                (meanVector.scale, pairVector.scale) = (scales[0], scales[1])
            } else {
                done = Scalar.applySequence(plans: plans, coefficientSets: sets, steps: steps,
                                            vectors: &vectors, buffers: &buffers, scratch: &partialSum)
            }
            (meanVector.values, pairVector.values, meanScratch.values, pairScratch.values) = (vectors[0], vectors[1], buffers[0], buffers[1])
            if done { return }
            for step in steps { applyLayer(sets[step]) }
        }
        func expectationIndex(_ segment: LayerBlock.Segment) -> Int {
            if pairIndex.count == Self.cachedWidthPairs {
                // Bounded memory for sequences with very many distinct pairs: start afresh
                // when the table is full and this pair is new.
                if pairIndex.existingNumber(segment.previous, segment.width) == nil {
                    flush()
                    sets.removeAll(keepingCapacity: true)
                    pairIndex.removeAll()
                }
            }
            let (index, inserted) = pairIndex.number(segment.previous, segment.width)
            if inserted {
                sets.append(LayerMoments(previous: segment.previous, width: segment.width, model: model, arithmetic: arithmetic).values)
            }
            return index
        }
        func apply(_ block: LayerBlock) {
            switch block {
            case .periodic(let period, let repeats):
                flush()
                // The period's product, then repeated squaring: O(P + log r) matrix products.
                var product: LayerMatrices? = nil
                for part in period {
                    var m = layerMatrices(previous: part.previous, width: part.width)
                    if part.count > 1 {
                        m = LayerMatrices(mean: m.mean.power(part.count, zero: zero), pair: m.pair.power(part.count, zero: zero))
                    }
                    product = product.map {
                        LayerMatrices(mean: $0.mean.multiplied(by: m.mean, zero: zero), pair: $0.pair.multiplied(by: m.pair, zero: zero))
                    } ?? m
                }
                meanVector = meanVector.applying(product!.mean, power: repeats, zero: zero)
                pairVector = pairVector.applying(product!.pair, power: repeats, zero: zero)
            case .segment(let segment) where segment.count > Self.shortRun:
                flush()
                // A long run of equal layers: repeated squaring of the layer's transfer matrices.
                let matrices = layerMatrices(previous: segment.previous, width: segment.width)
                meanVector = meanVector.applying(matrices.mean, power: segment.count, zero: zero)
                pairVector = pairVector.applying(matrices.pair, power: segment.count, zero: zero)
            case .segment(let segment):
                let index = expectationIndex(segment)
                for _ in 0..<segment.count { steps.append(index) }
                if steps.count >= 1 << 16 { flush() }
            }
        }
        if Scalar.needsRescaling {
            // Double applies layer by layer (see `layerBlocks(periodic:)`); a random width
            // sequence has a segment per layer, so they are not collected into an array first.
            architecture.forEachLayerSegment { apply(.segment($0)) }
        } else {
            for block in architecture.layerBlocks(periodic: true) { apply(block) }
        }
        flush()

        let top = topWeights(lastHiddenWidth: architecture.lastHiddenWidth, hasHiddenLayers: depth >= 2)
        let meanAlive = meanVector.dot(top.mean, zero: zero)
        let secondAlive = pairVector.dot(top.pair, zero: zero)
        let pDead = depth >= 2 ? arithmetic.probabilityOfDeadLayer(hiddenRuns: architecture.hiddenWidthTotals) : zero
        // The GI model has no dead-network term (see LayerMoments): its patterns already
        // include the dead ones.
        let deadWeight = model == .exact ? pDead * betaScalar : zero

        return RawMoments(
            mean: Self.adding(meanAlive, deadWeight),
            secondMoment: Self.adding(secondAlive, deadWeight * betaScalar),
            probabilityDead: pDead,
            meanIsZero: beta == 0 && architecture.inputNorm2.isZero)
    }

    /// (m·2^s) + d, kept as a mantissa and a scale.
    static func adding(_ scaled: (value: Scalar, scale: Int), _ d: Scalar) -> ScaledScalar<Scalar> {
        if scaled.scale == 0 { return ScaledScalar(scaled.value + d) }
        // Rescaling d by 2^{−scale} overflows when the scaled part is far below d (e.g. a
        // network that is dead with probability 1 − 2^{−10⁹}); then d alone is the sum, and
        // conversely d is negligible far below the scaled part.
        guard let dExponent = d.rescalingExponent else { return ScaledScalar(scaled.value, binaryScale: scaled.scale) }
        guard let valueExponent = scaled.value.rescalingExponent else { return ScaledScalar(d) }
        if dExponent > valueExponent + scaled.scale + 1100 { return ScaledScalar(d) }
        if valueExponent + scaled.scale > dExponent + 1100 { return ScaledScalar(scaled.value, binaryScale: scaled.scale) }
        return ScaledScalar(scaled.value + d.rescaled(byPowerOfTwo: -scaled.scale), binaryScale: scaled.scale)
    }

    /// Each layer's contribution E[(X_{l−1} + β)·Δ_l] to E[Θ], for l = 1 … L; they sum to
    /// E[Θ] (the dead-network term belongs to layer L, where Θ = β·Δ_L). O(L) time and memory;
    /// no rescaling, so in `Double` very deep chaotic networks may overflow.
    public func layerContributions(of architecture: Architecture) -> [Scalar] {
        let zero = arithmetic.zero
        let depth = architecture.depth
        let beta = arithmetic.constant(BigRational(architecture.beta))
        if architecture.inputNorm2.isZero && depth >= 2 {
            return Array(repeating: zero, count: depth - 1) + [beta]
        }
        // Per-layer mean matrices, shared between layers with the same (n_{j−1}, n_j).
        var layers: [LayerMatrices] = []
        layers.reserveCapacity(depth - 1)
        var cache: [WidthPair: LayerMatrices] = [:]
        for segment in architecture.layerSegments {
            let key = WidthPair(previous: segment.previous, width: segment.width)
            let m = cache[key] ?? layerMatrices(previous: segment.previous, width: segment.width)
            cache[key] = m
            for _ in 0..<segment.count { layers.append(m) }
        }
        let P = PathState.self
        func entry(_ m: TransferMatrix<Scalar>, _ from: PathState, _ to: PathState) -> Scalar {
            let p = m.pattern.position[from.rawValue * 4 + to.rawValue]
            return p >= 0 ? m.values[p] : zero
        }
        let top = topWeights(lastHiddenWidth: architecture.lastHiddenWidth, hasHiddenLayers: depth >= 2)
        // suffix[j] = (B, U): expected product of layers j+1 … L−1 and the top, starting in B or U.
        var suffix = Array(repeating: (zero, zero), count: depth)
        suffix[depth - 1] = (top.mean[P.backward.rawValue], top.mean[P.injected.rawValue])
        if depth >= 2 {
            for j in stride(from: depth - 2, through: 0, by: -1) {
                let m = layers[j].mean  // layer j+1
                let (sb, su) = suffix[j + 1]
                suffix[j] = (entry(m, .backward, .backward) * sb + entry(m, .backward, .injected) * su,
                             entry(m, .injected, .injected) * su)
            }
        }
        var contributions: [Scalar] = []
        contributions.reserveCapacity(depth)
        var prefix = (arithmetic.inputNorm2, beta)  // (PW, PB) after layers 1 … l−1
        for l in 1..<depth {
            let m = layers[l - 1].mean
            let (sb, su) = suffix[l]
            let fromWeight = entry(m, .prefixWeight, .backward) * sb + entry(m, .prefixWeight, .injected) * su
            let fromBias = entry(m, .prefixBias, .backward) * sb + entry(m, .prefixBias, .injected) * su
            contributions.append(prefix.0 * fromWeight + prefix.1 * fromBias)
            prefix = (prefix.0 * entry(m, .prefixWeight, .prefixWeight), prefix.1 * entry(m, .prefixBias, .prefixBias))
        }
        let pDead = depth >= 2 && model == .exact ? arithmetic.probabilityOfDeadLayer(hiddenRuns: architecture.hiddenWidthTotals) : zero
        contributions.append(prefix.0 + prefix.1 + pDead * beta)
        return contributions
    }
}

/// (n_{j−1}, n_j): the key of the per-layer matrix cache.
struct WidthPair: Hashable {
    let previous: Int
    let width: Int
}

/// The sparsity patterns of the mean (4 states) and pair (10 states) transfer matrices,
/// shared by both models (the GI model simply leaves the injection entries at zero).
enum Patterns {
    static let mean: TransferPattern = {
        let edges = MomentModel.exact.transitions.map { [$0.from.rawValue, $0.to.rawValue] }
        return TransferPattern(size: 4, oneStep: Set(edges))
    }()

    static let pair: TransferPattern = {
        var edges = Set<[Int]>()
        let transitions = MomentModel.exact.transitions
        for (i, source) in PairState.all.enumerated() {
            for t1 in transitions where t1.from == source.first {
                for t2 in transitions where t2.from == source.second {
                    edges.insert([i, PairState.all.firstIndex(of: PairState(t1.to, t2.to))!])
                }
            }
        }
        return TransferPattern(size: PairState.all.count, oneStep: edges)
    }()
}
