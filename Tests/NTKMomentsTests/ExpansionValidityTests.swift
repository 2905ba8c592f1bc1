import Testing
import Multiprecision
@testable import NTKMoments

private func q(_ s: String) -> BigRational { try! BigRational(parsing: s) }

/// σ² = 2 + sign·10^{−k} as an exact rational.
private func nearBoundary(_ k: Int, _ sign: Int) -> BigRational {
    BigRational(2) + BigRational(sign) / BigRational(10).power(k)
}

@Suite("Where the 1/M expansion holds (derivations/07)")
struct ExpansionValidityTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let sigma2: BigRational, lambda: String, biases: Bool
        var testDescription: String { "σ²=\(sigma2.fractionString) λ=\(lambda) \(biases ? "biases" : "no biases")" }
    }

    /// σ² = 2 ± 10^{−k}, k = 1 … 15, at λ = 1/4 and 1 with biases; without biases (where σ²
    /// does not enter) a few k; the three phases at λ = 1/16, 1/4, 1, 10, biases on and off.
    static let cases: [Case] = {
        var cases: [Case] = []
        for lambda in ["1/4", "1"] {
            for k in 1...15 { for sign in [1, -1] { cases.append(Case(sigma2: nearBoundary(k, sign), lambda: lambda, biases: true)) } }
        }
        for k in [1, 6, 12, 15] { for sign in [1, -1] { cases.append(Case(sigma2: nearBoundary(k, sign), lambda: "1", biases: false)) } }
        for s in ["3/2", "2", "5/2"] {
            for lambda in ["1/16", "1/4", "1", "10"] { for biases in [true, false] { cases.append(Case(sigma2: q(s), lambda: lambda, biases: biases)) } }
        }
        return cases
    }()

    /// The known truth for c_j: F from the closed-form limits, c₁ and c₂ from the closed
    /// forms, and in the ordered phase with biases c₃ = c³ (c = 5σ⁴/(4 − σ⁴)).
    static func truth(_ family: FiniteWidthExpansion.Family, precision p: Int) throws -> [BigFloat] {
        let limit = try DispersionLimits(sigma2: family.sigma2, lambda: family.lambda, trainableBiases: family.trainableBiases,
                                         alpha0: family.alpha0, precision: p).exact
        let closed = try #require(try ExpansionClosedForms.dispersion(sigma2: family.sigma2, lambda: family.lambda, inputNorm2: family.inputNorm2,
                                                                      trainableBiases: family.trainableBiases, precision: p))
        var values = [limit, closed.c1, closed.c2]
        if family.trainableBiases && Phase(sigma2: family.sigma2) == .ordered { values.append(closed.c1 * closed.c1 * closed.c1) }
        return values
    }

    @Test("check: expansion-error-bounds — over σ² = 2 ± 10⁻ᵏ (k = 1…15), the three phases and several λ, with and without biases, every ± contains the closed-form truth or the expansion says it does not hold", arguments: cases)
    func errorBounds(_ c: Case) throws {
        let family = FiniteWidthExpansion.Family(sigma2: c.sigma2, lambda: q(c.lambda), trainableBiases: c.biases)
        // As `ntk expand` computes it (default --order 3, --digits 25).
        let e = try FiniteWidthExpansion(family: family, order: 3, digits: 30, points: 12)
        let distance = (c.sigma2 - 2).signum == 0 ? 0.0 : abs(BigFloat(c.sigma2 - 2, precision: 64).doubleValue())
        // A refusal must be the expansion's own: only near the boundary with biases (the
        // crossover and growth scales ~ 1/|σ² − 2| pass the reachable 2^50 at about 10⁻⁹).
        if !e.validity.holds {
            #expect(c.biases && distance > 0 && distance < 1e-6, "refused far from σ² = 2: \(e.validity.reason ?? "")")
            return
        }
        #expect(!(c.biases && distance > 0 && distance < 1e-11), "held at |σ² − 2| = \(distance), where M× = 1/(λ|ln(σ²/2)|) is beyond 2^50/32")
        let truth = try Self.truth(family, precision: e.precision)
        for (j, t) in truth.enumerated() {
            let miss = (e.dispersion.coefficients[j] - t).magnitude()
            #expect(miss <= e.dispersion.errors[j],
                    "c\(j) = \(e.dispersion.coefficients[j].formatted(significantDigits: 30)) ± \(e.dispersion.errors[j].formatted(significantDigits: 3)) misses \(t.formatted(significantDigits: 30)) by \(miss.formatted(significantDigits: 3))")
        }
    }

    @Test("The issue's setting σ² = 2 + 10⁻¹², λ = 1 is refused with the crossover as the reason; far from σ² = 2 the window stays where it was")
    func crossoverRefusal() throws {
        let near = try FiniteWidthExpansion(family: .init(sigma2: nearBoundary(12, 1), lambda: 1), order: 3, digits: 30)
        let reason = try #require(near.validity.reason)
        #expect(reason.contains("phase boundary") && reason.contains("2.00e+12"), "\(reason)")
        let crossover = try #require(near.validity.crossoverWidth)
        // M× = 1/ln(1 + 5·10⁻¹³) = 2·10¹² (1 + 2.5·10⁻¹³).
        #expect(abs(crossover.doubleValue() / 2e12 - 1) < 1e-9)
        let far = try FiniteWidthExpansion(family: .init(sigma2: q("5/2"), lambda: 1), order: 3, digits: 30)
        #expect(far.validity.holds && far.widths.first == 1 << 24)
        // Without biases the dispersion does not depend on σ²: no crossover.
        #expect(ExpansionValidity.crossoverWidth(of: .init(sigma2: nearBoundary(12, 1), lambda: 1, trainableBiases: false)) == nil)
    }

    @Test("Near σ² = 2 the window moves to larger widths, and the coefficients' growth is the scale it moves by")
    func windowMoves() throws {
        let e = try FiniteWidthExpansion(family: .init(sigma2: nearBoundary(6, 1), lambda: 1), order: 2, digits: 20)
        #expect(e.validity.holds)
        let growth = try #require(e.validity.growthWidth)
        let smallest = BigFloat(e.widths[0], precision: 64)
        #expect(smallest >= growth * BigFloat(ExpansionValidity.growthMargin, precision: 64))
        let crossover = try #require(e.validity.crossoverWidth)
        #expect(smallest >= crossover * BigFloat(ExpansionValidity.crossoverMargin, precision: 64))
        // Near σ² = 2⁺ the growth c₂/c₁ ≈ 15λ·σ²/(σ² − 2) (derivations/07): ≈ 3·10⁷ at 2 + 10⁻⁶.
        #expect(growth.doubleValue() > 1e7 && growth.doubleValue() < 1e8, "\(growth.doubleValue())")
    }

    @Test("Predictions F + c1/M are withheld below the asymptotic width and below 1")
    func predictions() throws {
        let e = try FiniteWidthExpansion(family: .init(sigma2: q("5/2"), lambda: 1), order: 1, digits: 20, points: 8)
        let v = e.validity
        let one = BigFloat(1, precision: 64)
        // At σ² = 5/2, λ = 1: c1/F ≈ −18.4, the largest ratio of consecutive coefficients.
        #expect(abs(v.asymptoticWidth.doubleValue() - 1413.2388 / 76.9686) < 0.01)
        let atTen = e.dispersion.coefficients[0] + e.dispersion.coefficients[1] / BigFloat(10, precision: 64)
        #expect(atTen < one && v.predictionFailure(width: 10, value: atTen, minimum: one) != nil)
        let atHundred = e.dispersion.coefficients[0] + e.dispersion.coefficients[1] / BigFloat(100, precision: 64)
        #expect(v.predictionFailure(width: 100, value: atHundred, minimum: one) == nil)
        #expect(v.predictionFailure(width: 100, value: BigFloat(0.5, precision: 64), minimum: one) != nil)
    }
}
