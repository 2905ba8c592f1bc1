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

/// The stored forward and backward pass of an `ExplicitNetwork` over a batch of `B` inputs:
/// activations `x^l_a` (l = 0…L−1), outputs `f(x_a)`, and backward vectors `δ^l_a = ∂f(x_a)/∂h^l`
/// (l = 1…L, `δ^L = 1`, `δ^l = D^l (W^{l+1})ᵀ δ^{l+1}` with `D^l = diag(1{h^l > 0})`).
///
/// Storage is unit-major with the batch innermost (`x^l[j][a]`), so both passes are
/// matrix–matrix products whose inner loop runs over the batch with one weight in a register
/// and the weight row in cache. A pass can be reused for many networks of the same widths
/// (no allocation per network); it is a reference type, not thread-safe: one per thread.
public final class NetworkPass {
    public let layerWidths: [Int]
    /// Inputs the buffers hold room for.
    public let batchCapacity: Int
    /// Inputs of the last `compute`.
    public private(set) var batchSize = 0
    /// `β` of the network of the last pass.
    public private(set) var beta = 0.0
    private let depth: Int
    /// The row length of every buffer: `batchCapacity` rounded up to whole SIMD vectors. The
    /// padding columns hold input 0 (so finite values) and backward vectors 0; nothing reads them.
    private let columns: Int
    /// Offsets (in units·columns) of layer l's activations (l = 0…L−1) and of δ^l (l = 1…L).
    private let unitOffsets: [Int]
    private let activations: UnsafeMutablePointer<Double>
    private let deltas: UnsafeMutablePointer<Double>
    /// `f(x_a)` (the output layer's pre-activations), `columns` of them.
    private let outputs: UnsafeMutablePointer<Double>

    public init(layerWidths: [Int], batchCapacity: Int) {
        precondition(layerWidths.count >= 2 && layerWidths.allSatisfy { $0 >= 1 } && layerWidths.last == 1, "widths n0…n_{L-1}, 1")
        precondition(batchCapacity >= 1, "room for at least one input")
        self.layerWidths = layerWidths
        self.batchCapacity = batchCapacity
        depth = layerWidths.count - 1
        columns = (batchCapacity + BatchVector.scalarCount - 1) / BatchVector.scalarCount * BatchVector.scalarCount
        var offsets = [0]
        for w in layerWidths { offsets.append(offsets.last! + w) }
        unitOffsets = offsets
        activations = .allocate(capacity: offsets.last! * columns)
        activations.initialize(repeating: 0, count: offsets.last! * columns)
        deltas = .allocate(capacity: offsets.last! * columns)
        deltas.initialize(repeating: 0, count: offsets.last! * columns)
        outputs = .allocate(capacity: columns)
        outputs.initialize(repeating: 0, count: columns)
    }

    deinit {
        activations.deallocate()
        deltas.deallocate()
        outputs.deallocate()
    }

    /// `x^layer` (layer 0…L−1) as `n_layer × columns`, batch innermost.
    @inline(__always) private func x(_ layer: Int) -> UnsafeMutablePointer<Double> { activations + unitOffsets[layer] * columns }
    /// `δ^layer` (1…L) as `n_layer × columns`.
    @inline(__always) private func delta(_ layer: Int) -> UnsafeMutablePointer<Double> { deltas + unitOffsets[layer] * columns }
    /// `x^layer` (0…L−1), read-only: unit-major, unit `j` of input `a` at `j·unitStride + a`.
    public func activations(layer: Int) -> UnsafePointer<Double> { UnsafePointer(x(layer)) }
    /// `δ^layer` (1…L), read-only, same layout.
    public func backwardVectors(layer: Int) -> UnsafePointer<Double> { UnsafePointer(delta(layer)) }
    /// Distance between consecutive units in `activations(layer:)` and `backwardVectors(layer:)`.
    public var unitStride: Int { columns }

    /// Forward and backward pass of `network` over `inputs`.
    public func compute(_ network: ExplicitNetwork, inputs: [[Double]]) throws {
        try load(inputs)
        forward(network)
        backward(network)
    }

    /// Forward and backward pass over inputs already written with `setInput` (`batch` of them).
    public func compute(_ network: ExplicitNetwork, batch: Int) {
        var meter = DeadlineMeter(.never)
        _ = compute(network, batch: batch, meter: &meter)
    }

    /// `compute(_:batch:)`, abandoned (false, the pass left incomplete) once `meter`'s deadline
    /// is seen to have passed; the meter is charged layer by layer (weights × SIMD chunks).
    func compute(_ network: ExplicitNetwork, batch: Int, meter: inout DeadlineMeter) -> Bool {
        precondition(network.layerWidths == layerWidths, "a pass serves one architecture")
        precondition((1...batchCapacity).contains(batch), "batch beyond the pass's capacity")
        batchSize = batch
        return forward(network, meter: &meter) && backward(network, meter: &meter)
    }

    /// Writes input `a` (coordinates in `values`, length n0) without allocation.
    public func setInput(_ a: Int, _ values: [Double]) {
        precondition(a < batchCapacity && values.count == layerWidths[0], "input index or dimension out of range")
        let x0 = x(0)
        for j in 0..<values.count { x0[j * columns + a] = values[j] }
    }

    func load(_ inputs: [[Double]]) throws {
        guard !inputs.isEmpty, inputs.count <= batchCapacity else {
            throw ExplicitNetwork.InvalidArchitecture(description: "a batch of 1 … \(batchCapacity) inputs is needed")
        }
        guard inputs.allSatisfy({ $0.count == layerWidths[0] && $0.allSatisfy(\.isFinite) }) else {
            throw ExplicitNetwork.InvalidArchitecture(description: "every input needs \(layerWidths[0]) finite coordinates")
        }
        batchSize = inputs.count
        for (a, input) in inputs.enumerated() { setInput(a, input) }
    }

    /// The SIMD chunks of the batch in use.
    private var usedColumns: Int { (batchSize + BatchVector.scalarCount - 1) / BatchVector.scalarCount * BatchVector.scalarCount }

    /// `h^l = W^l x^{l-1} + b^l`, then the ReLU, for every input (`forwardLayer`).
    func forward(_ network: ExplicitNetwork) {
        var meter = DeadlineMeter(.never)
        _ = forward(network, meter: &meter)
    }

    /// The meter's units for one layer of a pass: its weights times the SIMD chunks of the batch.
    private func meterUnits(layer: Int) -> Int {
        layerWidths[layer] * layerWidths[layer - 1] * (usedColumns / BatchVector.scalarCount)
    }

    /// `forward(_:)`, checking `meter` before each layer (false: abandoned).
    func forward(_ network: ExplicitNetwork, meter: inout DeadlineMeter) -> Bool {
        precondition(network.layerWidths == layerWidths, "a pass serves one architecture")
        beta = network.beta
        let used = usedColumns
        return network.parameters.withUnsafeBufferPointer { p in
            for layer in 1...depth {
                if meter.expired(after: meterUnits(layer: layer)) { return false }
                let isOutput = layer == depth
                forwardLayer(weights: p.baseAddress! + network.weightOffset(layer), biases: network.biasOffset(layer).map { p.baseAddress! + $0 },
                             rows: layerWidths[layer], fanIn: layerWidths[layer - 1], input: x(layer - 1),
                             output: isOutput ? outputs : x(layer), columns: columns, used: used, relu: !isOutput)
            }
            return true
        }
    }

    /// `δ^L = 1`, `δ^{l-1}_j = 1{x^{l-1}_j > 0} Σ_i W^l_ij δ^l_i` (`backwardLayer`).
    func backward(_ network: ExplicitNetwork) {
        var meter = DeadlineMeter(.never)
        _ = backward(network, meter: &meter)
    }

    /// `backward(_:)`, checking `meter` before each layer (false: abandoned).
    func backward(_ network: ExplicitNetwork, meter: inout DeadlineMeter) -> Bool {
        let top = delta(depth)
        for a in 0..<columns { top[a] = a < batchSize ? 1 : 0 }
        let used = usedColumns
        return network.parameters.withUnsafeBufferPointer { p in
            for layer in stride(from: depth, through: 2, by: -1) {
                if meter.expired(after: meterUnits(layer: layer)) { return false }
                backwardLayer(weights: p.baseAddress! + network.weightOffset(layer), rows: layerWidths[layer], fanIn: layerWidths[layer - 1],
                              upper: delta(layer), lower: delta(layer - 1), activations: x(layer - 1), columns: columns, used: used)
            }
            return true
        }
    }

    /// `f(x_a)`.
    public func output(_ a: Int) -> Double { outputs[a] }

    /// `⟨u^layer_a, v^layer_b⟩` over the units of a layer, for unit-major batch storage.
    @inline(__always)
    private func inner(_ base: UnsafeMutablePointer<Double>, count: Int, _ a: Int, _ b: Int) -> Double {
        var s = 0.0
        let B = columns
        for j in 0..<count { s += base[j * B + a] * base[j * B + b] }
        return s
    }

    /// The empirical NTK `Θ(x_a, x_b) = Σ_{l=1..L} (⟨x_a^{l-1}, x_b^{l-1}⟩ + β) ⟨δ_a^l, δ_b^l⟩` of
    /// the network of the last `compute` (`β` from its `trainableBiases`): the inner product of the
    /// parameter gradients `∇f(x_a)` and `∇f(x_b)`.
    public func ntk(_ a: Int, _ b: Int) -> Double {
        precondition(a < batchSize && b < batchSize, "input index out of range")
        var theta = 0.0
        for layer in 1...depth {
            let xx = inner(x(layer - 1), count: layerWidths[layer - 1], a, b)
            theta += (xx + beta) * inner(delta(layer), count: layerWidths[layer], a, b)
        }
        return theta
    }

    /// The whole `B × B` NTK matrix, row-major.
    public func ntkMatrix() -> [Double] {
        let n = batchSize
        var m = [Double](repeating: 0, count: n * n)
        for a in 0..<n {
            for b in a..<n {
                let v = ntk(a, b)
                m[a * n + b] = v
                m[b * n + a] = v
            }
        }
        return m
    }

    /// `Σ_a c_a ∇_θ f(x_a)` in the parameter layout of `network` (which must be the network of
    /// the last `compute`): `∂f/∂W^l_ij = δ^l_i x^{l-1}_j`, `∂f/∂b^l_i = δ^l_i`.
    public func gradient(_ network: ExplicitNetwork, weights c: [Double]) -> [Double] {
        precondition(c.count == batchSize, "one coefficient per input")
        var g = [Double](repeating: 0, count: network.parameterCount)
        let B = columns
        g.withUnsafeMutableBufferPointer { gp in
            let base = gp.baseAddress!
            for layer in 1...depth {
                let fanIn = layerWidths[layer - 1]
                let xs = x(layer - 1), ds = delta(layer)
                let w = base + network.weightOffset(layer)
                let bias = network.biasOffset(layer).map { base + $0 }
                for i in 0..<layerWidths[layer] {
                    // e_a = c_a δ^l_{a,i}; row i of the gradient is Σ_a e_a x^{l-1}_a.
                    var e = [Double](repeating: 0, count: batchSize)
                    var sum = 0.0
                    for a in 0..<batchSize { e[a] = c[a] * ds[i * B + a]; sum += e[a] }
                    bias?[i] = sum
                    for j in 0..<fanIn {
                        var s = 0.0
                        for a in 0..<batchSize { s += e[a] * xs[j * B + a] }
                        w[i * fanIn + j] = s
                    }
                }
            }
        }
        return g
    }

    /// `∇_θ f(x_a)` in the parameter layout of `network`.
    public func gradient(_ network: ExplicitNetwork, input a: Int) -> [Double] {
        var c = [Double](repeating: 0, count: batchSize)
        c[a] = 1
        return gradient(network, weights: c)
    }
}

/// The SIMD vector of the batch loops: four inputs at a time.
typealias BatchVector = SIMD4<Double>

@inline(__always) private func loadBatch(_ p: UnsafePointer<Double>) -> BatchVector {
    UnsafeRawPointer(p).loadUnaligned(as: BatchVector.self)
}

@inline(__always) private func storeBatch(_ v: BatchVector, _ p: UnsafeMutablePointer<Double>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: BatchVector.self)
}

/// `output[i][a] = b_i + Σ_j W_ij input[j][a]` (then `max(·, 0)` when `relu`) for the first `used`
/// columns. Register blocking: four rows of `W` times one vector of four inputs, so each loaded
/// input vector serves four products and the four running sums stay in registers.
@inline(__always)
private func forwardLayer(
    weights: UnsafePointer<Double>, biases: UnsafePointer<Double>?, rows: Int, fanIn: Int, input: UnsafeMutablePointer<Double>,
    output: UnsafeMutablePointer<Double>, columns: Int, used: Int, relu: Bool
) {
    let zero = BatchVector(repeating: 0)
    func finish(_ sum: BatchVector, row: Int, chunk: Int) {
        var h = sum + BatchVector(repeating: biases?[row] ?? 0)
        if relu { h = h.replacing(with: zero, where: .!(h .> zero)) }
        storeBatch(h, output + row * columns + chunk)
    }
    var row = 0
    while row + 4 <= rows {
        let w0 = weights + row * fanIn, w1 = w0 + fanIn, w2 = w1 + fanIn, w3 = w2 + fanIn
        for chunk in stride(from: 0, to: used, by: BatchVector.scalarCount) {
            var s0 = zero, s1 = zero, s2 = zero, s3 = zero
            var x = UnsafePointer(input + chunk)
            for j in 0..<fanIn {
                let v = loadBatch(x)
                s0 += w0[j] * v
                s1 += w1[j] * v
                s2 += w2[j] * v
                s3 += w3[j] * v
                x += columns
            }
            finish(s0, row: row, chunk: chunk)
            finish(s1, row: row + 1, chunk: chunk)
            finish(s2, row: row + 2, chunk: chunk)
            finish(s3, row: row + 3, chunk: chunk)
        }
        row += 4
    }
    while row < rows {
        let w0 = weights + row * fanIn
        for chunk in stride(from: 0, to: used, by: BatchVector.scalarCount) {
            var s0 = zero, s1 = zero
            var x = UnsafePointer(input + chunk)
            var j = 0
            while j + 2 <= fanIn {
                s0 += w0[j] * loadBatch(x)
                s1 += w0[j + 1] * loadBatch(x + columns)
                x += 2 * columns
                j += 2
            }
            if j < fanIn { s0 += w0[j] * loadBatch(x) }
            finish(s0 + s1, row: row, chunk: chunk)
        }
        row += 1
    }
}

/// `lower[j][a] = 1{activations[j][a] > 0} Σ_i W_ij upper[i][a]` for the first `used` columns.
/// Register blocking: four columns `j` of `W` times one vector of four backward entries per row
/// `i`, so the four sums stay in registers and each loaded `upper` vector serves four products.
@inline(__always)
private func backwardLayer(
    weights: UnsafePointer<Double>, rows: Int, fanIn: Int, upper: UnsafeMutablePointer<Double>, lower: UnsafeMutablePointer<Double>,
    activations: UnsafeMutablePointer<Double>, columns: Int, used: Int
) {
    let zero = BatchVector(repeating: 0)
    func finish(_ sum: BatchVector, unit: Int, chunk: Int) {
        let active = loadBatch(activations + unit * columns + chunk) .> zero
        storeBatch(zero.replacing(with: sum, where: active), lower + unit * columns + chunk)
    }
    var j = 0
    while j + 4 <= fanIn {
        for chunk in stride(from: 0, to: used, by: BatchVector.scalarCount) {
            var s0 = zero, s1 = zero, s2 = zero, s3 = zero
            var w = weights + j
            var d = UnsafePointer(upper + chunk)
            for _ in 0..<rows {
                let v = loadBatch(d)
                s0 += w[0] * v
                s1 += w[1] * v
                s2 += w[2] * v
                s3 += w[3] * v
                w += fanIn
                d += columns
            }
            finish(s0, unit: j, chunk: chunk)
            finish(s1, unit: j + 1, chunk: chunk)
            finish(s2, unit: j + 2, chunk: chunk)
            finish(s3, unit: j + 3, chunk: chunk)
        }
        j += 4
    }
    while j < fanIn {
        for chunk in stride(from: 0, to: used, by: BatchVector.scalarCount) {
            var s0 = zero
            var w = weights + j
            var d = UnsafePointer(upper + chunk)
            for _ in 0..<rows {
                s0 += w[0] * loadBatch(d)
                w += fanIn
                d += columns
            }
            finish(s0, unit: j, chunk: chunk)
        }
        j += 1
    }
}
