import Foundation
import Testing
import MonteCarlo
import Multiprecision
import NTKMoments
import NTKOutput
@testable import Experiments

@Suite("Validate experiment")
struct ValidateExperimentTests {
    /// 3,2,2 at σ² = 2, ‖x‖² = 1: E[Θ] = 61/12, E[Θ²] = 8809/72 (enumeration, derivations/03).
    static func network322(sigma2: BigRational = 2) throws -> Architecture { try Architecture(widths: [3, 2, 2], sigma2: sigma2) }

    /// No time budget that a slow machine could reach: the sample counts decide.
    static let unbounded = ValidateRequest.maximumSecondsLimit

    static func message(_ run: () throws -> Any) -> String? {
        do { _ = try run(); return nil } catch { return "\(error)" }
    }

    @Test("check() refuses out-of-range options and networks with the command line's one-line messages")
    func refusals() throws {
        let a = try Self.network322()
        func refusal(_ r: ValidateRequest) -> String? { Self.message { try r.check() } }
        #expect(refusal(ValidateRequest(network: a, samples: 0)) == "--samples '0' is out of range: an integer from 1 to 1000000000000")
        #expect(refusal(ValidateRequest(network: a, threads: 1025)) == "--threads '1025' is out of range: an integer from 1 to 1024")
        #expect(refusal(ValidateRequest(network: a, maximumSeconds: 0))?.hasPrefix("--max-seconds '0.0' is out of range") == true)
        #expect(refusal(ValidateRequest(network: a, maximumSeconds: 4e7)) == "--max-seconds '40000000.0' is out of range: at most 31536000")
        #expect(refusal(ValidateRequest(network: a, zMax: -1))?.hasPrefix("--z-max '-1.0' is out of range") == true)
        #expect(refusal(ValidateRequest(network: a, zMax: .nan))?.hasPrefix("--z-max") == true)
        let deep = try Architecture(width: 2, depth: 100_001, sigma2: 2)
        #expect(refusal(ValidateRequest(network: deep))?.hasPrefix("validate simulates explicit matrices: depth ≤ 100000") == true)
        let huge = try Architecture(widths: [3, 2], sigma2: BigRational(10).power(40))
        #expect(refusal(ValidateRequest(network: huge)) == "validate simulates in double precision: σ² and ‖x‖² must lie within 1e-300 … 1e30")
        #expect(refusal(ValidateRequest(network: a)) == nil)
        #expect(Self.message { try ValidateSuiteRequest(budgetScale: 101).run(.silent) }?.hasPrefix("--budget-scale") == true)
        #expect(Self.message { try ValidateMergeRequest(network: a, statistic: ThetaMoments(), seconds: 0, stoppedBy: .sampleBudget, seed: 1).run(.silent) }
                == "the shards contain no samples")
    }

    @Test("a refused request runs nothing: the error is ExperimentError.invalidRequest")
    func refusedRun() throws {
        #expect(throws: ExperimentError.invalidRequest("--samples '0' is out of range: an integer from 1 to 1000000000000")) {
            try ValidateRequest(network: try Self.network322(), samples: 0).run(.silent)
        }
    }

    @Test("depth 1: Θ = (‖x‖² + β)·1 = 7/2 for every network (derivations/01), so the run passes with no spread; 2 samples are inconclusive")
    func deterministic() throws {
        let a = try Architecture(widths: [3], sigma2: 2, inputNorm2: BigRational(5, 2))
        let r = try ValidateRequest(network: a, samples: 30, threads: 1, maximumSeconds: Self.unbounded).run(.silent)
        #expect(r.verdict == .pass && r.samples == 30)
        #expect(r.mean.estimate == 3.5 && r.mean.exact == 3.5 && r.mean.standardError == 0)
        #expect(r.secondMoment.exact == 12.25)
        let few = try ValidateRequest(network: a, samples: 2, threads: 1, maximumSeconds: Self.unbounded).run(.silent)
        #expect(few.verdict == .inconclusive)
        #expect(few.inconclusiveReason?.hasPrefix("2 samples; a verdict needs at least 30 samples") == true)
    }

    @Test("3,2,2 at σ² = 2: the references are 61/12 and 8809/72; 20000 networks pass at a fixed seed; σ² = 5/2's reference fails them")
    func passAndFail() throws {
        let a = try Self.network322()
        let request = ValidateRequest(network: a, samples: 20_000, seed: 7, threads: 1, maximumSeconds: Self.unbounded)
        let run = try request.simulate(.silent)
        let result = request.evaluate(run)
        #expect(abs(result.mean.exact - 61.0 / 12) <= 1e-14 * 61 / 12)
        #expect(abs(result.secondMoment.exact - 8809.0 / 72) <= 1e-14 * 8809 / 72)
        #expect(abs(result.exactDispersion! - (8809.0 / 72) / (61.0 / 12 * 61.0 / 12)) <= 1e-13)
        #expect(result.usesExactStandardErrors && result.verdict == .pass, "z = \(result.mean.z), \(result.secondMoment.z)")
        // The test's own z from the exact values: the estimate is within 4 exact standard errors.
        #expect(abs(run.moments.mean - 61.0 / 12) <= 4 * result.mean.exactStandardError!)
        let wrong = ValidateResult(evaluating: run.moments, network: a, seconds: run.wallSeconds, stoppedBy: run.stoppedBy, seeds: [7],
                                   zMax: 4, reference: ValidationReference(try Self.network322(sigma2: BigRational(5, 2))))
        #expect(wrong.verdict == .fail)
    }

    @Test("shards 1/2 and 2/2, merged by ValidateMergeRequest, give the unsharded run's estimates and z-scores bit for bit")
    func merge() throws {
        let a = try Self.network322()
        func request(_ shard: ShardSpec?) -> ValidateRequest { ValidateRequest(network: a, samples: 3000, seed: 3, threads: 1, maximumSeconds: Self.unbounded, shard: shard) }
        let whole = try request(nil).run(.silent)
        var merged = ThetaMoments()
        for k in 1...2 { merged.merge(try request(try ShardSpec(index: k, count: 2)).simulate(.silent).moments) }
        let result = try ValidateMergeRequest(network: a, statistic: merged, seconds: 0, stoppedBy: .sampleBudget, seed: 3).run(.silent)
        #expect(result.samples == 3000 && result.mean == whole.mean && result.secondMoment == whole.secondMoment)
        #expect(result.verdict == whole.verdict)
    }

    @Test("the result's document: schema stamp first, the legacy keys after it, and a decode–encode round trip that changes nothing")
    func codableRoundTrip() throws {
        let result = try ValidateRequest(network: try Self.network322(), samples: 500, seed: 2, threads: 1, maximumSeconds: Self.unbounded).run(.silent)
        let json = try JSONValueEncoder().encode(result)
        guard case .object(let members) = json else { Issue.record("not an object"); return }
        #expect(members.prefix(4).map(\.key) == ["schema", "schema_version", "ntk_version", "widths"])
        #expect(json["schema"] == .string("ntk.validate") && json["widths"] == .string("3,2x2") && json["seeds"] == .array([.number("2")]))
        let text = json.serialized()
        let back = try JSONValueDecoder().decode(ValidateResult.self, from: try JSONParser().parse(text))
        #expect(try JSONValueEncoder().encode(back).serialized() == text)
        #expect(back.mean == result.mean && back.verdict == result.verdict && back.network == result.network)
        let request = ValidateRequest(network: try Self.network322(), samples: 500, seed: UInt64.max, threads: 2, shard: try ShardSpec(index: 2, count: 3))
        let encoded = try JSONValueEncoder().encode(request).serialized()
        #expect(try JSONValueDecoder().decode(ValidateRequest.self, from: try JSONParser().parse(encoded)) == request)
    }

    @Test("the suite at a tiny budget: every case inconclusive, none failed; its document round-trips")
    func suite() throws {
        let result = try ValidateSuiteRequest(threads: 1, budgetScale: 1e-6).run(.silent)
        #expect(result.cases.count == ValidateSuiteRequest.cases.count && result.stepCases.count == ValidateSuiteRequest.stepCases.count)
        #expect(result.verdict == .inconclusive && result.failures == 0)
        let text = try JSONValueEncoder().encode(result).serialized()
        #expect(text.contains("\"schema\":\"ntk.validate-suite\""))
        let back = try JSONValueDecoder().decode(ValidateSuiteResult.self, from: try JSONParser().parse(text))
        #expect(try JSONValueEncoder().encode(back).serialized() == text)
    }

    @Test("the suite's estimate is the sum of its cases' time budgets (225 s for E[Θ], E[Θ²], 40 s for E[fQ]), scaled, and is said only past a few seconds")
    func suiteEstimate() {
        #expect(ValidateSuiteRequest(budgetScale: 1).maximumSeconds == 265)
        #expect(ValidateSuiteRequest(budgetScale: 0.5).maximumSeconds == 132.5)
        #expect(ValidateSuiteRequest(budgetScale: 1).estimateNote?.contains("14 cases for at most 265 s") == true)
        #expect(ValidateSuiteRequest(budgetScale: 0.001).estimateNote == nil)
    }

    @Test("a cancelled context stops the run before any sample")
    func cancelled() throws {
        let context = ExperimentContext()
        context.cancel()
        #expect(throws: ExperimentError.cancelled) { try ValidateRequest(network: try Self.network322(), samples: 100).run(context) }
    }
}
