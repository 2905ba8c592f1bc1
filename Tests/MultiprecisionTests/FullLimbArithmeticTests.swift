import Testing
import CMPFR
@testable import Multiprecision

/// `FullLimbFloats` must return exactly MPFR's round-to-nearest results (a correctly rounded
/// result is unique): random operands of 1, 2, 3 and 4 limbs with random and short significands
/// (short ones make exact results and ties common) and exponent gaps around the precision.
@Suite("Full-limb arithmetic: bit-identical to MPFR's mpfr_add and mpfr_mul at round-to-nearest")
struct FullLimbArithmeticTests {
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            var z = state
            z = (z ^ (z >> 30)) &* 0xbf58476d1ce4e5b9
            z = (z ^ (z >> 27)) &* 0x94d049bb133111eb
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    /// A random value in slot i: top bit set, only the top `length` bits possibly non-zero.
    static func randomize(_ pool: FullLimbFloats, _ i: Int, exponent: Int, _ g: inout Generator) {
        let n = pool.limbCount
        let length = [1, 2, 3, 17, 63, 64, 65, 64 * n - 1, 64 * n, 64 * n, 64 * n][g.below(11)]
        let limbs = pool.significand(i)
        for j in 0..<n { limbs[j] = g.next() }
        limbs[n - 1] |= 1 << 63
        // Clear all but the top `length` bits.
        let clear = 64 * n - min(length, 64 * n)
        for bit in 0..<clear { limbs[bit / 64] &= ~(UInt64(1) << UInt64(bit % 64)) }
        pool.exponents[i] = exponent
    }

    static func value(_ pool: FullLimbFloats, _ i: Int) -> BigFloat {
        let x = BigFloat(precision: 64 * pool.limbCount)
        var y = x
        y.makeUnique()
        pool.store(i, into: y.storage.pointer)
        return y
    }

    static func same(_ a: BigFloat, _ b: BigFloat) -> Bool {
        a.withMPFR { x in b.withMPFR { y in mpfr_equal_p(x, y) != 0 || (mpfr_zero_p(x) != 0 && mpfr_zero_p(y) != 0) } }
    }

    @Test("random sums and products, exponent gaps 0 … p + 3, equal MPFR's")
    func randomOperands() {
        var g = Generator(state: 22)
        var checked = 0, ties = 0
        for n in 1...4 {
            let p = 64 * n
            let pool = FullLimbFloats(limbCount: n, count: 4)
            defer { pool.deallocate() }
            for trial in 0..<20_000 {
                let ea = g.below(200) - 100
                let gap = trial % 4 == 0 ? [0, 1, p - 1, p, p + 1, p + 2, p + 3][g.below(7)] : g.below(p + 4)
                Self.randomize(pool, 0, exponent: ea, &g)
                Self.randomize(pool, 1, exponent: ea - gap, &g)
                if trial % 50 == 0 { pool.setZero(g.below(2)) }
                let a = Self.value(pool, 0), b = Self.value(pool, 1)
                // Loading what was stored gives the same value back.
                #expect(a.withMPFR { pool.load(3, from: $0) } && Self.same(Self.value(pool, 3), a))
                pool.add(2, 0, 1)
                let sum = BigFloat.sum(a, b, precision: p, rounding: .nearest)
                #expect(Self.same(Self.value(pool, 2), sum), "n=\(n) \(a) + \(b)")
                pool.add(2, 1, 0)
                #expect(Self.same(Self.value(pool, 2), sum), "n=\(n) commuted")
                pool.multiply(2, 0, 1)
                let product = BigFloat.product(a, b, precision: p, rounding: .nearest)
                #expect(Self.same(Self.value(pool, 2), product), "n=\(n) \(a) × \(b)")
                // A tie: a + half an ulp of a rounds to even.
                if pool.exponents[0] != FullLimbFloats.zeroExponent {
                    let half = BigFloat.powerOfTwo(pool.exponents[0] - p - 1, precision: p)
                    #expect(half.withMPFR { pool.load(1, from: $0) })
                    pool.add(2, 0, 1)
                    #expect(Self.same(Self.value(pool, 2), BigFloat.sum(a, half, precision: p, rounding: .nearest)), "n=\(n) tie")
                    ties += 1
                }
                checked += 1
            }
        }
        #expect(checked == 80_000 && ties > 70_000)
    }

    @Test("in-place operands (r = a, r = b) give the same results")
    func aliasing() {
        var g = Generator(state: 5)
        let pool = FullLimbFloats(limbCount: 4, count: 3)
        defer { pool.deallocate() }
        for _ in 0..<2000 {
            Self.randomize(pool, 0, exponent: 3, &g)
            Self.randomize(pool, 1, exponent: 3 - g.below(300), &g)
            let a = Self.value(pool, 0), b = Self.value(pool, 1)
            pool.multiply(0, 0, 1)
            #expect(Self.same(Self.value(pool, 0), BigFloat.product(a, b, precision: 256, rounding: .nearest)))
            #expect(a.withMPFR { pool.load(0, from: $0) })
            pool.add(1, 0, 1)
            #expect(Self.same(Self.value(pool, 1), BigFloat.sum(a, b, precision: 256, rounding: .nearest)))
        }
    }
}
