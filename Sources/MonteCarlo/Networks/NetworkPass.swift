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
