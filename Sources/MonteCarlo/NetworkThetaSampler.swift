/// Samples `Θ(x, x)` of explicitly simulated ReLU networks (MATH.md §1, §5): for each
/// sample index it draws every Gaussian weight matrix `W^l`, runs the forward pass
/// `h^l = W^l x^{l-1}`, `x^l = ReLU(h^l)` and the backward pass
/// `δ^L = 1`, `δ^{l} = D^{l} (W^{l+1})ᵀ δ^{l+1}` with `D^l = diag(1{h^l > 0})` (so
/// `ReLU'(0) = 0`), and returns
///
///     Θ(x, x) = Σ_{l=1..L} (‖x^{l-1}‖² + β) ‖δ^l‖²,   x^0 = x, ‖x^0‖² := inputNorm2.
///
/// Biases are zero at initialisation, so they change no activation; with trainable biases
/// they only contribute the `β = 1` terms. (`‖x^0‖²` is taken to be `inputNorm2` itself rather
/// than recomputed from `x = (√inputNorm2, 0, …)`, so that e.g. `L = 1` gives exactly
/// `inputNorm2 + β`.)
///
/// Reproducibility: row `i` of `W^l` of network number `s` is `(σ/√n_{l-1})` times a row of
/// standard normals drawn (ziggurat) from a xoshiro256++ stream keyed by
/// `(seed, s, l, i)` alone (see `StreamKey`). So `theta(sample:)` is a pure function of
/// `(architecture, seed, sample)`, and a weight matrix can be regenerated in the backward pass
/// instead of being stored: layers are stored only while their total stays under a memory
/// limit (64 MiB by default), the rest are regenerated. Storing or regenerating gives
/// bit-identical results.
///
/// Not thread-safe (it owns scratch buffers): use one sampler per thread.
public final class NetworkThetaSampler {
    /// The simulated network.
    public let architecture: SimulatedArchitecture
    /// The seed of the run; with the sample index it determines every weight.
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
    /// in the backward pass. Only layers 2…L-1 are candidates: `W^1` is not needed by the
    /// backward pass (`δ^0` is not part of Θ), and `W^L`, a single row, is first needed in the
    /// backward pass, so it is drawn there once.
    private let storedWeightOffset: [Int?]
    /// Offset of `x^l` (l = 1…L-1) in `activations`.
    private let activationOffset: [Int]

    private let input: UnsafeMutablePointer<Double>
    private let storedWeights: UnsafeMutablePointer<Double>
    private let activations: UnsafeMutablePointer<Double>
    private let rowScratch: UnsafeMutablePointer<Double>
    private let deltaUpper: UnsafeMutablePointer<Double>
    private let deltaLower: UnsafeMutablePointer<Double>
    /// `‖x^l‖²` for l = 0…L-1.
    private let squaredActivationNorms: UnsafeMutablePointer<Double>
    private let storedWeightCount: Int
    private let activationCount: Int
    private let maximumWidth: Int
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
        storedWeightCount = storedCount

        var activationOffsets = [Int](repeating: 0, count: depth)
        var activationTotal = 0
        for layer in 1..<depth {
            activationOffsets[layer] = activationTotal
            activationTotal += widths[layer]
        }
        activationOffset = activationOffsets
        activationCount = activationTotal
        maximumWidth = widths.max()!

        input = .allocate(capacity: widths[0])
        input.initialize(repeating: 0, count: widths[0])
        input[0] = architecture.inputNorm2.squareRoot()
        storedWeights = .allocate(capacity: max(1, storedCount))
        activations = .allocate(capacity: max(1, activationTotal))
        rowScratch = .allocate(capacity: maximumWidth)
        deltaUpper = .allocate(capacity: maximumWidth)
        deltaLower = .allocate(capacity: maximumWidth)
        squaredActivationNorms = .allocate(capacity: depth)
    }

    deinit {
        input.deallocate()
        storedWeights.deallocate()
        activations.deallocate()
        rowScratch.deallocate()
        deltaUpper.deallocate()
        deltaLower.deallocate()
        squaredActivationNorms.deallocate()
    }

    /// Whether `W^layer` is kept in memory (true) or regenerated in the backward pass.
    func storesWeights(ofLayer layer: Int) -> Bool { storedWeightOffset[layer] != nil }

    /// `Θ(x, x)` of network number `sample` (≥ 0) of this seed: a pure function of
    /// `(architecture, seed, sample)`.
    public func theta(sample: Int) -> Double {
        precondition(sample >= 0, "sample indices are non-negative")
        let sampleKey = UInt64(sample)

        // Forward pass through the hidden layers 1…L-1. The output layer's forward value f
        // is not needed: Θ involves only the activations and the backward vectors.
        squaredActivationNorms[0] = architecture.inputNorm2
        var previous = UnsafePointer(input)
        for layer in 1..<depth {
            let fanIn = widths[layer - 1]
            let fanOut = widths[layer]
            let scale = weightScale[layer]
            let layerKey = StreamKey.layerKey(seed: seed, sample: sampleKey, layer: layer)
            let output = activations + activationOffset[layer]
            let stored = storedWeightOffset[layer].map { storedWeights + $0 }
            var squaredNorm = 0.0
            for row in 0..<fanOut {
                let weights = stored.map { $0 + row * fanIn } ?? rowScratch
                drawStandardNormalRow(into: weights, count: fanIn, layerKey: layerKey, row: row)
                let preActivation = scale * dotProduct(UnsafePointer(weights), previous, count: fanIn)
                let activation = preActivation > 0 ? preActivation : 0
                output[row] = activation
                squaredNorm += activation * activation
            }
            squaredActivationNorms[layer] = squaredNorm
            previous = UnsafePointer(output)
        }

        // Backward pass. δ^L = 1 (one output), so the top term is (‖x^{L-1}‖² + β)·1.
        var theta = squaredActivationNorms[depth - 1] + beta
        var upper = deltaUpper
        var lower = deltaLower
        upper[0] = 1
        for layer in stride(from: depth, through: 2, by: -1) {
            // δ^{layer-1} = D^{layer-1} (W^layer)ᵀ δ^layer, accumulated row by row of W^layer.
            let fanIn = widths[layer - 1]
            let fanOut = widths[layer]
            let layerKey = StreamKey.layerKey(seed: seed, sample: sampleKey, layer: layer)
            let stored = storedWeightOffset[layer].map { storedWeights + $0 }
            lower.update(repeating: 0, count: fanIn)
            for row in 0..<fanOut {
                let coefficient = upper[row]
                // Inactive units have δ = 0 and contribute nothing; skipping them also skips
                // regenerating their rows, which is possible because every row has its own stream.
                if coefficient == 0 { continue }
                let weights: UnsafePointer<Double>
                if let stored {
                    weights = UnsafePointer(stored + row * fanIn)
                } else {
                    drawStandardNormalRow(into: rowScratch, count: fanIn, layerKey: layerKey, row: row)
                    weights = UnsafePointer(rowScratch)
                }
                addScaled(weights, times: coefficient, to: lower, count: fanIn)
            }
            let scale = weightScale[layer]
            let mask = UnsafePointer(activations + activationOffset[layer - 1])
            var squaredDeltaNorm = 0.0
            for unit in 0..<fanIn {
                let delta = mask[unit] > 0 ? scale * lower[unit] : 0
                lower[unit] = delta
                squaredDeltaNorm += delta * delta
            }
            theta += (squaredActivationNorms[layer - 2] + beta) * squaredDeltaNorm
            swap(&upper, &lower)
        }
        return theta
    }

    /// Writes the standard normals of row `row` of the layer whose stream family is `layerKey`.
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
