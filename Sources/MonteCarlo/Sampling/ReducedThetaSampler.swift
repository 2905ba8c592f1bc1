import Foundation

/// A network as the reduced model of Θ sees it (derivations/02, 08): widths as runs, so that
/// any width up to 2^50 costs nothing, σ², ‖x‖², biases, and which law of the backward pass.
public struct ReducedNetwork: Sendable, Hashable {
    public struct Run: Sendable, Hashable {
        public var width: Int
        public var count: Int
        public init(width: Int, count: Int) {
            self.width = width
            self.count = count
        }
    }

    /// Exact law (with the injection term and the dead-network rule), or gradient independence
    /// (B' ~ χ²_k on the same k, the bookkeeping of Seleznova & Kutyniok (ICML 2022), without a dead-network rule).
    public enum Law: String, Sendable, Hashable {
        case exact, gradientIndependence
    }

    public var inputDimension: Int
    public var hiddenRuns: [Run]
    public var sigma2: Double
    public var inputNorm2: Double
    public var trainableBiases: Bool
    public var law: Law

    public init(inputDimension: Int, hiddenRuns: [Run], sigma2: Double, inputNorm2: Double, trainableBiases: Bool, law: Law = .exact) {
        self.inputDimension = inputDimension
        self.hiddenRuns = hiddenRuns.filter { $0.count > 0 }
        self.sigma2 = sigma2
        self.inputNorm2 = inputNorm2
        self.trainableBiases = trainableBiases
        self.law = law
    }

    /// L, the number of weight layers.
    public var depth: Int { hiddenRuns.reduce(0) { $0 + $1.count } + 1 }

    /// The scale Q^{L−1}, Q = max(σ²/2, 1), that `ReducedThetaSampler` divides Θ by: it keeps
    /// the samples of deep chaotic networks inside Double's range.
    public var logScale: Double { Double(depth - 1) * log(max(sigma2 / 2, 1)) }
}

/// Samples Θ(x, x) from the exact reduced model (derivations/02): per hidden layer l an active
/// count k_l ~ Binomial(n_l, ½), a forward gain a_l = (σ²/n_{l−1})·χ²_{k_l} and a backward gain
/// b_l = (σ²/n_l)·χ²_{k_l−1}, independent; at the top z = (σ²/n_{L−1})·χ²_1; then
/// X_l = ‖x‖²·a_1⋯a_l, Δ_L = 1, Δ_l = z·a_{l+1}⋯a_{L−1} + b_l·Δ_{l+1}, and
/// Θ = Σ_l (X_{l−1} + β)·Δ_l; a network with some k_l = 0 has Θ = β. O(L) per sample, any width.
///
/// Returns Θ/Q^{L−1} (see `ReducedNetwork.logScale`). Sample i uses its own stream, keyed by
/// (seed, i), so a run is reproducible and independent of how samples are split over threads.
public struct ReducedThetaSampler: Sendable {
    public let network: ReducedNetwork
    public let seed: UInt64
    /// (width, fan-in) of each hidden layer, expanded (depth is bounded by the caller).
    let layers: [(width: Int, fanIn: Int)]

    /// `DeadlineMeter` units charged per layer (one unit is about one Gaussian draw).
    static let meterUnitsPerLayer = 16

    /// Largest depth sampled (O(L) per sample and memory).
    public static let maximumDepth = 1_000_000

    public init(network: ReducedNetwork, seed: UInt64) {
        precondition(network.depth <= Self.maximumDepth, "depth beyond \(Self.maximumDepth)")
        self.network = network
        self.seed = seed
        var layers: [(width: Int, fanIn: Int)] = []
        var previous = network.inputDimension
        for run in network.hiddenRuns {
            for _ in 0..<run.count {
                layers.append((run.width, previous))
                previous = run.width
            }
        }
        self.layers = layers
    }

    /// Scratch space for one thread.
    public final class Scratch {
        var forward: [Double] = []
        var backward: [Double] = []
        public init() {}
    }

    /// Θ/Q^{L−1} of sample `index`.
    public func scaledTheta(sample index: Int, scratch: Scratch) -> Double {
        var meter = DeadlineMeter(.never)
        return scaledTheta(sample: index, scratch: scratch, meter: &meter)!
    }

    /// `scaledTheta(sample:scratch:)`, abandoned (nil) once `meter`'s deadline is seen to have
    /// passed; the meter is charged per layer drawn (the draws dominate a sample's cost).
    func scaledTheta(sample index: Int, scratch: Scratch, meter: inout DeadlineMeter) -> Double? {
        var random = RandomVariates(key: StreamKey.child(of: splitMix64Finalize(seed ^ 0x5EED_D157), index: UInt64(index)))
        let h = layers.count
        let q = max(network.sigma2 / 2, 1)
        let beta = network.trainableBiases ? 1.0 : 0.0
        if h == 0 { return network.inputNorm2 + beta }
        if network.inputNorm2 == 0 { return beta / exp(network.logScale) }
        if scratch.forward.count < h {
            scratch.forward = Array(repeating: 0, count: h)
            scratch.backward = Array(repeating: 0, count: h)
        }
        var dead = false
        for (l, layer) in layers.enumerated() {
            if meter.expired(after: Self.meterUnitsPerLayer) { return nil }
            let k = random.binomialHalf(layer.width)
            if k == 0 && network.law == .exact { dead = true }
            // Each factor divided by Q keeps Θ/Q^{L−1} of order one.
            scratch.forward[l] = network.sigma2 / Double(layer.fanIn) * random.chiSquare(k) / q
            let backwardDegrees = network.law == .exact ? k - 1 : k
            scratch.backward[l] = network.sigma2 / Double(layer.width) * random.chiSquare(backwardDegrees) / q
        }
        let z = network.sigma2 / Double(layers[h - 1].width) * random.chiSquare(1) / q
        if dead { return beta / exp(network.logScale) }
        // Δ_l/Q^{L−l} from the top: Δ_L = 1; Δ_l = z·Π_{j>l} a_j + b_l·Δ_{l+1} (no injection in GI).
        // Θ/Q^{L−1} = Σ_l (X_{l−1}/Q^{l−1} + β/Q^{l−1})·Δ_l/Q^{L−l}.
        var delta = 1.0           // Δ_{l+1}/Q^{L−l−1}, starting at l + 1 = L
        var suffix = 1.0          // Π_{j=l+1}^{L−1} a_j/Q
        // Backward pass over layers l = index + 1 = h … 1; scratch.backward[index] is replaced
        // by Δ_{l+1} once b_l has been used, so the forward pass can read it.
        for index in stride(from: h - 1, through: 0, by: -1) {
            let b = scratch.backward[index]
            let injection = network.law == .exact ? z * suffix : 0
            let d = injection + b * delta
            scratch.backward[index] = delta  // keep Δ_{index+2}: the top layer's Δ for index = h − 1 is Δ_L = 1
            delta = d
            suffix *= scratch.forward[index]
        }
        // Forward pass: layer 1 uses Δ_1 = delta; layer l ≥ 2 uses Δ_l = scratch.backward[l − 2].
        var x = network.inputNorm2  // X_{l−1}/Q^{l−1}
        var biasScale = beta        // β/Q^{l−1}
        var theta = (x + biasScale) * delta
        for l in 2...(h + 1) {
            x *= scratch.forward[l - 2]
            biasScale /= q
            theta += (x + biasScale) * scratch.backward[l - 2]
        }
        return theta
    }
}
