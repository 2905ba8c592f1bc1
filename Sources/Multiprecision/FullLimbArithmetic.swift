import CMPFR

/// Non-negative binary floats with a fixed significand of exactly N whole 64-bit limbs
/// (precision p = 64·N), added and multiplied with correct rounding to nearest, ties to even —
/// the hot loop of the moment recursion at 128, 192, 256, … bits without MPFR's per-call
/// generality (sign handling, special values, partial limbs, precision checks).
///
/// A correctly rounded result is unique, so every operation returns exactly what
/// `mpfr_add`/`mpfr_mul` with `MPFR_RNDN` return at precision p (tests compare them bit for bit
/// on random and tie-breaking operands). Value: 0.d × 2^e with d the N limbs (least significant
/// first, top bit of the top limb set), as in MPFR; zero has e = `FullLimbFloats.zeroExponent`.
struct FullLimbFloats {
    static let zeroExponent = Int.min
    let limbCount: Int
    let count: Int
    /// `count` significands of `limbCount` limbs each.
    let limbs: UnsafeMutablePointer<UInt64>
    let exponents: UnsafeMutablePointer<Int>
    /// Scratch for one exact sum or product (2N + 2 limbs).
    private let wide: UnsafeMutablePointer<UInt64>

    init(limbCount: Int, count: Int) {
        self.limbCount = limbCount
        self.count = count
        limbs = .allocate(capacity: max(1, limbCount * count))
        exponents = .allocate(capacity: max(1, count))
        exponents.initialize(repeating: Self.zeroExponent, count: max(1, count))
        limbs.initialize(repeating: 0, count: max(1, limbCount * count))
        wide = .allocate(capacity: 2 * limbCount + 2)
    }

    func deallocate() {
        limbs.deallocate()
        exponents.deallocate()
        wide.deallocate()
    }

    @inline(__always) func significand(_ i: Int) -> UnsafeMutablePointer<UInt64> { limbs + i * limbCount }

    /// Loads an MPFR value of precision 64·N that is zero or positive and regular; false otherwise.
    func load(_ i: Int, from x: UnsafePointer<__mpfr_struct>) -> Bool {
        if mpfr_zero_p(x) != 0 { exponents[i] = Self.zeroExponent; return true }
        guard mpfr_regular_p(x) != 0, ntk_mpfr_sgn(x) > 0, Int(mpfr_get_prec(x)) == 64 * limbCount else { return false }
        let source = mpfr_custom_get_significand(x)!.assumingMemoryBound(to: UInt64.self)
        significand(i).update(from: source, count: limbCount)
        exponents[i] = Int(mpfr_custom_get_exp(x))
        return true
    }

    /// Stores value i into an MPFR variable of precision 64·N (exactly).
    func store(_ i: Int, into x: UnsafeMutablePointer<__mpfr_struct>) {
        precondition(Int(mpfr_get_prec(x)) == 64 * limbCount, "precision mismatch")
        if exponents[i] == Self.zeroExponent { mpfr_set_zero(x, 1); return }
        mpfr_set_ui(x, 1, MPFR_RNDN)  // a regular positive number, so its significand and exponent can be set
        let target = mpfr_custom_get_significand(x)!.assumingMemoryBound(to: UInt64.self)
        target.update(from: significand(i), count: limbCount)
        let status = mpfr_set_exp(x, mpfr_exp_t(exponents[i]))
        precondition(status == 0, "exponent outside MPFR's range")
    }

    func setZero(_ r: Int) { exponents[r] = Self.zeroExponent }

    func copy(_ r: Int, _ a: Int) {
        guard r != a else { return }
        exponents[r] = exponents[a]
        if exponents[a] != Self.zeroExponent { significand(r).update(from: significand(a), count: limbCount) }
    }

    /// Rounds the 64N + 1 … bits at wide[low ..< low + N] (top bit set), with the bit below and
    /// `sticky` for everything further down, to nearest-even into value r with exponent e.
    @inline(__always)
    private func roundInto(_ r: Int, e: Int, low: Int, roundBit: Bool, sticky: Bool, limbs n: Int) {
        let out = significand(r)
        var exponent = e
        var carry = roundBit && (sticky || wide[low] & 1 == 1)
        for j in 0..<n {
            var limb = wide[low + j]
            if carry { (limb, carry) = limb.addingReportingOverflow(1) }
            out[j] = limb
        }
        if carry {
            // 0.111…1 + ulp = 1.000…0: one bit more, all zero below it.
            out[n - 1] = 1 << 63
            exponent += 1
        }
        exponents[r] = exponent
    }

    /// r ← a·b, correctly rounded to nearest-even (r may be a or b).
    func multiply(_ r: Int, _ a: Int, _ b: Int) { withLiteralLimbCount { multiply(r, a, b, limbs: $0) } }

    /// Calls `body` with the limb count as a literal for 2 and 4 limbs (128 and 256 bits), so
    /// that inlining lets the compiler unroll every loop.
    @inline(__always)
    private func withLiteralLimbCount(_ body: (Int) -> Void) {
        switch limbCount {
        case 4: body(4)
        case 2: body(2)
        default: body(limbCount)
        }
    }

    @inline(__always)
    private func multiply(_ r: Int, _ a: Int, _ b: Int, limbs n: Int) {
        let ea = exponents[a], eb = exponents[b]
        if ea == Self.zeroExponent || eb == Self.zeroExponent { exponents[r] = Self.zeroExponent; return }
        let x = significand(a), y = significand(b)
        for j in 0..<(2 * n) { wide[j] = 0 }
        for i in 0..<n {
            var carry: UInt64 = 0
            let xi = x[i]
            for j in 0..<n {
                // x_i·y_j + w + c < 2^128: one 128-bit multiply-add (mul, add, adc).
                let t = UInt128(xi) &* UInt128(y[j]) &+ UInt128(wide[i + j]) &+ UInt128(carry)
                wide[i + j] = UInt64(truncatingIfNeeded: t)
                carry = UInt64(truncatingIfNeeded: t >> 64)
            }
            wide[i + n] = carry
        }
        var e = ea + eb
        if wide[2 * n - 1] >> 63 == 0 {
            // Product in [1/4, 1/2): one left shift normalises it.
            for j in stride(from: 2 * n - 1, to: 0, by: -1) { wide[j] = (wide[j] << 1) | (wide[j - 1] >> 63) }
            wide[0] <<= 1
            e -= 1
        }
        let below = wide[n - 1]
        var sticky = below << 1 != 0
        if !sticky { for j in 0..<(n - 1) where wide[j] != 0 { sticky = true; break } }
        roundInto(r, e: e, low: n, roundBit: below >> 63 == 1, sticky: sticky, limbs: n)
    }

    /// r ← a + b, correctly rounded to nearest-even (r may be a or b).
    func add(_ r: Int, _ a: Int, _ b: Int) { withLiteralLimbCount { add(r, a, b, limbs: $0) } }

    @inline(__always)
    private func add(_ r: Int, _ a0: Int, _ b0: Int, limbs n: Int) {
        var a = a0, b = b0
        if exponents[a] == Self.zeroExponent { copy(r, b); return }
        if exponents[b] == Self.zeroExponent { copy(r, a); return }
        if exponents[a] < exponents[b] { swap(&a, &b) }
        let bits = 64 * n
        let d = exponents[a] - exponents[b]
        // b < 2^(e_a − p − 1), strictly below half an ulp of a: the sum rounds to a.
        if d > bits { copy(r, a); return }
        // Exact sum in wide[0 ..< 2N+2]: a at limbs N+1 … 2N, b shifted right by d ≤ p (nothing lost).
        let x = significand(a), y = significand(b)
        for j in 0..<(n + 1) { wide[j] = 0 }
        for j in 0..<n { wide[n + 1 + j] = x[j] }
        wide[2 * n + 1] = 0
        let limbShift = d >> 6, bitShift = UInt64(d & 63)
        // Limb k of the shifted b (position in `wide`) takes bits of y from limbs
        // k − (N+1) + limbShift and the one above it; b reaches limbs first ..< last, and
        // above them only the carry moves on.
        let first = max(0, n - limbShift), last = 2 * n + 1 - limbShift
        var carry: UInt64 = 0
        if bitShift == 0 {
            for k in (n + 1 - limbShift)..<last {
                let t = UInt128(wide[k]) &+ UInt128(y[k - (n + 1) + limbShift]) &+ UInt128(carry)
                wide[k] = UInt64(truncatingIfNeeded: t)
                carry = UInt64(truncatingIfNeeded: t >> 64)
            }
        } else {
            for k in first..<last {
                let source = k - (n + 1) + limbShift
                let lowPart = source >= 0 ? y[source] >> bitShift : 0
                let highPart = source + 1 < n ? y[source + 1] << (64 - bitShift) : 0
                let t = UInt128(wide[k]) &+ UInt128(lowPart | highPart) &+ UInt128(carry)
                wide[k] = UInt64(truncatingIfNeeded: t)
                carry = UInt64(truncatingIfNeeded: t >> 64)
            }
        }
        var k = last
        while carry != 0 && k < 2 * n + 2 {
            let (sum, overflow) = wide[k].addingReportingOverflow(carry)
            wide[k] = sum
            carry = overflow ? 1 : 0
            k += 1
        }
        if wide[2 * n + 1] != 0 {
            // Carry into a new top bit: the significand is bits (N+1)·64 + 1 … (2N+1)·64; shift right by one.
            let roundBit = wide[n + 1] & 1 == 1
            var sticky = false
            for j in 0...n where wide[j] != 0 { sticky = true; break }
            for j in 0..<n { wide[n + 1 + j] = (wide[n + 1 + j] >> 1) | (wide[n + 2 + j] << 63) }
            roundInto(r, e: exponents[a] + 1, low: n + 1, roundBit: roundBit, sticky: sticky, limbs: n)
        } else {
            let below = wide[n]
            var sticky = below << 1 != 0
            if !sticky { for j in 0..<n where wide[j] != 0 { sticky = true; break } }
            roundInto(r, e: exponents[a], low: n + 1, roundBit: below >> 63 == 1, sticky: sticky, limbs: n)
        }
    }
}
