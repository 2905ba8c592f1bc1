import Testing
import Multiprecision
@testable import NTKMoments

private func q(_ s: String) -> BigRational { try! BigRational(parsing: s) }

/// |a − b| ≤ tol·|b|.
private func relativelyClose(_ a: BigFloat, _ b: BigFloat, _ tolerance: String) -> Bool {
    let p = max(a.precision, b.precision) + 32
    let diff = (BigFloat(a, precision: p) - BigFloat(b, precision: p)).magnitude()
    return diff <= BigFloat(q(tolerance), precision: p) * b.magnitude()
}

/// Dispersion E[Θ²]/E[Θ]² of the finite recursion at constant width M, depth round(λM).
func finiteDispersion(sigma2: String, width M: Int, depth L: Int, inputRatio: Int = 1,
                      model: MomentModel = .exact, precision: Int = 128) -> BigFloat {
    let arch = try! Architecture(width: M, depth: L, inputDimension: inputRatio * M, sigma2: q(sigma2))
    let m = MomentRecursion(arithmetic: MPFRArithmetic(precision: precision, sigma2: arch.sigma2, inputNorm2: arch.inputNorm2),
                            model: model).moments(of: arch)
    return m.secondMoment.mantissa / (m.mean.mantissa * m.mean.mantissa)
}

@Suite("Infinite-depth-and-width limits (derivations/04)")
struct InfiniteWidthLimitTests {
    @Test("check: limit-values — F_ww and F_pub at λ = 1 and 0.1 match independent mpmath values of the closed forms")
    func values() {
        #expect(relativelyClose(InfiniteWidthLimits.weightWeight(1, precision: 128), BigFloat(q("76.96859655100903297"), precision: 128), "1e-19"))
        #expect(relativelyClose(InfiniteWidthLimits.weightWeight(q("0.1"), precision: 128), BigFloat(q("1.458273422662666102"), precision: 128), "1e-18"))
        #expect(relativelyClose(InfiniteWidthLimits.published(1, precision: 128), BigFloat(q("55.9947"), precision: 128), "1e-5"))
    }

    @Test("check: limit-series — closed forms agree with their Taylor series at λ = 1e-12 to 40 digits")
    func series() {
        let lambda = q("1e-12")
        let l = BigFloat(lambda, precision: 400)
        func poly(_ coefficients: [String]) -> BigFloat {
            var total = BigFloat(0, precision: 400)
            var power = BigFloat(1, precision: 400)
            for c in coefficients { total += BigFloat(q(c), precision: 400) * power; power *= l }
            return total
        }
        // The series of derivations/04 and 05, truncated after λ³ (the remainder is O(λ⁴) = 1e-48).
        #expect(relativelyClose(InfiniteWidthLimits.weightWeight(lambda, precision: 200), poly(["1", "11/3", "47/6", "353/30"]), "1e-40"))
        #expect(relativelyClose(InfiniteWidthLimits.published(lambda, precision: 200), poly(["1", "11/3", "43/6", "293/30"]), "1e-40"))
        // F_bb = 2(e^{5λ} − 1 − 5λ)/(25λ²) = 1 + 5λ/3 + 25λ²/12 + 25λ³/12 + …
        #expect(relativelyClose(InfiniteWidthLimits.biasBias(lambda, precision: 200), poly(["1", "5/3", "25/12", "25/12"]), "1e-40"))
    }

    @Test("check: limit-tiny-lambda — every limit is finite and tends to 1 down to λ = 1e-30")
    func tinyLambda() {
        for text in ["1e-30", "1e-20", "1e-8"] {
            let lambda = q(text)
            for sigma2 in ["3/2", "2", "5/2"] {
                let limits = try! DispersionLimits(sigma2: q(sigma2), lambda: lambda, alpha0: 1, precision: 128)
                for v in [limits.exact, limits.gradientIndependence, limits.published] {
                    #expect(v.isFinite)
                    #expect(relativelyClose(v, BigFloat(1, precision: 128), "1e-6"))
                }
            }
        }
    }

    @Test("check: exact-limit-convergence — σ² = 5/2, λ = 1: error ≈ c/M, order 1, Richardson to 1e-6")
    func convergenceChaotic() {
        // The example asked for 1e-3 at M = 10⁴; the measured error there is 1.83e-3
        // (c(1) ≈ −18.4): the tolerance below is what the mathematics gives, not a loosened bound.
        let limit = InfiniteWidthLimits.weightWeight(1, precision: 128)
        var values: [BigFloat] = []
        var errors: [Double] = []
        for M in [1000, 10_000, 100_000] {
            let r = finiteDispersion(sigma2: "5/2", width: M, depth: M)
            values.append(r)
            errors.append(((r - limit) / limit).magnitude().doubleValue())
        }
        #expect(errors[1] < 2e-3)
        #expect(errors[2] < 2e-4)
        for i in 0..<2 {
            let order = Foundation_log(errors[i] / errors[i + 1]) / Foundation_log(10)
            #expect(abs(order - 1) < 0.01)
        }
        // Richardson with error c/M: R∞ ≈ (M₂R₂ − M₁R₁)/(M₂ − M₁).
        let p = 160
        let richardson = (BigFloat(100_000, precision: p) * values[2] - BigFloat(10_000, precision: p) * values[1])
            / BigFloat(90_000, precision: p)
        #expect(relativelyClose(richardson, limit, "1e-6"))
    }

    @Test("check: gi-limit-is-published — the GI recursion converges to F_pub, not F_ww")
    func giConvergesToPublished() {
        let published = InfiniteWidthLimits.published(q("1/2"), precision: 128)
        let exact = InfiniteWidthLimits.weightWeight(q("1/2"), precision: 128)
        let r = finiteDispersion(sigma2: "3", width: 20_000, depth: 10_000, model: .gradientIndependence)
        #expect(relativelyClose(r, published, "1e-3"))
        #expect(!relativelyClose(r, exact, "1e-2"))
    }

    @Test("check: eoc-limit — at σ² = 2 the exact recursion converges to the α₀ mixture")
    func edgeOfChaos() {
        // n₀ = 2M, ‖x‖² = 1 → α₀ = 2.
        let limits = try! DispersionLimits(sigma2: 2, lambda: q("1/2"), alpha0: 2, precision: 128)
        let r = finiteDispersion(sigma2: "2", width: 20_000, depth: 10_000, inputRatio: 2)
        #expect(relativelyClose(r, limits.exact, "1e-3"))
        let gi = finiteDispersion(sigma2: "2", width: 20_000, depth: 10_000, inputRatio: 2, model: .gradientIndependence)
        #expect(relativelyClose(gi, limits.gradientIndependence, "1e-3"))
    }

    @Test("check: ordered-limit — σ² = 3/2 with biases: R = 1/(1 − c/M), c = 45/7, up to 5L·2^−M and (3/4)^L-sized terms")
    func ordered() {
        // derivations/07: R = (1 − c/M)^{-1}(1 + ε), |ε| ≤ 5L·2^{−M}(1 + o(1)) + O(poly(L)(σ²/2)^L), c = 5σ⁴/(4 − σ⁴).
        // At M = L = 10³ and 10⁴ both error terms are below 10⁻¹²⁰, so the recursion must equal M/(M − c)
        // to the working precision; R − 1 = c/(M − c) is 6.4·10⁻⁴ at M = 10⁴.
        let p = 192
        for M in [1000, 10_000] {
            let r = finiteDispersion(sigma2: "3/2", width: M, depth: M, precision: p)
            let expected = BigFloat(BigRational(7 * M) / BigRational(7 * M - 45), precision: p)
            #expect(relativelyClose(r, expected, "1e-40"), "M = \(M): \(r.formatted(significantDigits: 45))")
        }
        // At M = 24, L = 400 the 2^{−M} terms are visible (about 2.6·10⁻⁵) and must stay within 5L·2^{−M}.
        let r = finiteDispersion(sigma2: "3/2", width: 24, depth: 400, precision: p)
        let expected = BigFloat(BigRational(7 * 24) / BigRational(7 * 24 - 45), precision: p)
        let bound = BigRational(5 * 400) / BigRational(1 << 24)
        #expect(relativelyClose(r, expected, bound.description))
        #expect(!relativelyClose(r, expected, "1e-7"), "the t = 2^{−M} effect is expected to be visible at M = 24")
    }
}
