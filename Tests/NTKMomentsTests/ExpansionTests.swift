import Testing
import Multiprecision
@testable import NTKMoments

private func q(_ s: String) -> BigRational { try! BigRational(parsing: s) }

/// Digits on which a and b agree: −log₁₀(|a − b|/|b|).
private func agreement(_ a: BigFloat, _ b: BigFloat) -> Double {
    let p = max(a.precision, b.precision) + 32
    let d = (BigFloat(a, precision: p) - BigFloat(b, precision: p)).magnitude()
    if d.isZero { return 1000 }
    return -((d / BigFloat(b, precision: p).magnitude()).log10().doubleValue())
}

@Suite("The 1/M expansion (derivations/07)")
struct ExpansionTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let sigma2: String, lambda: String, x0: String, biases: Bool
        var testDescription: String { "σ²=\(sigma2) λ=\(lambda) ‖x‖²=\(x0) \(biases ? "biases" : "no biases")" }
    }

    static let cases: [Case] = [
        Case(sigma2: "5/2", lambda: "1", x0: "1", biases: true),
        Case(sigma2: "5/2", lambda: "1/2", x0: "3", biases: true),
        Case(sigma2: "4", lambda: "1/4", x0: "1/2", biases: true),
        Case(sigma2: "2", lambda: "1", x0: "1", biases: true),
        Case(sigma2: "2", lambda: "1/8", x0: "2", biases: true),
        Case(sigma2: "2", lambda: "3/2", x0: "1/2", biases: true),
        Case(sigma2: "3/2", lambda: "1/2", x0: "1", biases: true),
        Case(sigma2: "1/2", lambda: "1", x0: "3", biases: true),
        Case(sigma2: "3/2", lambda: "1", x0: "1", biases: false),
        Case(sigma2: "5/2", lambda: "1/4", x0: "2", biases: false),
    ]

    @Test("check: expansion-closed-forms — c1 and c2 in closed form agree with the extrapolated recursion to 20 digits", arguments: cases)
    func closedForms(_ c: Case) throws {
        let family = FiniteWidthExpansion.Family(sigma2: q(c.sigma2), lambda: q(c.lambda), inputNorm2: q(c.x0), trainableBiases: c.biases)
        let e = try FiniteWidthExpansion(family: family, order: 3, digits: 30)
        let closed = try #require(try ExpansionClosedForms.dispersion(sigma2: family.sigma2, lambda: family.lambda,
                                                                      inputNorm2: family.inputNorm2, trainableBiases: c.biases, precision: 160))
        let limit = try DispersionLimits(sigma2: family.sigma2, lambda: family.lambda, trainableBiases: c.biases, alpha0: family.alpha0, precision: 160)
        #expect(agreement(e.dispersion.coefficients[0], limit.exact) > 25, "c0 \(e.dispersion.coefficients[0].formatted(significantDigits: 30)) vs \(limit.exact.formatted(significantDigits: 30))")
        #expect(agreement(e.dispersion.coefficients[1], closed.c1) > 20, "c1 \(e.dispersion.coefficients[1].formatted(significantDigits: 30)) vs \(closed.c1.formatted(significantDigits: 30))")
        #expect(agreement(e.dispersion.coefficients[2], closed.c2) > 20, "c2 \(e.dispersion.coefficients[2].formatted(significantDigits: 30)) vs \(closed.c2.formatted(significantDigits: 30))")
    }

    @Test("check: expansion-golden-values — the library's closed forms at σ² = 5/2, λ = 1, X₀ = 1 equal independent mpmath values")
    func goldenValues() throws {
        // The closed forms of derivations/07 (c1 derived there, c2 the checked elimination) evaluated in
        // mpmath at 50 digits, outside this repository: c1 = −1413.2388476359556272434414187734680181…,
        // c2 = 11173.809629577718849419400292950663888…
        let closed = try #require(try ExpansionClosedForms.dispersion(sigma2: q("5/2"), lambda: 1, inputNorm2: 1, trainableBiases: true, precision: 200))
        #expect(agreement(closed.c1, BigFloat(q("-1413.2388476359556272434414187734680181"), precision: 200)) > 32)
        #expect(agreement(closed.c2, BigFloat(q("11173.809629577718849419400292950663888"), precision: 200)) > 32)
    }

    @Test("check: expansion-ordered-powers — ordered phase with biases: the extrapolated recursion has c_k = c^k, c = 5σ⁴/(4 − σ⁴), for k = 1, 2, 3")
    func orderedPowers() throws {
        // derivations/07 proves R = 1/(1 − c/M) up to exponentially small terms, so c_k = c^k exactly.
        for (sigma2, lambda, c) in [("3/2", "1", "45/7"), ("1", "1/2", "5/3")] {
            let ordered = try FiniteWidthExpansion(family: .init(sigma2: q(sigma2), lambda: q(lambda)), order: 3, digits: 30)
            let cc = BigFloat(q(c), precision: 200)
            #expect(agreement(ordered.dispersion.coefficients[0], BigFloat(1, precision: 200)) > 25)
            #expect(agreement(ordered.dispersion.coefficients[1], cc) > 25, "σ² = \(sigma2)")
            #expect(agreement(ordered.dispersion.coefficients[2], cc * cc) > 25, "σ² = \(sigma2)")
            #expect(agreement(ordered.dispersion.coefficients[3], cc * cc * cc) > 25, "σ² = \(sigma2)")
        }
    }

    @Test("check: expansion-reproducible — 25 digits of c1, c2, c3 agree across windows and precisions")
    func reproducible() throws {
        let family = FiniteWidthExpansion.Family(sigma2: q("5/2"), lambda: q("1/2"), inputNorm2: 2)
        let a = try FiniteWidthExpansion(family: family, order: 3, digits: 30, points: 12)
        let b = try FiniteWidthExpansion(family: family, order: 3, digits: 45, points: 14)
        #expect(a.precision != b.precision && a.widths != b.widths)
        for j in 1...3 {
            #expect(agreement(a.dispersion.coefficients[j], b.dispersion.coefficients[j]) > 25,
                    "c\(j): \(a.dispersion.coefficients[j].formatted(significantDigits: 30)) vs \(b.dispersion.coefficients[j].formatted(significantDigits: 30))")
            // The self-consistent error estimate is honest: below the true difference's scale.
            #expect(a.dispersion.errors[j] < a.dispersion.coefficients[j].magnitude() * BigFloat(q("1e-25"), precision: 64))
        }
    }

    @Test("check: expansion-slope — R(M) − F − c1/M decays like 1/M² at the finite widths themselves")
    func slope() throws {
        let family = FiniteWidthExpansion.Family(sigma2: q("5/2"), lambda: 1)
        let e = try FiniteWidthExpansion(family: family, order: 2, digits: 20)
        let (f, c1) = (e.dispersion.coefficients[0], e.dispersion.coefficients[1])
        var residuals: [(Double, Double)] = []
        for M in [1000, 2000, 4000, 8000] {
            let a = try family.architecture(width: M)
            let m = MomentRecursion(arithmetic: MPFRArithmetic(precision: 200, sigma2: a.sigma2, inputNorm2: a.inputNorm2)).moments(of: a)
            let r = m.secondMoment.mantissa / (m.mean.mantissa * m.mean.mantissa)
            let residual = r - f - c1 / BigFloat(M, precision: 200)
            residuals.append((Double(M), residual.magnitude().doubleValue()))
        }
        for (a, b) in zip(residuals, residuals.dropFirst()) {
            let slope = (b.1 / a.1).log2Value / (b.0 / a.0).log2Value
            #expect(abs(slope + 2) < 0.05, "log-log slope \(slope)")
        }
    }

    @Test("check: mean-is-infinite-width — E[Θ]/Θ* = 1 with no 1/M terms", arguments: [
        ("5/2", "1", "1", true), ("2", "1/2", "1/4", true), ("3/2", "1", "1", true), ("3", "1/4", "1", false),
    ])
    func meanHasNoCorrection(_ c: (String, String, String, Bool)) throws {
        let family = FiniteWidthExpansion.Family(sigma2: q(c.0), lambda: q(c.1), inputRatio: q(c.2), trainableBiases: c.3)
        let e = try FiniteWidthExpansion(family: family, order: 3, digits: 30)
        #expect(agreement(e.meanRatio.coefficients[0], BigFloat(1, precision: 64)) > 60)
        for j in 1...3 {
            #expect(e.meanRatio.coefficients[j].magnitude() < BigFloat(q("1e-60"), precision: 64), "c\(j) = \(e.meanRatio.coefficients[j].formatted(significantDigits: 5))")
        }
        // ... while E[Θ²]/Θ*² has the dispersion's expansion.
        #expect(agreement(e.secondMomentRatio.coefficients[1], e.dispersion.coefficients[1]) > 30)
    }

    @Test("λM must be an integer: widths are multiples of the denominators; n₀ = rM likewise")
    func integrality() throws {
        let e = try FiniteWidthExpansion(family: .init(sigma2: 2, lambda: q("3/10"), inputRatio: q("1/4")), order: 1, digits: 10, points: 6)
        #expect(e.widths.allSatisfy { $0 % 20 == 0 })
        #expect(throws: FiniteWidthExpansion.ExpansionError.self) {
            try FiniteWidthExpansion(family: .init(sigma2: 2, lambda: q("1/1048583")), order: 1, digits: 10)
        }
    }
}

private extension Double {
    var log2Value: Double { Foundation_log(self) / Foundation_log(2) }
}
