import Foundation
import Testing
import Multiprecision
import NTKMoments
import NTKOutput
@testable import Experiments

@Suite("Expand experiment")
struct ExpandExperimentTests {
    /// |x| of a reported decimal, read at 64 bits.
    func magnitude(_ r: ReportedReal?) throws -> Double {
        let text = try #require(r?.decimal)
        return abs(try #require(DecimalText.nearestDouble(text)))
    }

    @Test("chaotic σ² = 2.5, λ = 1, n0 = M: F = 76.968596551009032971 (derivations/04), c1 = −1413.2388476359556272 (closed form, derivations/07); fit and closed forms agree far below the error")
    func chaotic() throws {
        let r = try ExpandRequest(sigma2: BigRational(5, 2), lambda: 1).run(.silent)
        #expect(r.isValid && r.phase == .chaotic)
        let d = try #require(r.dispersion)
        #expect(d.coefficients.count == 4 && d.errors.count == 4)
        #expect(d.coefficients[0].decimal?.hasPrefix("76.968596551009032971") == true)
        #expect(d.coefficients[1].decimal?.hasPrefix("-1413.2388476359556272") == true)
        let c = try #require(r.closedForms)
        #expect(c.c1.decimal?.hasPrefix("-1413.2388476359556272") == true)
        // The closed forms are exact and the fit carries 30 digits: their difference is far
        // below both the reported ± and the 25 printed digits.
        #expect(try magnitude(c.c1Difference) < 1e-40)
        #expect(try magnitude(c.c2Difference) < 1e-40)
        #expect(try magnitude(c.c1Difference) < magnitude(d.errors[1]))
    }

    @Test("σ² = 2 + 10⁻¹², λ = 1: the expansion does not hold (crossover near the phase boundary); no coefficient")
    func nearBoundary() throws {
        let r = try ExpandRequest(sigma2: try BigRational(parsing: "2.000000000001"), lambda: 1).run(.silent)
        #expect(!r.isValid)
        #expect(r.reason?.contains("phase boundary σ² = 2") == true)
        #expect(r.dispersion == nil && r.closedForms == nil && r.meanRatio == nil && r.secondMomentRatio == nil)
        let document = try JSONValueEncoder().encode(r)
        #expect(document["valid"]?.boolValue == false)
        #expect(document["F"] == nil)
    }

    @Test("the JSON document reads back to the same document (valid, with the first step, and refused)")
    func roundTrip() throws {
        for request in [ExpandRequest(sigma2: BigRational(5, 2), lambda: 1, firstStep: true),
                        ExpandRequest(sigma2: BigRational(3, 2), lambda: BigRational(1, 2), biases: false, order: 5, digits: 10),
                        ExpandRequest(sigma2: try BigRational(parsing: "2.000000000001"), lambda: 1)] {
            let r = try request.run(.silent)
            let text = try JSONValueEncoder().encode(r).serialized()
            let back = try JSONValueDecoder().decode(ExpandResult.self, from: try JSONParser().parse(text))
            #expect(try JSONValueEncoder().encode(back).serialized() == text)
            #expect(back.schema.name == "ntk.expand" && back.schema.version == 1)
            #expect(back.dispersion?.coefficients == r.dispersion?.coefficients)
        }
    }

    @Test("the stamp leads the document")
    func stampFirst() throws {
        let r = try ExpandRequest(sigma2: BigRational(5, 2), lambda: 1, order: 1).run(.silent)
        guard case .object(let members) = try JSONValueEncoder().encode(r) else { Issue.record("not an object"); return }
        #expect(members.prefix(4).map(\.key) == ["schema", "schema_version", "ntk_version", "sigma2"])
    }

    @Test("refusals carry the command line's one-line messages")
    func refusals() throws {
        func message(_ r: ExpandRequest) -> String? {
            do { try r.check(); return nil } catch { return "\(error)" }
        }
        #expect(message(ExpandRequest(sigma2: 2, lambda: 1)) == nil)
        #expect(message(ExpandRequest(sigma2: -1, lambda: 1))
                == "--sigma2 '-1' is out of range: must be positive; allowed: a positive number such as 2, 5/2, 2.5 or 1e-1")
        #expect(message(ExpandRequest(sigma2: 2, lambda: 100)) == "--lambda '100' is out of range: at most 50")
        #expect(message(ExpandRequest(sigma2: 2, lambda: 1, inputRatio: 2000)) == "--input-ratio '2000' is out of range: at most 1000")
        #expect(message(ExpandRequest(sigma2: 2, lambda: 1, order: 9)) == "--order '9' is out of range: an integer from 1 to 8")
        #expect(message(ExpandRequest(sigma2: 2, lambda: 1, digits: 0)) == "--digits '0' is out of range: an integer from 1 to 100")
        #expect(message(ExpandRequest(sigma2: 2, lambda: 1, inputRatio: 2, alpha0: 1)) == "give either --alpha0 or --input-ratio, not both")
        #expect(message(ExpandRequest(sigma2: 2, lambda: 1, alpha0: 1, biases: false))
                == "--alpha0 does not apply with --no-bias (α0 = 0 without biases)")
        #expect(message(ExpandRequest(sigma2: 2, lambda: 1, model: .gradientIndependence, firstStep: true))
                == "--first-step needs --model exact (E[fQ] is a property of the real network)")
        // run refuses too, before computing anything.
        #expect(throws: ExperimentError.invalidRequest("--order '9' is out of range: an integer from 1 to 8")) {
            try ExpandRequest(sigma2: 2, lambda: 1, order: 9).run(.silent)
        }
    }

    @Test("with α0 the input ratio is α0·‖x‖²; widths are multiples of the base that makes λM and n0 integers")
    func family() throws {
        let f = ExpandRequest(sigma2: 2, lambda: BigRational(1, 2), inputNorm2: BigRational(1, 3), alpha0: 3).family
        #expect(f.inputRatio == 1 && f.alpha0 == 3)
        let r = ExpandRequest(sigma2: 2, lambda: BigRational(1, 3), inputRatio: BigRational(1, 2), order: 5)
        #expect(r.windowPoints == 14 && r.workingDigits == 30)
        #expect(r.family.widthBase == 6)
    }
}
