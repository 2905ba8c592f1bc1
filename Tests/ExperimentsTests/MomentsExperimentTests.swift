import Foundation
import Testing
import Multiprecision
import NTKMoments
import NTKOutput
@testable import Experiments

@Suite("Moments experiment")
struct MomentsExperimentTests {
    @Test("docs/library.md's example: exact E[Θ] = 61/12 and E[Θ⁴] = 21200807/24 for 3,2,2 at σ² = 2 (enumeration, derivations/08)")
    func libraryExample() throws {
        let request = MomentsRequest(network: try Architecture(widths: [3, 2, 2], sigma2: 2), arithmetic: .exact, maxMoment: 4)
        let result = try request.run(.silent)
        #expect(result.mean.exact == "61/12")
        #expect(result.secondMoment.exact == "8809/72")
        #expect(result.higherMoments?.map(\.exact) == ["30467/4", "21200807/24"])
        let json = try JSONValueEncoder().encode(result)
        #expect(json["schema"] == .string("ntk.moments") && json["E_theta4_exact"] == .string("21200807/24"))
        let text = json.serialized()
        #expect(try JSONValueEncoder().encode(try JSONValueDecoder().decode(MomentsResult.self, from: try JSONParser().parse(text))).serialized() == text)
    }

    @Test("every arithmetic encloses or matches the exact E[Θ²] = 8809/72", arguments: MomentsRequest.Arithmetic.allCases)
    func arithmetics(_ arithmetic: MomentsRequest.Arithmetic) throws {
        let result = try MomentsRequest(network: try Architecture(widths: [3, 2, 2], sigma2: 2), arithmetic: arithmetic,
                                        firstStep: true, perLayer: true).run(.silent)
        let truth = BigRational(8809) / BigRational(72)
        if let lower = result.secondMoment.lower, let upper = result.secondMoment.upper {
            #expect(try BigRational(parsing: lower) <= truth && truth <= (try BigRational(parsing: upper)))
        } else {
            #expect(result.secondMoment.exact == "8809/72")
        }
        // E[fQ] = 440/9 for this network (derivations/11); the contributions sum to E[Θ] = 61/12.
        #expect(abs((result.fQ?.nearestDouble ?? 0) - 440.0 / 9) < 1e-9)
        let sum = result.layerContributions?.entries.compactMap(\.nearestDouble).reduce(0, +) ?? 0
        #expect(abs(sum - 61.0 / 12) < 1e-9)
    }

    @Test("refusals carry the command line's messages")
    func refusals() throws {
        let a = try Architecture(widths: [3, 2, 2], sigma2: 2)
        func message(_ r: MomentsRequest) -> String? {
            do { _ = try r.run(.silent); return nil } catch let e as ExperimentError { return e.description } catch { return "\(error)" }
        }
        #expect(message(MomentsRequest(network: a, digits: 0)) == "--digits '0' is out of range: an integer from 1 to 10000")
        #expect(message(MomentsRequest(network: a, arithmetic: .exact, precision: 100))?.hasPrefix("--precision applies to") == true)
        #expect(message(MomentsRequest(network: a, model: .gradientIndependence, firstStep: true))?.hasPrefix("--first-step needs --model exact") == true)
        let huge = try Architecture(width: 1_000_000, depth: 1000, sigma2: 2)
        #expect(message(MomentsRequest(network: huge, arithmetic: .exact))?.hasPrefix("--exact would need rationals of about") == true)
    }
}
