import Testing
import Multiprecision
@testable import NTKMoments

// E[f·Q] (derivations/11): golden values (derivations/11-first-step.md, first-step-golden), the one-hidden-layer closed form, an
// independent enumeration of the reduced model (not the transfer matrix), and agreement of
// every arithmetic.

/// A brute-force evaluator of E[fQ] written from the reduced model of derivations/02-reduction.md alone:
///
///     E[fQ] = 4 Σ_{l<m} Σ_{j=l}^{m−1} E[f²(X_{l−1} + β)(Π_{i=l}^{j−1} b_i)(X_{m−1}/X_j)Δ_m],
///
/// with Δ_m = Σ_{r=m}^{L} (Π_{i=m}^{r−1} b_i)·(f²/X_r for r < L, 1 for r = L) unrolled, so every
/// term is a monomial in a_i = (σ²/n_{i−1})A_i, b_i = (σ²/n_i)B_i, z = (σ²/n_{L−1})Z; for every
/// activity pattern k (probability Π C(n_i,k_i)/2^{n_i}, any k_i = 0 contributing 0 since f = 0)
/// the monomials are averaged with E[(χ²_d)^p] = d(d+2)⋯(d+2p−2), A_i ~ χ²_{k_i},
/// B_i ~ χ²_{k_i−1}, Z ~ χ²_1, all independent given k.
enum FirstStepEnumeration {
    static func chiSquareMoment(_ d: Int, _ p: Int) -> BigRational {
        var r = BigRational(1)
        for t in 0..<p { r *= BigRational(d + 2 * t) }
        return r
    }

    static func binomial(_ n: Int, _ k: Int) -> BigRational {
        var r = BigRational(1)
        for i in 0..<k { r = r * BigRational(n - i) / BigRational(i + 1) }
        return r
    }

    static func expectation(widths: [Int], sigma2: BigRational, inputNorm2 x0: BigRational, biases: Bool) -> BigRational {
        let L = widths.count  // widths = n_0 … n_{L−1}
        guard L >= 2, !x0.isZero else { return 0 }
        let beta = BigRational(biases ? 1 : 0)
        // Monomials: exponents of a_i, b_i (i = 1 … L−1), of z, and the coefficient.
        struct Monomial { var a: [Int]; var b: [Int]; var z: Int; var c: BigRational }
        var monomials: [Monomial] = []
        let zeros = Array(repeating: 0, count: L)
        for l in 1..<L {
            for m in (l + 1)...L {
                for j in l..<m {
                    for r in m...L {
                        for biasTerm in [false, true] {
                            if biasTerm && beta.isZero { continue }
                            var t = Monomial(a: zeros, b: zeros, z: 1, c: 4 * x0)  // f² = z·X0·Π_{i ≤ L−1} a_i
                            for i in 1..<L { t.a[i] += 1 }
                            if biasTerm { t.c *= beta } else {
                                t.c *= x0
                                for i in 1..<l { t.a[i] += 1 }  // X_{l−1}
                            }
                            for i in l..<j { t.b[i] += 1 }
                            for i in stride(from: j + 1, to: m, by: 1) { t.a[i] += 1 }  // X_{m−1}/X_j
                            for i in m..<r { t.b[i] += 1 }
                            if r < L {  // f²/X_r = z Π_{i=r+1}^{L−1} a_i
                                t.z += 1
                                for i in stride(from: r + 1, to: L, by: 1) { t.a[i] += 1 }
                            }
                            monomials.append(t)
                        }
                    }
                }
            }
        }
        // Sum over activity patterns with every k_i ≥ 1.
        var total = BigRational(0)
        var k = Array(repeating: 1, count: L)
        func visit(_ i: Int, _ probability: BigRational) {
            if i == L {
                for t in monomials {
                    var e = t.c * chiSquareMoment(1, t.z) * (sigma2 / BigRational(widths[L - 1])).power(t.z)
                    for q in 1..<L {
                        if t.a[q] > 0 { e *= chiSquareMoment(k[q], t.a[q]) * (sigma2 / BigRational(widths[q - 1])).power(t.a[q]) }
                        if t.b[q] > 0 { e *= chiSquareMoment(k[q] - 1, t.b[q]) * (sigma2 / BigRational(widths[q])).power(t.b[q]) }
                    }
                    total += probability * e
                }
                return
            }
            let n = widths[i]
            for ki in 1...n {
                k[i] = ki
                visit(i + 1, probability * binomial(n, ki) / BigRational(2).power(n))
            }
        }
        visit(1, 1)
        return total
    }
}

@Suite("E[f·Q]: the exact smooth first-step change of the NTK")
struct FirstStepTests {
    func exact(_ widths: [Int], _ sigma2: BigRational, x: BigRational = 1, biases: Bool = true) throws -> BigRational {
        let a = try Architecture(widths: widths, sigma2: sigma2, inputNorm2: x, trainableBiases: biases)
        return FirstStepRecursion(arithmetic: RationalArithmetic(sigma2: sigma2, inputNorm2: x)).expectation(of: a).mantissa
    }

    @Test("check: first-step-golden — the golden values of derivations/11 (also reproduced by the brute-force enumeration below)")
    func goldenValues() throws {
        #expect(try exact([3, 2, 2], BigRational(3, 2)) == BigRational(63, 4))
        #expect(try exact([3, 2, 2], 2) == BigRational(440, 9))
        #expect(try exact([3, 2, 2], BigRational(5, 2)) == BigRational(2125, 18))
        #expect(try exact([4, 3, 3, 3], 2) == 150)
        #expect(try exact([5, 7, 6], 2) == BigRational(10016, 525))
        #expect(try exact([6, 6, 6, 6, 6], 2) == BigRational(1660, 9))
        #expect(try exact([3, 2], 2, x: 2) == 16)
    }

    @Test("check: first-step-one-hidden-layer — L = 2: E[fQ] = 2σ⁴X₀(X₀ + β)/n₀; L = 1 and ‖x‖² = 0 give 0")
    func oneHiddenLayer() throws {
        for (widths, s, x) in [([3, 2], BigRational(2), BigRational(2)), ([1, 1], BigRational(3, 2), BigRational(1)),
                               ([5, 9], BigRational(7, 3), BigRational(1, 4)), ([2, 40], BigRational(1, 2), BigRational(3))] {
            for biases in [true, false] {
                let beta = BigRational(biases ? 1 : 0)
                let expected = 2 * s * s * x * (x + beta) / BigRational(widths[0])
                #expect(try exact(widths, s, x: x, biases: biases) == expected)
            }
        }
        #expect(try exact([4], 2) == 0)
        #expect(try exact([4, 3, 3], 2, x: 0) == 0)
    }

    @Test("check: first-step-enumeration — the recursion equals a brute-force enumeration of the reduced model",
          arguments: [[3, 2, 2], [4, 3, 3, 3], [5, 7, 6], [2, 1, 3], [1, 2, 1, 2], [3, 4, 2, 3, 2], [6, 6, 6, 6, 6]])
    func enumeration(_ widths: [Int]) throws {
        for (s, x) in [(BigRational(2), BigRational(1)), (BigRational(3, 2), BigRational(5, 2)), (BigRational(7, 3), BigRational(1, 3))] {
            for biases in [true, false] {
                let expected = FirstStepEnumeration.expectation(widths: widths, sigma2: s, inputNorm2: x, biases: biases)
                #expect(try exact(widths, s, x: x, biases: biases) == expected, "widths \(widths) σ²=\(s) ‖x‖²=\(x) biases \(biases)")
            }
        }
    }

    @Test("The enumeration itself reproduces the golden values of derivations/11")
    func enumerationGolden() {
        #expect(FirstStepEnumeration.expectation(widths: [3, 2, 2], sigma2: 2, inputNorm2: 1, biases: true) == BigRational(440, 9))
        #expect(FirstStepEnumeration.expectation(widths: [6, 6, 6, 6, 6], sigma2: 2, inputNorm2: 1, biases: true) == BigRational(1660, 9))
    }

    @Test("check: first-step-arithmetics — MPFR, Double and certified enclose or match the exact value; symbolic evaluates to it")
    func arithmetics() throws {
        let cases: [([Int], BigRational, BigRational, Bool)] = [
            ([3, 2, 2], 2, 1, true), ([5, 7, 6], BigRational(5, 2), BigRational(1, 3), true),
            ([4, 3, 3, 3], BigRational(3, 2), 2, false), ([10, 80, 80, 80, 3, 70, 70], 2, 1, true),
        ]
        for (widths, s, x, biases) in cases {
            let a = try Architecture(widths: widths, sigma2: s, inputNorm2: x, trainableBiases: biases)
            let truth = try exact(widths, s, x: x, biases: biases)
            let certified = FirstStepRecursion(arithmetic: EnclosureArithmetic(precision: 128, sigma2: s, inputNorm2: x)).expectation(of: a).mantissa
            #expect(certified.contains(truth))
            let summaryExact = try FirstStepSummary(architecture: a, mode: .exact)
            for mode in [ArithmeticMode.mpfr(precision: 200), .double, .certified(precision: 100)] {
                let summary = try FirstStepSummary(architecture: a, mode: mode)
                for (value, exactValue) in [(summary.fQ, summaryExact.fQ), (summary.meanChangePerRate, summaryExact.meanChangePerRate),
                                            (summary.overMean, summaryExact.overMean), (summary.overMeanSquared, summaryExact.overMeanSquared)] {
                    guard case .exact(let r) = exactValue, let e = value.guaranteedEnclosure else {
                        Issue.record("missing enclosure for \(mode)"); continue
                    }
                    #expect(e.contains(r), "\(mode) \(widths)")
                }
            }
            let polynomial = FirstStepRecursion(arithmetic: SymbolicArithmetic()).expectation(of: a).mantissa
            #expect(polynomial.evaluate(s: s, x: x) == truth)
        }
    }

    @Test("check: first-step-weights-only-scale-free — without biases E[fQ]/E[Θ]² does not depend on σ² or ‖x‖², at any width")
    func weightsOnlyScaleFree() throws {
        for widths in [[3, 2, 2], [5, 7, 6, 4]] {
            var ratios: [BigRational] = []
            for (s, x) in [(BigRational(1, 2), BigRational(1)), (BigRational(2), BigRational(3)), (BigRational(7, 2), BigRational(1, 5))] {
                let a = try Architecture(widths: widths, sigma2: s, inputNorm2: x, trainableBiases: false)
                guard case .exact(let r) = try FirstStepSummary(architecture: a, mode: .exact).overMeanSquared else { Issue.record("not exact"); return }
                ratios.append(r)
            }
            #expect(Set(ratios.map(\.fractionString)).count == 1)
        }
    }

    @Test("Constant width 10⁶ layers runs in O(log L) and agrees between MPFR and certified")
    func deepConstantWidth() throws {
        let a = try Architecture(width: 50, depth: 1_000_000, sigma2: 2)
        let certified = try FirstStepSummary(architecture: a, mode: .certified(precision: 128))
        let mpfr = try FirstStepSummary(architecture: a, mode: .mpfr(precision: 128))
        guard let e = certified.overMeanSquared.guaranteedEnclosure, let f = mpfr.overMeanSquared.guaranteedEnclosure else {
            Issue.record("no values"); return
        }
        #expect(e.lower <= f.upper && f.lower <= e.upper)  // both contain the true value
    }
}
