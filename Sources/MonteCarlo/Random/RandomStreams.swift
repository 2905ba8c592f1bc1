// Counter-based derivation of independent random streams.
//
// Every random number the simulator uses is a pure function of (seed, sample index, layer,
// row). That is what makes a run reproducible whatever the thread count and lets the
// backward pass regenerate a weight matrix instead of storing it: no generator state is
// ever carried from one sample, layer or row to the next.

/// The SplitMix64 output function (Steele, Lea & Flood 2014, Stafford's "Mix13" variant):
/// a bijection of `UInt64` with full avalanche, used here to turn structured keys
/// (seed, counters) into statistically unrelated ones.
@inline(__always)
func splitMix64Finalize(_ value: UInt64) -> UInt64 {
    var z = value
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}

/// The golden-ratio increment of SplitMix64, `⌊2⁶⁴/φ⌋` made odd.
let splitMix64Increment: UInt64 = 0x9E37_79B9_7F4A_7C15

/// Keys naming one random stream: `child(parent, index)` is an injective function of `index`
/// for a fixed `parent` (both steps are bijections), so sibling streams never share a key,
/// and distinct parents give unrelated families of children.
enum StreamKey {
    /// The key of child number `index` of the stream family `parent`.
    @inline(__always)
    static func child(of parent: UInt64, index: UInt64) -> UInt64 {
        splitMix64Finalize(parent &+ splitMix64Finalize(index &+ splitMix64Increment))
    }

    /// The key of the stream that generates row `row` of the weight matrix `W^layer`
    /// of simulated network number `sample` in the run seeded with `seed`.
    /// Layers are numbered 1…L as in derivations/01-model.md; rows are output units, numbered from 0.
    @inline(__always)
    static func weightRow(seed: UInt64, sample: UInt64, layer: Int, row: Int) -> UInt64 {
        child(of: layerKey(seed: seed, sample: sample, layer: layer), index: UInt64(row))
    }

    /// The key of the family of row streams of `W^layer` in network `sample`.
    @inline(__always)
    static func layerKey(seed: UInt64, sample: UInt64, layer: Int) -> UInt64 {
        child(of: child(of: splitMix64Finalize(seed), index: sample), index: UInt64(layer))
    }
}

/// xoshiro256++ (Blackman & Vigna 2019): a fast 64-bit generator with 256 bits of state,
/// period 2²⁵⁶ − 1, passing BigCrush. Seeded from a key through SplitMix64 as its authors
/// recommend, so that nearby keys give unrelated states and the state is never all zero
/// in practice.
struct Xoshiro256PlusPlus {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    /// The generator whose state is the first four SplitMix64 outputs started at `key`.
    @inline(__always)
    init(key: UInt64) {
        var splitMixState = key
        func nextSplitMix() -> UInt64 {
            splitMixState = splitMixState &+ splitMix64Increment
            return splitMix64Finalize(splitMixState)
        }
        s0 = nextSplitMix()
        s1 = nextSplitMix()
        s2 = nextSplitMix()
        s3 = nextSplitMix()
    }

    /// The generator with the given raw state (not all zero), for checking against the
    /// reference implementation's published outputs.
    init(state: (UInt64, UInt64, UInt64, UInt64)) {
        precondition(state != (0, 0, 0, 0), "the all-zero state is a fixed point")
        (s0, s1, s2, s3) = state
    }

    @inline(__always)
    private static func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 {
        (x &<< k) | (x &>> (64 &- k))
    }

    /// The next 64 uniformly distributed bits.
    @inline(__always)
    mutating func next() -> UInt64 {
        let result = Self.rotateLeft(s0 &+ s3, 23) &+ s0
        let t = s1 &<< 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = Self.rotateLeft(s3, 45)
        return result
    }

    /// A uniform double in the half-open interval (0, 1]: the top 53 bits plus one, times 2⁻⁵³.
    /// Excluding 0 keeps `log` finite where the Gaussian tail sampler takes logarithms.
    @inline(__always)
    mutating func nextOpenClosedUnit() -> Double {
        Double((next() >> 11) &+ 1) * 0x1.0p-53
    }
}
