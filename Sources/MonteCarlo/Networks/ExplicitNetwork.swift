/// An explicit fully connected ReLU network with every weight stored: the one network type the
/// simulated commands that need several inputs, gradients or parameter updates share
/// (derivations/01-model.md, derivations/10-off-diagonal-simulation.md).
///
/// Model: widths `n0, n1, …, n_{L-1}` and one output,
///
///     h^l = W^l x^{l-1} + b^l,   x^l = ReLU(h^l)  (l < L),   f(x) = h^L,   x^0 = x,
///
/// with `ReLU'(0) = 0`. At initialisation `W^l_ij ~ N(0, σ²/n_{l-1})` and `b^l = 0`; the biases
/// are parameters only when `trainableBiases` (otherwise they stay 0 and carry no gradient).
///
/// Reproducibility: row `i` of `W^l` of network number `sample` is `σ/√n_{l-1}` times the first
/// `n_{l-1}` standard normals (ziggurat) of the xoshiro256++ stream keyed by
/// `(seed, sample, l, i)` (`StreamKey.weightRow`), so a freshly initialised network is a pure
/// function of `(architecture, seed, sample)`. (`NetworkThetaSampler` uses the same streams but
/// draws only the columns of active units, so the two agree in law, not sample by sample.)
///
/// Parameter layout (`parameters`, `gradient`, `update`): layer by layer, for `l = 1…L`, first
/// `W^l` row-major (`W^l_ij` at `weightOffset(l) + i·n_{l-1} + j`), then `b^l` (only with
/// trainable biases, at `biasOffset(l)! + i`).
///
/// The network is a value: copies are independent (copy-on-write storage).
public struct ExplicitNetwork: Sendable, Hashable {
    /// `[n0, n1, …, n_{L-1}, 1]`.
    public let layerWidths: [Int]
    /// `σ²` of the initialisation.
    public let sigma2: Double
    /// Whether the biases are parameters (`β = 1` in the NTK) or fixed at 0 (`β = 0`).
    public let trainableBiases: Bool
    /// All parameters in the layout of the type's documentation.
    public var parameters: [Double]
    /// Offsets of `W^l` and `b^l` (index `l`, 1…L; index 0 unused).
    private let weightOffsets: [Int]
    private let biasOffsets: [Int?]

    /// `L`, the number of weight layers.
    public var depth: Int { layerWidths.count - 1 }

    /// `β`: 1 with trainable biases, 0 without.
    public var beta: Double { trainableBiases ? 1 : 0 }

    /// Number of parameters `Σ_l n_l n_{l-1}` (+ `Σ_l n_l` with trainable biases).
    public var parameterCount: Int { parameters.count }

    /// Offset of `W^layer` (1…L) in the parameter vector.
    public func weightOffset(_ layer: Int) -> Int { weightOffsets[layer] }

    /// Offset of `b^layer` (1…L) in the parameter vector, or nil when biases are not trainable.
    public func biasOffset(_ layer: Int) -> Int? { biasOffsets[layer] }

    /// The bias of unit `unit` of layer `layer`: the stored parameter, or 0 when not trainable.
    @inline(__always)
    public func bias(layer: Int, unit: Int) -> Double {
        biasOffsets[layer].map { parameters[$0 + unit] } ?? 0
    }

    /// Network number `sample` of run `seed`, freshly initialised (see the type's documentation).
    /// Throws `ExplicitNetwork.InvalidArchitecture` unless `inputDimension ≥ 1`, every hidden
    /// width ≥ 1 and `sigma2` finite and ≥ 0.
    public init(inputDimension: Int, hiddenWidths: [Int], sigma2: Double, trainableBiases: Bool = true,
                seed: UInt64, sample: Int) throws {
        guard sample >= 0 else { throw InvalidArchitecture(description: "sample indices are non-negative") }
        try self.init(zeroedInputDimension: inputDimension, hiddenWidths: hiddenWidths, sigma2: sigma2, trainableBiases: trainableBiases)
        reinitialize(seed: seed, sample: sample)
    }

    /// The network `architecture` describes with every parameter 0, to be drawn by
    /// `reinitialize` (which the samplers meter against their deadline).
    init(zeroed architecture: SimulatedArchitecture) throws {
        try self.init(zeroedInputDimension: architecture.inputDimension, hiddenWidths: architecture.hiddenWidths,
                      sigma2: architecture.sigma2, trainableBiases: architecture.trainableBiases)
    }

    private init(zeroedInputDimension inputDimension: Int, hiddenWidths: [Int], sigma2: Double, trainableBiases: Bool) throws {
        guard inputDimension >= 1, hiddenWidths.allSatisfy({ $0 >= 1 }) else {
            throw InvalidArchitecture(description: "widths must be at least 1")
        }
        guard sigma2.isFinite, sigma2 >= 0 else { throw InvalidArchitecture(description: "σ² must be finite and non-negative") }
        let widths = [inputDimension] + hiddenWidths + [1]
        let depth = widths.count - 1
        var weightOffsets = [0], biasOffsets: [Int?] = [nil]
        var total = 0
        for layer in 1...depth {
            let (size, overflow) = widths[layer].multipliedReportingOverflow(by: widths[layer - 1])
            guard !overflow, total <= (1 << 40) - size else { throw InvalidArchitecture(description: "too many parameters") }
            weightOffsets.append(total)
            total += size
            if trainableBiases {
                biasOffsets.append(total)
                total += widths[layer]
            } else {
                biasOffsets.append(nil)
            }
        }
        layerWidths = widths
        self.sigma2 = sigma2
        self.trainableBiases = trainableBiases
        self.weightOffsets = weightOffsets
        self.biasOffsets = biasOffsets
        parameters = [Double](repeating: 0, count: total)
    }

    /// Overwrites every parameter with those of network number `sample` of run `seed`, freshly
    /// initialised, in place (no allocation when the storage is not shared): the result equals
    /// `ExplicitNetwork(…, seed: seed, sample: sample)`. Precondition: `sample ≥ 0`.
    public mutating func reinitialize(seed: UInt64, sample: Int) {
        var meter = DeadlineMeter(.never)
        _ = reinitialize(seed: seed, sample: sample, meter: &meter)
    }

    /// `reinitialize(seed:sample:)`, abandoned (false, the parameters left partly drawn) once
    /// `meter`'s deadline is seen to have passed; the meter is charged layer by layer.
    mutating func reinitialize(seed: UInt64, sample: Int, meter: inout DeadlineMeter) -> Bool {
        precondition(sample >= 0, "sample indices are non-negative")
        let widths = layerWidths, offsets = weightOffsets, biases = biasOffsets, sigma2 = sigma2
        let gaussian = ZigguratGaussian.shared
        return parameters.withUnsafeMutableBufferPointer { p in
            for layer in 1...(widths.count - 1) {
                let fanIn = widths[layer - 1]
                let scale = (sigma2 / Double(fanIn)).squareRoot()
                let layerKey = StreamKey.layerKey(seed: seed, sample: UInt64(sample), layer: layer)
                if meter.expired(after: widths[layer] * (fanIn + 16)) { return false }
                for row in 0..<widths[layer] {
                    let start = p.baseAddress! + offsets[layer] + row * fanIn
                    var generator = Xoshiro256PlusPlus(key: StreamKey.child(of: layerKey, index: UInt64(row)))
                    gaussian.fill(UnsafeMutableBufferPointer(start: start, count: fanIn), using: &generator)
                    for j in 0..<fanIn { start[j] *= scale }
                }
                if let b = biases[layer] { (p.baseAddress! + b).update(repeating: 0, count: widths[layer]) }
            }
            return true
        }
    }

    /// The network `architecture` describes (its `inputNorm2` plays no role here).
    public init(architecture: SimulatedArchitecture, seed: UInt64, sample: Int) throws {
        try self.init(inputDimension: architecture.inputDimension, hiddenWidths: architecture.hiddenWidths,
                      sigma2: architecture.sigma2, trainableBiases: architecture.trainableBiases, seed: seed, sample: sample)
    }

    /// A rejected architecture or parameter vector, with a one-line description.
    public struct InvalidArchitecture: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    // MARK: Updates

    /// `θ ← θ + t·v` for a direction `v` in the parameter layout. Throws unless
    /// `v.count == parameterCount`.
    public mutating func update(along direction: [Double], step t: Double) throws {
        guard direction.count == parameters.count else {
            throw InvalidArchitecture(description: "a direction needs \(parameters.count) entries, not \(direction.count)")
        }
        parameters.withUnsafeMutableBufferPointer { p in
            direction.withUnsafeBufferPointer { v in
                for k in 0..<p.count { p[k] += t * v[k] }
            }
        }
    }

    /// A copy updated by `θ + t·v`; see `update(along:step:)`.
    public func updated(along direction: [Double], step t: Double) throws -> ExplicitNetwork {
        var copy = self
        try copy.update(along: direction, step: t)
        return copy
    }

    // MARK: Evaluation

    /// One forward and backward pass over `inputs` (each of length `n0`): outputs, activations,
    /// backward vectors and from them the NTK, gradients and loss gradients. Throws on inputs of
    /// the wrong dimension or an empty batch.
    public func pass(_ inputs: [[Double]]) throws -> NetworkPass {
        let pass = NetworkPass(layerWidths: layerWidths, batchCapacity: max(1, inputs.count))
        try pass.compute(self, inputs: inputs)
        return pass
    }

    /// `f(x_a)` for every input (forward pass only).
    public func outputs(_ inputs: [[Double]]) throws -> [Double] {
        let pass = NetworkPass(layerWidths: layerWidths, batchCapacity: max(1, inputs.count))
        try pass.load(inputs)
        pass.forward(self)
        return (0..<inputs.count).map(pass.output)
    }

    /// `L(θ) = Σ_a ½(f(x_a) − y_a)²` over a batch.
    public func loss(inputs: [[Double]], targets: [Double]) throws -> Double {
        guard targets.count == inputs.count else { throw InvalidArchitecture(description: "one target per input is needed") }
        return zip(try outputs(inputs), targets).reduce(0) { $0 + 0.5 * ($1.0 - $1.1) * ($1.0 - $1.1) }
    }

    /// `∇_θ L = Σ_a (f(x_a) − y_a) ∇_θ f(x_a)` in the parameter layout.
    public func lossGradient(inputs: [[Double]], targets: [Double]) throws -> [Double] {
        guard targets.count == inputs.count else { throw InvalidArchitecture(description: "one target per input is needed") }
        let p = try pass(inputs)
        return p.gradient(self, weights: (0..<inputs.count).map { p.output($0) - targets[$0] })
    }
}
