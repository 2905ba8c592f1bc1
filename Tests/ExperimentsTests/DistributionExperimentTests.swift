import Foundation
import Testing
import MonteCarlo
import Multiprecision
import NTKMoments
import NTKOutput
@testable import Experiments

@Suite("Distribution experiment")
struct DistributionExperimentTests {
    func request(_ a: Architecture, samples: Int = 2000, seed: UInt64 = 5, tail: [BigRational] = [2, 5, 10],
                 density: Bool = false) -> DistributionRequest {
        DistributionRequest(network: a, samples: samples, seed: seed, threads: 2, maxSeconds: 31_536_000, tail: tail, density: density)
    }

    func refusal(_ request: DistributionRequest) -> ExperimentError? {
        do { _ = try DistributionExperiment(request).costNote(); return nil } catch let e as ExperimentError { return e } catch { return nil }
    }

    @Test("check(): the command line's ranges and messages")
    func checks() throws {
        let a = try Architecture(widths: [3, 2, 2], sigma2: 2)
        var r = request(a)
        r.samples = 0
        #expect(refusal(r) == .invalidRequest("--samples '0' is out of range: an integer from 1 to 1000000000"))
        r = request(a)
        r.threads = 1025
        #expect(refusal(r) == .invalidRequest("--threads '1025' is out of range: an integer from 1 to 1024"))
        r = request(a, tail: [-1])
        #expect(refusal(r)?.description.hasPrefix("--tail '-1' is out of range: must be positive") == true)
        r = request(a, tail: [BigRational(10).power(13)])
        #expect(refusal(r)?.description.hasSuffix("at most 1000000000000") == true)
        r = request(a, tail: Array(repeating: 2, count: 101))
        #expect(refusal(r) == .invalidRequest("--tail: at most 100 thresholds"))
        r = request(a)
        r.maxSeconds = 0
        #expect(refusal(r)?.description.contains("--max-seconds") == true)
        r.maxSeconds = .infinity
        #expect(refusal(r)?.description.contains("--max-seconds") == true)
        r = request(try Architecture(width: 3, depth: ReducedThetaSampler.maximumDepth + 1, sigma2: 2))
        #expect(refusal(r) == .invalidRequest("distribution samples O(L) per network: depth ≤ 1000000"))
        r = request(try Architecture(widths: [3, 2, 2], sigma2: BigRational(10).power(40)))
        #expect(refusal(r)?.description.contains("1e-30 … 1e30") == true)
        // One sample of a deep network costs more than a nanosecond: refused before any work.
        r = request(try Architecture(width: 10, depth: 1000, sigma2: 2))
        r.maxSeconds = 1e-9
        guard case .tooExpensive(let message)? = refusal(r) else { Issue.record("not refused as too expensive"); return }
        #expect(message.contains("--max-seconds"))
        #expect(refusal(request(a)) == nil)
    }

    @Test("depth 1: Θ = ‖x‖² + 1 for every network, so x = 1 exactly in law")
    func deterministic() throws {
        let a = try Architecture(widths: [4], sigma2: 2, inputNorm2: 3)
        let result = try request(a, samples: 500).run(.silent)
        #expect(result.meanExact.doubleValue() == 4)
        #expect(result.samples == 500 && result.zeroSamples == 0 && result.stoppedBy == .sampleBudget)
        for m in result.moments {
            #expect(m.exact == 1 && abs(m.estimate - 1) < 1e-12, "\(m)")
        }
        // The exact standard error of a constant is 0: no z-score can be formed.
        #expect(result.moments[0].standardError == 0 && result.moments[0].z.isNaN)
        #expect(result.moments[2].standardErrorKind == .sample && result.moments[2].z.isNaN)
        for q in result.quantiles {
            let x = try #require(q.value)
            #expect(abs(x - 1) <= result.quantileResolution * 1.01, "\(q)")
        }
        #expect(result.tails.map(\.threshold) == [2, 5, 10] && result.tails.allSatisfy { $0.probability == 0 })
        #expect(abs(result.logMean.value) < 1e-12 && result.logVariance.value < 1e-24)
    }

    @Test("the exact column is E[Θ^k]/E[Θ]^k of the recursion: 1 and 8809/72 / (61/12)² for widths 3,2,2 at σ² = 2")
    func exactMoments() throws {
        let a = try Architecture(widths: [3, 2, 2], sigma2: 2)
        let result = try request(a, samples: 20_000).run(.silent)
        #expect(abs(result.meanExact.doubleValue() - 61.0 / 12) < 1e-14)
        #expect(result.moments[0].exact == 1)
        #expect(abs(result.moments[1].exact - 17618.0 / 3721) < 1e-12)
        // The exact standard error of x̄: √((E[x²] − 1)/N).
        #expect(abs(result.moments[0].standardError - ((17618.0 / 3721 - 1) / 20_000).squareRoot()) < 1e-15)
        for m in result.moments.prefix(2) { #expect(abs(m.z) < 4.5 && m.standardErrorKind == .exact, "\(m)") }
    }

    @Test("two shards at a block boundary merge into the unsharded run, bit for bit")
    func shards() throws {
        let a = try Architecture(width: 20, depth: 100, sigma2: BigRational(5, 2))
        let experiment = try DistributionExperiment(request(a, samples: 4000))
        let block = experiment.blockSize
        #expect(block == 2000)
        let references = try experiment.references()
        let whole = try experiment.sample(0..<4000, references: references, context: .silent)
        let parts = try [0..<block, block..<4000].map { try experiment.sample($0, references: references, context: .silent) }
        let merged = DistributionSample.merging(parts)
        #expect(merged.statistic == whole.statistic && merged.seeds == [5] && merged.stoppedBy == .sampleBudget)
        var fromShards = try DistributionExperiment.mergedResult(network: a, model: .exact, sample: merged, density: false)
        let unsharded = try experiment.result(whole, references: references)
        fromShards.seconds = unsharded.seconds
        // Documents, not values: a z-score that is NaN is never equal to itself.
        #expect(try JSONValueEncoder().encode(fromShards) == JSONValueEncoder().encode(unsharded))
        #expect(throws: ExperimentError.invalidRequest("the shards hold no samples")) {
            try DistributionExperiment.mergedResult(network: a, model: .exact, sample: DistributionSample.merging([]), density: false)
        }
    }

    @Test("a request and its result (with the density) survive the JSON text; the document opens with the stamp")
    func roundTrip() throws {
        let a = try Architecture(widths: [3, 5, 5], sigma2: BigRational(9, 4), inputNorm2: BigRational(1, 3))
        let request = request(a, samples: 3000, seed: UInt64.max, tail: [BigRational(3, 2), 4], density: true)
        let requestText = try JSONValueEncoder().encode(request).serialized()
        #expect(try JSONValueDecoder().decode(DistributionRequest.self, from: try JSONParser().parse(requestText)) == request)
        let result = try request.run(.silent)
        #expect(result.schema == DistributionResult.stamp && result.density != nil)
        let document = try JSONValueEncoder().encode(result)
        guard case .object(let members) = document else { Issue.record("not an object"); return }
        #expect(members.prefix(4).map(\.key) == ["schema", "schema_version", "ntk_version", "widths"])
        let text = document.serialized()
        let back = try JSONValueDecoder().decode(DistributionResult.self, from: try JSONParser().parse(text))
        #expect(try JSONValueEncoder().encode(back).serialized() == text)
        // Values too (the z-scores of k = 3, 4 are NaN, never equal to themselves).
        #expect(back.moments.map(\.estimate) == result.moments.map(\.estimate) && back.moments.prefix(2) == result.moments.prefix(2))
        #expect(back.quantiles == result.quantiles && back.tails == result.tails && back.density == result.density)
    }

    @Test("a cancelled context stops the run")
    func cancelled() throws {
        let context = ExperimentContext()
        context.cancel()
        #expect(throws: ExperimentError.cancelled) { try request(try Architecture(widths: [3, 2, 2], sigma2: 2)).run(context) }
    }
}
