/// Samples `Θ(x, x)` of explicitly simulated ReLU networks (derivations/01-model.md, 06-monte-carlo.md): for each
/// sample index it draws Gaussian weight matrices `W^l`, runs the forward pass
/// `h^l = W^l x^{l-1}`, `x^l = ReLU(h^l)` and the backward pass
/// `δ^L = 1`, `δ^l = D^l (W^{l+1})ᵀ δ^{l+1}` with `D^l = diag(1{h^l > 0})` (so
/// `ReLU'(0) = 0`), and returns
///
///     Θ(x, x) = Σ_{l=1..L} (‖x^{l-1}‖² + β) ‖δ^l‖²,   x^0 = x, ‖x^0‖² := inputNorm2.
///
/// Biases are zero at initialisation, so they change no activation; with trainable biases
/// they only contribute the `β = 1` terms. (`‖x^0‖²` is taken to be `inputNorm2` itself rather
/// than recomputed from `x = (√inputNorm2, 0, …)`, so that e.g. `L = 1` gives exactly
/// `inputNorm2 + β`.) No property of the reduced model of derivations/02-reduction.md is used.
///
/// Weights that cannot influence Θ are not drawn. Column `j` of `W^l` multiplies `x^{l-1}_j`
/// in the forward pass and produces `(W^l)ᵀδ^l` at unit `j` in the backward pass; when unit `j`
/// is inactive (`x^{l-1}_j = 0`, equivalently `h^{l-1}_j ≤ 0`, equivalently `D^{l-1}_jj = 0`)
/// both are multiplied by zero, so Θ does not depend on that column. Only the columns of
/// active units (for `l = 1`, the nonzero input coordinate) are drawn, each still
/// `N(0, σ²/n_{l-1})` and independent of everything the earlier layers used, so the law of Θ
/// is exactly that of the full network while about half the Gaussians are saved.
///
/// Reproducibility: the drawn entries of row `i` of `W^l` in network number `s`, in
/// increasing column order, are `σ/√n_{l-1}` times standard normals (ziggurat) from a
/// xoshiro256++ stream keyed by `(seed, s, l, i)` alone (see `StreamKey`). So
/// `theta(sample:)` is a pure function of `(architecture, seed, sample)`, and the backward pass
/// can regenerate a row instead of storing it (the active set of layer `l-1` is kept from the
/// forward pass). Weight matrices are stored only while their worst-case total stays under a
/// memory limit (64 MiB by default); the others are regenerated, only for the rows of active
/// units. Storing or regenerating gives bit-identical results.
///
/// Not thread-safe (it owns scratch buffers): use one sampler per thread.
public final class NetworkThetaSampler {
    /// The simulated network.
    public let architecture: SimulatedArchitecture
    /// The random seed of the run; with the sample index it determines every weight.
    public let seed: UInt64

    /// Default bound on the bytes of weight matrices kept between the forward and the
    /// backward pass by one sampler.
    public static let defaultWeightStorageLimitBytes = 64 << 20

    /// `[n0, n1, …, n_{L-1}, 1]`.
    private let widths: [Int]
    private let depth: Int
    private let beta: Double
    /// `√(σ²/n_{l-1})` at index `l` (index 0 unused).
    private let weightScale: [Double]
    /// For layer `l`, the offset of `W^l` in `storedWeights`, or nil when `W^l` is regenerated
    /// in the backward pass. Room is reserved for the full `n_l × n_{l-1}` matrix (the active
    /// part varies from sample to sample). Only layers 2…L-1 are candidates: `W^1` is not
    /// needed by the backward pass (`δ^0` is not part of Θ), and `W^L`, a single row, is first
    /// needed in the backward pass, so it is drawn there once.
    private let storedWeightOffset: [Int?]
    /// Offset of layer `l`'s entries (l = 0…L-1) in `activeUnits` and `activeValues`.
    private let layerOffset: [Int]

    private let storedWeights: UnsafeMutablePointer<Double>
    /// Indices of the active units of each layer l = 0…L-1, increasing (layer 0: the input's
    /// nonzero coordinate).
    private let activeUnits: UnsafeMutablePointer<Int>
    /// `x^l_j` for the active units `j`, in the same order as `activeUnits`.
    private let activeValues: UnsafeMutablePointer<Double>
    /// Number of active units of each layer l = 0…L-1 (`k_l`).
    private let activeCount: UnsafeMutablePointer<Int>
    /// `‖x^l‖²` for l = 0…L-1.
    private let squaredActivationNorms: UnsafeMutablePointer<Double>
    private let rowScratch: UnsafeMutablePointer<Double>
    /// `δ` restricted to the active units of the layer above / below (compact vectors).
    private let deltaUpper: UnsafeMutablePointer<Double>
    private let deltaLower: UnsafeMutablePointer<Double>
    private let gaussian = ZigguratGaussian.shared

    /// A sampler keeping at most `defaultWeightStorageLimitBytes` of weights.
    public convenience init(architecture: SimulatedArchitecture, seed: UInt64) {
        self.init(
            architecture: architecture, seed: seed,
            weightStorageLimitBytes: Self.defaultWeightStorageLimitBytes)
    }

    /// A sampler keeping at most `weightStorageLimitBytes` of weight matrices between the
    /// forward and backward pass (0 forces every matrix to be regenerated). The limit changes
    /// only speed and memory, never the values returned.
    init(architecture: SimulatedArchitecture, seed: UInt64, weightStorageLimitBytes: Int) {
        self.architecture = architecture
        self.seed = seed
        let widths = architecture.layerWidths
        let depth = architecture.depth
        self.widths = widths
        self.depth = depth
        beta = architecture.beta
        weightScale = [0] + (1...depth).map { (architecture.sigma2 / Double(widths[$0 - 1])).squareRoot() }

        var offsets = [Int?](repeating: nil, count: depth + 1)
        var storedCount = 0
        let storableDoubles = max(0, weightStorageLimitBytes) / MemoryLayout<Double>.stride
        if depth >= 3 {
            for layer in 2...(depth - 1) {
                let size = widths[layer] * widths[layer - 1]
                if storedCount + size <= storableDoubles {
                    offsets[layer] = storedCount
                    storedCount += size
                }
            }
        }
        storedWeightOffset = offsets

        var layerOffsets = [Int](repeating: 0, count: depth)
        var unitTotal = 0
        for layer in 0..<depth {
            layerOffsets[layer] = unitTotal
            unitTotal += widths[layer]
        }
        layerOffset = layerOffsets
        let maximumWidth = widths.max()!

        storedWeights = .allocate(capacity: max(1, storedCount))
        activeUnits = .allocate(capacity: unitTotal)
        activeValues = .allocate(capacity: unitTotal)
        activeCount = .allocate(capacity: depth)
        squaredActivationNorms = .allocate(capacity: depth)
        rowScratch = .allocate(capacity: maximumWidth)
        deltaUpper = .allocate(capacity: maximumWidth)
        deltaLower = .allocate(capacity: maximumWidth)

        // Layer 0 is the fixed input x = (√‖x‖², 0, …, 0): one active coordinate, or none.
        squaredActivationNorms[0] = architecture.inputNorm2
        if architecture.inputNorm2 > 0 {
            activeCount[0] = 1
            activeUnits[0] = 0
            activeValues[0] = architecture.inputNorm2.squareRoot()
        } else {
            activeCount[0] = 0
        }
    }

    deinit {
        storedWeights.deallocate()
        activeUnits.deallocate()
        activeValues.deallocate()
        activeCount.deallocate()
        squaredActivationNorms.deallocate()
        rowScratch.deallocate()
        deltaUpper.deallocate()
        deltaLower.deallocate()
    }

    /// Whether `W^layer` is kept in memory (true) or regenerated in the backward pass.
    func storesWeights(ofLayer layer: Int) -> Bool { storedWeightOffset[layer] != nil }

    /// `Θ(x, x)` of network number `sample` (≥ 0) of this seed: a pure function of
    /// `(architecture, seed, sample)`.
    public func theta(sample: Int) -> Double {
        var meter = DeadlineMeter(.never)
        return theta(sample: sample, meter: &meter)!
    }

    /// `theta(sample:)`, abandoned (nil) as soon as `meter`'s deadline is seen to have passed;
    /// the meter is charged the work of each layer before it starts (checked between layers,
    /// not inside the row loop: a per-row check slowed width-10 networks by a third), so a
    /// sample is abandoned within one layer. An abandoned sample leaves
    /// nothing behind that a later sample reads.
    func theta(sample: Int, meter: inout DeadlineMeter) -> Double? {
        precondition(sample >= 0, "sample indices are non-negative")
        let sampleKey = UInt64(sample)

        // Forward pass through the hidden layers 1…L-1. The output layer's forward value f
        // is not needed: Θ involves only the activations and the backward vectors.
        for layer in 1..<depth {
            let activeInputs = activeCount[layer - 1]
            let inputValues = UnsafePointer(activeValues + layerOffset[layer - 1])
            let outputUnits = activeUnits + layerOffset[layer]
            let outputValues = activeValues + layerOffset[layer]
            let scale = weightScale[layer]
            let layerKey = StreamKey.layerKey(seed: seed, sample: sampleKey, layer: layer)
            let stored = storedWeightOffset[layer].map { storedWeights + $0 }
            if meter.expired(after: widths[layer] * (activeInputs + 16)) { return nil }
            var activeOutputs = 0
            var squaredNorm = 0.0
            for row in 0..<widths[layer] {
                let weights = stored.map { $0 + row * activeInputs } ?? rowScratch
                drawStandardNormalRow(into: weights, count: activeInputs, layerKey: layerKey, row: row)
                let preActivation = scale * dotProduct(UnsafePointer(weights), inputValues, count: activeInputs)
                if preActivation > 0 {
                    outputUnits[activeOutputs] = row
                    outputValues[activeOutputs] = preActivation
                    activeOutputs += 1
                    squaredNorm += preActivation * preActivation
                }
            }
            activeCount[layer] = activeOutputs
            squaredActivationNorms[layer] = squaredNorm
        }

        // Backward pass. δ^L = 1 (one output, no ReLU), so the top term is (‖x^{L-1}‖² + β)·1.
        var theta = squaredActivationNorms[depth - 1] + beta
        var upper = deltaUpper
        var lower = deltaLower
        upper[0] = 1
        for layer in stride(from: depth, through: 2, by: -1) {
            // δ^{layer-1} = D^{layer-1} (W^layer)ᵀ δ^layer on the active units of layer-1 (D is 1
            // there and 0 elsewhere), accumulated over the rows of W^layer where δ^layer ≠ 0:
            // the active units of `layer` (for the output layer, its single unit).
            let activeInputs = activeCount[layer - 1]
            let isOutputLayer = layer == depth
            let rowCount = isOutputLayer ? 1 : activeCount[layer]
            let rowUnits = UnsafePointer(activeUnits + layerOffset[isOutputLayer ? 0 : layer])
            let layerKey = StreamKey.layerKey(seed: seed, sample: sampleKey, layer: layer)
            let stored = storedWeightOffset[layer].map { storedWeights + $0 }
            if meter.expired(after: rowCount * (activeInputs + 16)) { return nil }
            lower.update(repeating: 0, count: activeInputs)
            for position in 0..<rowCount {
                let row = isOutputLayer ? 0 : rowUnits[position]
                let weights: UnsafePointer<Double>
                if let stored {
                    weights = UnsafePointer(stored + row * activeInputs)
                } else {
                    drawStandardNormalRow(into: rowScratch, count: activeInputs, layerKey: layerKey, row: row)
                    weights = UnsafePointer(rowScratch)
                }
                addScaled(weights, times: upper[position], to: lower, count: activeInputs)
            }
            let scale = weightScale[layer]
            var squaredDeltaNorm = 0.0
            for position in 0..<activeInputs {
                let delta = scale * lower[position]
                lower[position] = delta
                squaredDeltaNorm += delta * delta
            }
            theta += (squaredActivationNorms[layer - 2] + beta) * squaredDeltaNorm
            swap(&upper, &lower)
        }
        return theta
    }

    /// Writes `count` standard normals from the stream of row `row` of the layer whose stream
    /// family is `layerKey`.
    @inline(__always)
    private func drawStandardNormalRow(
        into destination: UnsafeMutablePointer<Double>, count: Int, layerKey: UInt64, row: Int
    ) {
        var generator = Xoshiro256PlusPlus(key: StreamKey.child(of: layerKey, index: UInt64(row)))
        gaussian.fill(UnsafeMutableBufferPointer(start: destination, count: count), using: &generator)
    }
}

/// `Σ_j a_j b_j` with four interleaved partial sums, so the additions pipeline (a single
/// accumulator would serialise on the add latency). The summation order is fixed, so the
/// result is deterministic.
@inline(__always)
func dotProduct(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, count: Int) -> Double {
    var sum0 = 0.0, sum1 = 0.0, sum2 = 0.0, sum3 = 0.0
    var index = 0
    while index + 4 <= count {
        sum0 += a[index] * b[index]
        sum1 += a[index + 1] * b[index + 1]
        sum2 += a[index + 2] * b[index + 2]
        sum3 += a[index + 3] * b[index + 3]
        index += 4
    }
    while index < count {
        sum0 += a[index] * b[index]
        index += 1
    }
    return (sum0 + sum1) + (sum2 + sum3)
}

/// `y += c · x` elementwise (independent lanes, so the compiler vectorises it).
@inline(__always)
func addScaled(
    _ x: UnsafePointer<Double>, times c: Double, to y: UnsafeMutablePointer<Double>, count: Int
) {
    for index in 0..<count {
        y[index] += c * x[index]
    }
}
