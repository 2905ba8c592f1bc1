import Foundation
import Testing
import Multiprecision
import NTKMoments
import NTKOutput
@testable import Experiments

@Suite("Limit experiment")
struct LimitExperimentTests {
    @Test("chaotic λ = 1: F_ww(1) = 76.968596551009032971 (derivations/04), F_pub(1) = 55.99471989202360694 (mpmath)")
    func chaotic() throws {
        let r = try LimitRequest(lambda: 1, sigma2: BigRational(5, 2), corrections: true).run(.silent)
        #expect(r.phase == .chaotic && !r.alpha0EntersLimit)
        #expect(r.exact.decimal == "76.968596551009032971")
        #expect(r.published.decimal?.hasPrefix("55.9947198920236069") == true)
        #expect(r.c1.decimal != nil && r.correctionsReason == nil)
        let text = try JSONValueEncoder().encode(r).serialized()
        let back = try JSONValueDecoder().decode(LimitResult.self, from: try JSONParser().parse(text))
        #expect(try JSONValueEncoder().encode(back).serialized() == text)
    }

    @Test("ordered σ² = 3/2, λ = 1: c1 = 45/7 (derivations/07's ordered-phase closed form); the limit is 1")
    func ordered() throws {
        let r = try LimitRequest(lambda: 1, sigma2: BigRational(3, 2), corrections: true).run(.silent)
        #expect(r.exact.nearestDouble == 1)
        #expect(r.c1.decimal?.hasPrefix("6.4285714285714285714") == true)
    }

    @Test("near σ² = 2 the corrections are withheld with the reason, never printed")
    func withheld() throws {
        let r = try LimitRequest(lambda: 1, sigma2: try BigRational(parsing: "2.000000000001"), corrections: true).run(.silent)
        #expect(r.c1.isUndefined && r.c2.isUndefined)
        #expect(r.correctionsReason?.contains("phase boundary") == true)
    }

    @Test("refusals")
    func refusals() {
        func message(_ r: LimitRequest) -> String? {
            do { _ = try r.run(.silent); return nil } catch { return "\(error)" }
        }
        #expect(message(LimitRequest(lambda: 51, sigma2: 2))?.contains("outside the supported range") == true)
        #expect(message(LimitRequest(lambda: 1, sigma2: 2, alpha0: 1, inputRatio: 2))?.hasPrefix("give either --alpha0") == true)
        #expect(message(LimitRequest(lambda: 1, sigma2: 2, alpha0: 0, maxMoment: 3))?.hasPrefix("--max-moment needs --alpha0 > 0") == true)
        #expect(message(LimitRequest(lambda: 1, sigma2: 2, inputNorm2: 2, biases: false))?.contains("do not apply with --no-bias") == true)
    }
}

@Suite("Symbolic experiment")
struct SymbolicExperimentTests {
    /// Σ c_ij xⁱ sʲ at (x, s).
    func evaluate(_ p: ReportedPolynomial, x: BigRational, s: BigRational) -> BigRational {
        var total = BigRational(0)
        for (i, row) in p.polynomial.coefficients.enumerated() {
            for (j, c) in row.enumerated() { total = total + c * x.power(i) * s.power(j) }
        }
        return total
    }

    @Test("3,2,2 at s = 2, x = 1: E[Θ] = 61/12, E[Θ²] = 8809/72, E[Θ³] = 30467/4, E[fQ] = 440/9 (enumeration; derivations/03, 08, 11)")
    func golden() throws {
        let r = try SymbolicRequest(network: try Architecture(widths: [3, 2, 2], sigma2: 1), maxMoment: 3, firstStep: true).run(.silent)
        #expect(evaluate(r.mean, x: 1, s: 2) == BigRational(61, 12))
        #expect(evaluate(r.secondMoment, x: 1, s: 2) == BigRational(8809, 72))
        #expect(r.higherMoments.count == 1 && evaluate(r.higherMoments[0], x: 1, s: 2) == BigRational(30467, 4))
        #expect(evaluate(try #require(r.fQ), x: 1, s: 2) == BigRational(440, 9))
        let text = try JSONValueEncoder().encode(r).serialized()
        #expect(try JSONValueDecoder().decode(SymbolicResult.self, from: try JSONParser().parse(text)) == r)
    }

    @Test("refusals: depth beyond 400, gi with the first step")
    func refusals() throws {
        #expect(throws: ExperimentError.self) { try SymbolicRequest(network: try Architecture(width: 3, depth: 401, sigma2: 1)).run(.silent) }
        #expect(throws: ExperimentError.self) {
            try SymbolicRequest(network: try Architecture(widths: [3, 2, 2], sigma2: 1), model: .gradientIndependence, firstStep: true).run(.silent)
        }
    }
}
