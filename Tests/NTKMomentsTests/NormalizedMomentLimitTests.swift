import Testing
import Multiprecision
@testable import NTKMoments

private func q(_ s: String) -> BigRational { try! BigRational(parsing: s) }

private func digitsOfAgreement(_ a: BigFloat, _ b: BigFloat) -> Double {
    let d = (a - b).magnitude()
    if d.isZero { return 1000 }
    return -((d / b.magnitude()).log10().doubleValue())
}

/// The closed-form limits of R_p = E[Θ^p]/E[Θ]^p, tied to the exact recursion extrapolated
/// to M = ∞ (no closed form involved), in every phase, biases on and off.
@Suite("Limits of the normalized moments (derivations/08)")
struct NormalizedMomentLimitTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let p: Int, sigma2: String, lambda: String, x0: String, biases: Bool
        var testDescription: String { "p=\(p) σ²=\(sigma2) λ=\(lambda) ‖x‖²=\(x0) \(biases ? "biases" : "no biases")" }
    }

    static let cases: [Case] = [
        Case(p: 3, sigma2: "5/2", lambda: "1/2", x0: "1", biases: true),
        Case(p: 3, sigma2: "1/2", lambda: "1/4", x0: "2", biases: false),
        Case(p: 3, sigma2: "2", lambda: "1/2", x0: "1", biases: true),
        Case(p: 3, sigma2: "2", lambda: "1/8", x0: "1/2", biases: true),
        Case(p: 3, sigma2: "3/2", lambda: "1/2", x0: "1", biases: true),
        Case(p: 4, sigma2: "4", lambda: "1/4", x0: "1", biases: true),
        Case(p: 4, sigma2: "2", lambda: "1/8", x0: "3", biases: false),
    ]

    @Test("check: normalized-moment-limits — closed forms of R3, R4 equal the extrapolated recursion", arguments: cases)
    func closedFormsAgree(_ c: Case) throws {
        let limit = try NormalizedMomentLimit(order: c.p, sigma2: q(c.sigma2), lambda: q(c.lambda), inputNorm2: q(c.x0),
                                              trainableBiases: c.biases, precision: 128)
        #expect(limit.source == .closedForm)
        let e = try FiniteWidthExpansion(family: .init(sigma2: q(c.sigma2), lambda: q(c.lambda), inputNorm2: q(c.x0), trainableBiases: c.biases),
                                         order: 1, digits: 20, points: 9, momentOrder: c.p)
        #expect(digitsOfAgreement(limit.value, e.normalizedMoment.coefficients[0]) > 15,
                "closed \(limit.value.formatted(significantDigits: 20)) vs extrapolated \(e.normalizedMoment.coefficients[0].formatted(significantDigits: 20))")
    }

    @Test("the edge of chaos at p = 4 has no closed form here: extrapolated, with an error estimate")
    func extrapolatedWhereNoClosedForm() throws {
        let limit = try NormalizedMomentLimit(order: 4, sigma2: 2, lambda: q("1/4"), precision: 64)
        guard case .extrapolated(let error) = limit.source else { Issue.record("expected an extrapolated limit"); return }
        #expect(error < limit.value * BigFloat(q("1e-12"), precision: 64))
        // Between the weights-only and bias-only extremes, as a mixture must be.
        #expect(limit.value > BigFloat(1, precision: 64))
    }
}
