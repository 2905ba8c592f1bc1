import Foundation
import Testing
import Multiprecision
@testable import NTKMoments

@Suite("Width-pair numbering and the recursion's bounded per-pair cache")
struct WidthPairIndexTests {
    /// Pairs from a fixed linear congruential generator, small and huge widths mixed.
    static func pairs(_ count: Int, seed: UInt64) -> [(Int, Int)] {
        var state = seed
        func next() -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(state >> 20)
        }
        return (0..<count).map { i in
            switch i % 4 {
            case 0: return (60 + next() % 81, 60 + next() % 81)       // few distinct: many repeats
            case 1: return (next() % (1 << 40) + 1, next() % 5 + 1)   // huge and tiny
            case 2: return (next() % 3 + 1, 0)                          // second member 0, as for width totals
            default: return (next() % 5000 + 1, next() % 5000 + 1)
            }
        }
    }

    @Test("numbers pairs 0, 1, 2, … in order of first appearance, as a Dictionary-based reference does, across growth and reset")
    func numberingMatchesReference() {
        var index = WidthPairIndex()
        var reference: [[Int]: Int] = [:]
        for (round, seed) in [UInt64(1), 2].enumerated() {
            for (a, b) in Self.pairs(50_000, seed: seed) {
                let expected = reference[[a, b]]
                #expect(index.existingNumber(a, b) == expected)
                let (n, inserted) = index.number(a, b)
                #expect(inserted == (expected == nil))
                if let expected { #expect(n == expected) } else {
                    #expect(n == reference.count)
                    reference[[a, b]] = n
                }
            }
            #expect(index.count == reference.count, "round \(round)")
            for (key, n) in reference {
                #expect(index.pairs[n].first == key[0] && index.pairs[n].second == key[1])
            }
            index.removeAll()
            reference.removeAll()
            #expect(index.count == 0 && index.existingNumber(60, 60) == nil)
        }
    }

    @Test("hidden width totals: each distinct width once, in increasing width, with its total layer count")
    func widthTotals() throws {
        let widths = [7] + [5, 5, 9, 5, 1, 9, 9, 9, 2, 5]
        let a = try Architecture(widths: widths, sigma2: 2)
        #expect(a.hiddenWidthTotals == [WidthRun(width: 1, count: 1), WidthRun(width: 2, count: 1),
                                        WidthRun(width: 5, count: 4), WidthRun(width: 9, count: 4)])
    }

    /// More distinct (n_{j−1}, n_j) pairs than the recursion keeps at once (2^14), so its cache
    /// is flushed and restarted mid-run; E[Θ] is checked against the closed form of
    /// derivations/03 (at σ² = 2: Σ_l [‖x‖² n_{l−1}/n₀ + β Π_{j<l}(1 − 2^{−n_j})] + β(1 − Π_j(1 − 2^{−n_j}))).
    @Test("E[Θ] through a run with more distinct width pairs than the cache holds equals the closed form (Double and 128-bit MPFR)")
    func cacheRestartKeepsTheMean() throws {
        var state: UInt64 = 99
        let widths = (0..<(MomentRecursion<DoubleArithmetic>.cachedWidthPairs + 3000)).map { _ -> Int in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return 50 + Int((state >> 33) % 4951)
        }
        let a = try Architecture(widths: widths, sigma2: 2)
        #expect(Set(zip(widths, widths.dropFirst()).map { [$0.0, $0.1] }).count > MomentRecursion<DoubleArithmetic>.cachedWidthPairs)
        var closedForm = 0.0, alive = 1.0
        for l in 1...widths.count {
            closedForm += Double(widths[l - 1]) / Double(widths[0]) + alive
            if l < widths.count { alive *= 1 - pow(2, -Double(widths[l])) }
        }
        closedForm += 1 - alive

        let d = MomentRecursion(arithmetic: try DoubleArithmetic(sigma2: 2, inputNorm2: 1)).moments(of: a).mean
        let double = d.mantissa * pow(2, Double(d.binaryScale))
        #expect(abs(double / closedForm - 1) < 1e-11, "Double \(double) vs \(closedForm)")
        let m = MomentRecursion(arithmetic: MPFRArithmetic(precision: 128, sigma2: 2, inputNorm2: 1)).moments(of: a).mean
        let mpfr = m.mantissa.doubleValue() * pow(2, Double(m.binaryScale))
        #expect(abs(mpfr / closedForm - 1) < 1e-11, "MPFR \(mpfr) vs \(closedForm)")
    }
}
