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
