import Testing
import Multiprecision
@testable import NTKMoments

private func q(_ s: String) -> BigRational { try! BigRational(parsing: s) }

@Suite("Higher moments E[Θ^p] (derivations/08)")
struct HigherMomentTests {
    func exact(_ widths: [Int], _ sigma2: String, _ x: String, biases: Bool = true, model: MomentModel = .exact, p: Int) throws -> BigRational {
        let a = try Architecture(widths: widths, sigma2: q(sigma2), inputNorm2: q(x), trainableBiases: biases)
        return TupleMomentRecursion(arithmetic: RationalArithmetic(sigma2: q(sigma2), inputNorm2: q(x)), model: model, order: p).moment(of: a).mantissa
    }

    @Test("check: higher-moment-golden — E[Θ³], E[Θ⁴] of the golden networks of derivations/08")
    func golden() throws {
        #expect(try exact([3, 2, 2], "2", "1", p: 3) == q("30467/4"))
        #expect(try exact([3, 2, 2], "2", "1", p: 4) == q("21200807/24"))
        #expect(try exact([4, 3, 5], "5/2", "2", p: 3) == q("18789807/512"))
        #expect(try exact([4, 3, 5], "5/2", "2", p: 4) == q("4455833539/1024"))
    }

    @Test("check: tuple-recursion-reproduces-pairs — p = 1, 2 equal the specialised engine, with runs and both models")
    func reproducesPairs() throws {
        for widths in [[3, 2, 2], [5, 5, 5, 5], [4, 3, 5], [2, 7, 7, 7, 1, 3]] {
            for model in [MomentModel.exact, .gradientIndependence] {
                for biases in [true, false] {
                    let a = try Architecture(widths: widths, sigma2: q("5/2"), inputNorm2: q("2/3"), trainableBiases: biases)
                    let arithmetic = RationalArithmetic(sigma2: q("5/2"), inputNorm2: q("2/3"))
                    let m = MomentRecursion(arithmetic: arithmetic, model: model).moments(of: a)
                    #expect(TupleMomentRecursion(arithmetic: arithmetic, model: model, order: 1).moment(of: a).mantissa == m.mean.mantissa)
                    #expect(TupleMomentRecursion(arithmetic: arithmetic, model: model, order: 2).moment(of: a).mantissa == m.secondMoment.mantissa)
                }
            }
        }
        // A long constant-width run (repeated squaring) in MPFR.
        let a = try Architecture(width: 50, depth: 5000, sigma2: q("5/2"))
        let arithmetic = MPFRArithmetic(precision: 200, sigma2: q("5/2"), inputNorm2: 1)
        let m = MomentRecursion(arithmetic: arithmetic).moments(of: a)
        let t = TupleMomentRecursion(arithmetic: arithmetic, order: 2).moment(of: a).mantissa
        #expect(((t - m.secondMoment.mantissa) / t).magnitude() < BigFloat(q("1e-50"), precision: 64))
    }

    @Test("symbolic E[Θ³], E[Θ⁴] evaluate to the golden values")
    func symbolic() throws {
        let a = try Architecture(widths: [4, 3, 5], sigma2: 1)
        let p3 = TupleMomentRecursion(arithmetic: SymbolicArithmetic(), order: 3).moment(of: a).mantissa
        let p4 = TupleMomentRecursion(arithmetic: SymbolicArithmetic(), order: 4).moment(of: a).mantissa
        #expect(p3.evaluate(s: q("5/2"), x: 2) == q("18789807/512"))
        #expect(p4.evaluate(s: q("5/2"), x: 2) == q("4455833539/1024"))
        #expect(p3.sDegree == 3 * (a.depth - 1) && p4.xDegree == 4)  // degree p(L−1) in σ², p in ‖x‖²
    }

    @Test("the state space has C(p+3, 3) states")
    func stateCounts() {
        #expect((1...6).map { TupleStateSpace.of(order: $0, model: .exact).states.count } == [4, 10, 20, 35, 56, 84])
    }

    @Test("check: higher-moment-bound — rounded higher moments and their derived statistics are enclosed; exact skewness and kurtosis")
    func roundedHigherMoments() throws {
        let architectures = [try Architecture(widths: [3, 2, 2], sigma2: 2), try Architecture(width: 100, depth: 2000, sigma2: q("5/2")),
                             try Architecture(width: 30, depth: 300, sigma2: q("3/2"), inputNorm2: 3, trainableBiases: false)]
        for a in architectures {
            let truth = try HigherMomentSummary(architecture: a, mode: .certified(precision: 600), maxOrder: 4)
            for mode in [ArithmeticMode.double, .mpfr(precision: 40), .mpfr(precision: 128)] {
                let s = try HigherMomentSummary(architecture: a, mode: mode, maxOrder: 4)
                for (r, t) in zip(s.moments + s.normalized + [s.skewness, s.excessKurtosis],
                                  truth.moments + truth.normalized + [truth.skewness, truth.excessKurtosis]) {
                    guard let e = r.guaranteedEnclosure, let x = t.guaranteedEnclosure else { continue }
                    #expect(e.lower <= x.lower && x.upper <= e.upper, "\(mode)")
                }
            }
        }
        // Exact: widths 3,2,2, σ² = 2 (the golden network): kurtosis from the golden moments.
        let h = try HigherMomentSummary(architecture: try Architecture(widths: [3, 2, 2], sigma2: 2), mode: .exact, maxOrder: 4)
        let mu = q("61/12"), e2 = q("8809/72"), e3 = q("30467/4"), e4 = q("21200807/24")
        let variance = e2 - mu * mu
        let m4 = e4 - 4 * mu * e3 + 6 * mu * mu * e2 - 3 * mu * mu * mu * mu
        guard case .exact(let kurtosis) = h.excessKurtosis else { Issue.record("kurtosis not exact"); return }
        #expect(kurtosis == m4 / (variance * variance) - 3)
        let m3 = e3 - 3 * mu * e2 + 2 * mu * mu * mu
        let skew = try #require(h.skewness.guaranteedEnclosure)
        // skewness² = m3²/Var³ exactly.
        let square = skew * skew
        #expect(square.contains(m3 * m3 / (variance * variance * variance)))
    }
}

@Suite("Periodic width patterns")
struct PeriodicPatternTests {
    @Test("check: periodic-blocks — a repeated group is applied as a period matrix power, with the same results")
    func periodic() throws {
        let runs = [WidthRun(width: 7, count: 2)] + (0..<40).flatMap { _ in [WidthRun(width: 5, count: 1), WidthRun(width: 9, count: 3)] }
        let a = try Architecture(inputDimension: 6, hiddenRuns: runs, sigma2: q("5/2"), inputNorm2: q("1/3"))
        #expect(a.layerBlocks.contains { if case .periodic(_, let r) = $0 { return r >= 4 } else { return false } })
        let arithmetic = RationalArithmetic(sigma2: q("5/2"), inputNorm2: q("1/3"))
        // The mean: the per-layer contributions (an O(L) pass with no periods) sum to it exactly.
        let m = MomentRecursion(arithmetic: arithmetic).moments(of: a)
        let contributions = MomentRecursion(arithmetic: arithmetic).layerContributions(of: a)
        #expect(contributions.reduce(BigRational(0), +) == m.mean.mantissa)
        // E[Θ²], E[Θ³]: Double applies layer by layer; it must agree with the periodic exact path.
        for p in [2, 3] {
            let exact = TupleMomentRecursion(arithmetic: arithmetic, order: p).moment(of: a).mantissa
            let d = TupleMomentRecursion(arithmetic: try DoubleArithmetic(sigma2: q("5/2"), inputNorm2: q("1/3")), order: p).moment(of: a)
            let double = BigFloat(d.mantissa, precision: 53).timesPowerOfTwo(d.binaryScale)
            let e = BigFloat(exact, precision: 64)
            #expect(((double - e) / e).magnitude() < BigFloat(q("1e-11"), precision: 64), "p = \(p)")
        }
        #expect(TupleMomentRecursion(arithmetic: arithmetic, order: 2).moment(of: a).mantissa == m.secondMoment.mantissa)
    }
}
