import Foundation

/// Standard normal variates by the ziggurat method of Marsaglia & Tsang (2000), with 256
/// layers and exact sampling of the tail beyond the base layer.
///
/// Contract: every value returned is an exact draw from N(0, 1) up to the resolution of the
/// uniform it is built from (a grid of spacing 2⁻⁵¹ on [−1, 1) times the layer width) (no approximation of the density is involved — the
/// rejection steps use `exp` only to decide acceptance in the wedges, and the tail beyond
/// `R` uses Marsaglia's exact exponential rejection sampler).
///
/// Layout: the area under `φ(x) = exp(−x²/2)` for `x ≥ 0` is covered by 256 pieces of equal
/// area `V`: the base piece (rectangle `[0, R] × [0, φ(R)]` plus the tail `x > R`) and 255
/// horizontal rectangles. `xEdge[i]` is the right edge of layer `i` (`xEdge[0] = V/φ(R)` is
/// the width a rectangle of area `V` would have, `xEdge[1] = R`, …, `xEdge[256] = 0`), and
/// `densityAtEdge[i] = φ(xEdge[i])`, increasing in `i`. About 98.5 % of draws (the mean of
/// `xEdge[i+1]/xEdge[i]`) are accepted after one 64-bit random number, one table lookup and
/// one multiplication.
struct ZigguratGaussian: Sendable {
    /// Number of layers; a power of two so the layer index is 8 random bits.
    static let layerCount = 256
    /// Right edge of the base rectangle; the tail `|x| > R` is sampled separately.
    /// This is the 256-layer value for the unnormalised density `exp(−x²/2)`.
    static let tailStart = 3.654_152_885_361_008_8

    /// The common area of every layer, `V = R φ(R) + ∫_R^∞ φ`.
    static let layerArea: Double = {
        let r = tailStart
        return r * exp(-0.5 * r * r) + (Double.pi / 2).squareRoot() * erfc(r / 2.0.squareRoot())
    }()

    /// `xEdge[i]`, i = 0…256, as described in the type documentation.
    let xEdge: [Double]
    /// `φ(xEdge[i])`, i = 0…256.
    let densityAtEdge: [Double]

    /// The tables, built once per process on first use.
    static let shared = ZigguratGaussian()

    private init() {
        let r = Self.tailStart
        let v = Self.layerArea
        var edges = [Double](repeating: 0, count: Self.layerCount + 1)
        edges[0] = v / exp(-0.5 * r * r)
        edges[1] = r
        // Layer i spans heights [φ(x_i), φ(x_{i+1})] and has width x_i, so equal area means
        // φ(x_{i+1}) = φ(x_i) + V / x_i.
        for i in 1..<(Self.layerCount - 1) {
            let nextDensity = exp(-0.5 * edges[i] * edges[i]) + v / edges[i]
            edges[i + 1] = (-2 * log(nextDensity)).squareRoot()
        }
        // The top layer is bounded by the mode of the density: x = 0, φ = 1 exactly.
        edges[Self.layerCount] = 0
        xEdge = edges
        densityAtEdge = edges.map { exp(-0.5 * $0 * $0) }
    }

    /// Fills `buffer` with independent standard normal variates drawn from `generator`.
    /// The values written are a deterministic function of the generator's state, in order.
    @inline(__always)
    func fill(_ buffer: UnsafeMutableBufferPointer<Double>, using generator: inout Xoshiro256PlusPlus) {
        xEdge.withUnsafeBufferPointer { edges in
            densityAtEdge.withUnsafeBufferPointer { densities in
                for index in buffer.indices {
                    buffer[index] = Self.next(using: &generator, edges: edges, densities: densities)
                }
            }
        }
    }

    /// One standard normal variate (convenience for tests and small uses; `fill` is the hot path).
    func next(using generator: inout Xoshiro256PlusPlus) -> Double {
        xEdge.withUnsafeBufferPointer { edges in
            densityAtEdge.withUnsafeBufferPointer { densities in
                Self.next(using: &generator, edges: edges, densities: densities)
            }
        }
    }

    @inline(__always)
    private static func next(
        using generator: inout Xoshiro256PlusPlus,
        edges: UnsafeBufferPointer<Double>,
        densities: UnsafeBufferPointer<Double>
    ) -> Double {
        while true {
            let bits = generator.next()
            // Low 8 bits choose the layer; the top 52 bits become the mantissa of a double in
            // [2, 4), minus 3 a uniform in [−1, 1) on a grid of 2⁻⁵¹ that carries the sign
            // (cheaper than an integer-to-double conversion). The two bit ranges are disjoint,
            // so layer and position are independent.
            let layer = Int(truncatingIfNeeded: bits & 0xFF)
            let signedUniform = Double(bitPattern: 0x4000_0000_0000_0000 | (bits >> 12)) - 3.0
            let candidate = signedUniform * edges[layer]
            if abs(candidate) < edges[layer &+ 1] {
                return candidate  // inside the rectangle that lies wholly under the density
            }
            // The generator is handed over by value and taken back, never by address: passing
            // it `inout` to this out-of-line call made the compiler keep its state in memory
            // (loads and stores on every draw of the hot loop, seen in the disassembly).
            let (accepted, advancedGenerator) = acceptOutsideCore(
                layer: layer, candidate: candidate, generator: generator,
                edges: edges, densities: densities)
            generator = advancedGenerator
            if let accepted {
                return accepted
            }
        }
    }

    /// The rare path (≈1.5 % of draws): the tail for the base layer, otherwise the wedge
    /// test of the point against the true density. `nil` means rejected: start over. Returns
    /// the generator advanced past the numbers it consumed.
    @inline(never)
    private static func acceptOutsideCore(
        layer: Int,
        candidate: Double,
        generator startingGenerator: Xoshiro256PlusPlus,
        edges: UnsafeBufferPointer<Double>,
        densities: UnsafeBufferPointer<Double>
    ) -> (Double?, Xoshiro256PlusPlus) {
        var generator = startingGenerator
        if layer == 0 {
            // Marsaglia (1964): for X = −ln(U₁)/R, Y = −ln(U₂), accepting when 2Y ≥ X² makes
            // R + X exactly distributed as a normal conditioned on exceeding R.
            let r = tailStart
            while true {
                let x = -log(generator.nextOpenClosedUnit()) / r
                let y = -log(generator.nextOpenClosedUnit())
                if y + y >= x * x {
                    return (candidate < 0 ? -(r + x) : r + x, generator)
                }
            }
        }
        let heightUniform = Double(generator.next() >> 11) * 0x1.0p-53
        let height = densities[layer + 1] + (densities[layer] - densities[layer + 1]) * heightUniform
        return (height < exp(-0.5 * candidate * candidate) ? candidate : nil, generator)
    }
}
