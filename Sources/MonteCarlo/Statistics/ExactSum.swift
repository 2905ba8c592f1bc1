/// The exact sum of any number of doubles, as a fixed-point integer in units of 2⁻¹⁰⁷⁴ (the
/// smallest subnormal): 34 little-endian 64-bit limbs in two's complement, wide enough for every
/// finite double (2¹⁰²⁴ > |x| ≥ 2⁻¹⁰⁷⁴) plus 64 bits of headroom for 2⁶⁴ terms.
///
/// Why it exists: addition here is exact, hence associative and commutative, so statistics merged
/// through it (`CompensatedSum.add(_:)`) do not depend on how the blocks of a run were grouped.
/// That is what makes a run split into shards and merged equal the unsharded run bit for bit.
/// `rounded` is the exact sum correctly rounded (to nearest, ties to even) to a double.
///
/// Non-finite terms are kept apart: once one is added, `rounded` is their IEEE sum (∞, −∞ or NaN).
public struct ExactSum: Sendable, Hashable {
    /// Limbs of the fixed-point integer, or empty for zero (so an unused sum allocates nothing).
    private var limbs: [UInt64] = []
    /// The IEEE sum of the non-finite terms added, 0 when there were none.
    private var nonFinite: Double = 0

    static let limbCount = 34
    /// The binary exponent of the least significant bit.
    static let unitExponent = -1074

    public init() {}

    /// Whether the sum is exactly zero (and no non-finite term was added).
    public var isZero: Bool { nonFinite == 0 && limbs.allSatisfy { $0 == 0 } }

    /// Adds `x` exactly.
    public mutating func add(_ x: Double) {
        guard x.isFinite else { nonFinite += x; return }
        guard x != 0 else { return }
        if limbs.isEmpty { limbs = Array(repeating: 0, count: Self.limbCount) }
        let bits = x.bitPattern
        let exponentField = Int((bits >> 52) & 0x7FF)
        let fraction = bits & ((1 << 52) - 1)
        // x = significand · 2^(shift − 1074): subnormals have shift 0 and no hidden bit.
        let significand = exponentField == 0 ? fraction : fraction | (1 << 52)
        let shift = exponentField == 0 ? 0 : exponentField - 1
        let limb = shift / 64, offset = shift % 64
        let lowPart = significand << UInt64(offset)
        let highPart = offset == 0 ? 0 : significand >> UInt64(64 - offset)
        if x > 0 {
            combine(lowPart, highPart, at: limb) { $0.addingReportingOverflow($1) }
        } else {
            combine(lowPart, highPart, at: limb) { $0.subtractingReportingOverflow($1) }
        }
    }

    /// Adds another exact sum exactly.
    public mutating func add(_ other: ExactSum) {
        nonFinite += other.nonFinite
        guard !other.limbs.isEmpty else { return }
        if limbs.isEmpty { limbs = Array(repeating: 0, count: Self.limbCount) }
        var carry: UInt64 = 0
        for i in 0..<Self.limbCount {
            let (s1, o1) = limbs[i].addingReportingOverflow(other.limbs[i])
            let (s2, o2) = s1.addingReportingOverflow(carry)
            limbs[i] = s2
            carry = (o1 ? 1 : 0) + (o2 ? 1 : 0)
        }
    }

    /// Adds (`step` = addition with carry) or subtracts (`step` = subtraction with borrow) the
    /// 128-bit magnitude `high·2⁶⁴ + low` at limb `limb`, propagating the carry or borrow upwards.
    private mutating func combine(_ low: UInt64, _ high: UInt64, at limb: Int,
                                  _ step: (UInt64, UInt64) -> (partialValue: UInt64, overflow: Bool)) {
        var carry: UInt64 = 0
        var i = limb
        while i < Self.limbCount && (i <= limb + 1 || carry != 0) {
            let (partial, first) = step(limbs[i], i == limb ? low : (i == limb + 1 ? high : 0))
            let (result, second) = step(partial, carry)
            limbs[i] = result
            carry = (first ? 1 : 0) + (second ? 1 : 0)
            i += 1
        }
    }

    /// The exact sum rounded to the nearest double (ties to even); ±∞ beyond the double range.
    public var rounded: Double {
        guard nonFinite == 0 else { return nonFinite }
        guard !limbs.isEmpty else { return 0 }
        let negative = limbs[Self.limbCount - 1] >> 63 == 1
        var magnitude = limbs
        if negative {
            var carry: UInt64 = 1
            for i in magnitude.indices {
                let (s, o) = (~magnitude[i]).addingReportingOverflow(carry)
                magnitude[i] = s
                carry = o ? 1 : 0
            }
        }
        guard let top = magnitude.lastIndex(where: { $0 != 0 }) else { return 0 }
        let topBit = top * 64 + (63 - magnitude[top].leadingZeroBitCount)  // position of the leading 1
        func bit(_ p: Int) -> UInt64 { p < 0 ? 0 : (magnitude[p / 64] >> UInt64(p % 64)) & 1 }
        let sign: FloatingPointSign = negative ? .minus : .plus
        if topBit < 53 {
            // At most 53 significant bits: exactly representable (subnormal or small normal).
            return Double(sign: sign, exponent: Self.unitExponent, significand: Double(magnitude[0]))
        }
        // The leading 53 bits, then round to nearest, ties to even, on the rest.
        let shift = topBit - 52
        var significand: UInt64 = 0
        for p in stride(from: topBit, through: shift, by: -1) { significand = significand << 1 | bit(p) }
        let roundBit = bit(shift - 1)
        var sticky = false
        if shift - 1 > 0 {
            let stickyTop = shift - 2
            for limb in 0...(stickyTop / 64) where !sticky {
                var word = magnitude[limb]
                if limb == stickyTop / 64 && stickyTop % 64 != 63 { word &= (UInt64(1) << UInt64(stickyTop % 64 + 1)) - 1 }
                sticky = word != 0
            }
        }
        if roundBit == 1 && (sticky || significand & 1 == 1) { significand += 1 }
        return Double(sign: sign, exponent: shift + Self.unitExponent, significand: Double(significand))
    }

    /// The sum as the shortest list of doubles whose exact sum it is, each the rounding of what
    /// the ones before leave (`[rounded, …]`; empty for zero): a canonical, lossless encoding.
    /// Nil when the sum is not finite or a term would not fit a double.
    public var expansion: [Double]? {
        guard nonFinite == 0 else { return nil }
        var rest = self, terms: [Double] = []
        while !rest.isZero {
            let term = rest.rounded
            guard term.isFinite, terms.count < Self.maximumExpansionLength else { return nil }
            terms.append(term)
            rest.add(-term)
        }
        return terms
    }

    /// The exact sum of `terms`.
    public init(_ terms: [Double]) {
        for t in terms { add(t) }
    }

    /// Far more than any finite sum needs (about 2162/53 + 1 terms).
    static let maximumExpansionLength = 64

    public static func == (a: ExactSum, b: ExactSum) -> Bool {
        a.nonFinite.bitPattern == b.nonFinite.bitPattern && a.canonicalLimbs == b.canonicalLimbs
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(nonFinite.bitPattern)
        hasher.combine(canonicalLimbs)
    }

    private var canonicalLimbs: [UInt64] { limbs.allSatisfy { $0 == 0 } ? [] : limbs }
}
