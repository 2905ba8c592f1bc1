import Testing
@testable import MonteCarlo

/// `ExactSum`: exact accumulation, correct rounding (IEEE facts: round to nearest, ties to even),
/// and independence of the grouping — what makes merged shards equal the unsharded run.
@Suite("ExactSum: exact sums of doubles, correctly rounded")
struct ExactSumTests {
    static let p53 = 9_007_199_254_740_992.0  // 2^53: above it, doubles are the even integers

    @Test("cancellation that naive summation loses: 1e16 + 1 − 1e16 = 1")
    func cancellation() {
        #expect(ExactSum([1e16, 1, -1e16]).rounded == 1)
        #expect(ExactSum([-1.5, 0.25]).rounded == -1.25)
        #expect(ExactSum([1, -1]).isZero && ExactSum([1, -1]).rounded == 0)
    }

    @Test("ties round to the even significand, anything above a tie rounds up")
    func ties() {
        // 2^53 + 1 lies halfway between 2^53 (even significand) and 2^53 + 2 (odd).
        #expect(ExactSum([Self.p53, 1]).rounded == Self.p53)
        // 2^53 + 3 lies halfway between 2^53 + 2 (odd significand) and 2^53 + 4 (even).
        #expect(ExactSum([Self.p53, 2, 1]).rounded == Self.p53 + 4)
        // A tiny excess over the tie decides upwards; the same below it, downwards.
        #expect(ExactSum([Self.p53, 1, 0x1p-1000]).rounded == Self.p53 + 2)
        #expect(ExactSum([Self.p53, 1, -0x1p-1000]).rounded == Self.p53)
        // Naive left-to-right summation of 2^53, 1, 1 loses both ones; the exact sum keeps them.
        #expect(ExactSum([Self.p53, 1, 1]).rounded == Self.p53 + 2)
    }

    @Test("subnormals, the top of the range, and non-finite terms")
    func extremes() {
        let tiny = Double.leastNonzeroMagnitude
        #expect(ExactSum([tiny, tiny]).rounded == 2 * tiny)
        #expect(ExactSum([tiny, -tiny]).isZero)
        #expect(ExactSum([Double.leastNormalMagnitude, -tiny]).rounded == Double.leastNormalMagnitude - tiny)
        let top = Double.greatestFiniteMagnitude
        #expect(ExactSum([top, top]).rounded == .infinity)
        #expect(ExactSum([top, top, -top]).rounded == top)  // the intermediate 2·max is kept exactly
        #expect(ExactSum([-top, -top]).rounded == -.infinity)
        #expect(ExactSum([.infinity, 1]).rounded == .infinity)
        #expect(ExactSum([.infinity, -.infinity]).rounded.isNaN)
        #expect(ExactSum([.infinity]).expansion == nil)
    }

    @Test("integer-valued terms: the correct rounding of the exact integer sum")
    func integers() {
        var rng = Xoshiro256PlusPlus(key: 7)
        // Terms of magnitude ≤ 2^52 are doubles exactly; their sums (up to 50 · 2^52) often are not, and Double(Int) rounds them correctly.
        for _ in 0..<200 {
            let terms = (0..<50).map { _ in Int(rng.next() % (1 << 53)) - (1 << 52) }
            #expect(ExactSum(terms.map(Double.init)).rounded == Double(terms.reduce(0, +)))
        }
    }

    @Test("any grouping and order of additions gives the same sum, and the expansion reads back")
    func associativity() {
        var rng = Xoshiro256PlusPlus(key: 11)
        for _ in 0..<50 {
            let terms = (0..<64).map { _ in
                Double(sign: rng.next() % 2 == 0 ? .plus : .minus, exponent: Int(rng.next() % 200) - 100,
                       significand: 1 + Double(rng.next() % (1 << 52)) / 0x1p52)
            }
            let whole = ExactSum(terms)
            let cut = Int(rng.next() % 64)
            var grouped = ExactSum(Array(terms[..<cut]))
            grouped.add(ExactSum(Array(terms[cut...])))
            let reversed = ExactSum(terms.reversed())
            #expect(grouped == whole && reversed == whole)
            #expect(grouped.rounded.bitPattern == whole.rounded.bitPattern)
            let expansion = whole.expansion!
            #expect(ExactSum(expansion) == whole && expansion.first == whole.rounded)
        }
    }

    @Test("CompensatedSum: merged parts are added exactly, so regrouping blocks keeps the value")
    func compensatedRegrouping() {
        var rng = Xoshiro256PlusPlus(key: 3)
        let blocks: [CompensatedSum] = (0..<12).map { _ in
            var s = CompensatedSum()
            for _ in 0..<100 { s.add(Double(rng.next() % 1_000_000) * 1e-3 * (rng.next() % 2 == 0 ? 1e8 : 1e-8)) }
            return s
        }
        var sequential = CompensatedSum()
        for b in blocks { sequential.add(b) }
        var first = CompensatedSum(), second = CompensatedSum(), tree = CompensatedSum()
        for b in blocks[..<5] { first.add(b) }
        for b in blocks[5...] { second.add(b) }
        tree.add(first)
        tree.add(second)
        #expect(tree.value.bitPattern == sequential.value.bitPattern)
    }
}
