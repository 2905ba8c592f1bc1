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

    @Test("check: higher-moment-golden — E[Θ³], E[Θ⁴] of the specification's golden networks")
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

    @Test("the state space has C(p+3, 3) states")
    func stateCounts() {
        #expect((1...6).map { TupleStateSpace.of(order: $0, model: .exact).states.count } == [4, 10, 20, 35, 56, 84])
    }
}
