import Foundation
import Testing
import MonteCarlo
import Multiprecision
import NTKMoments
import NTKOutput
@testable import Experiments

@Suite("Gradient-step experiment")
struct StepExperimentTests {
    @Test("check and plan refuse what the command line refuses, in its words")
    func refusals() throws {
        let a = try Architecture.simulationFixture([3, 2])
        let cases: [(StepRequest, String)] = [
            (StepRequest(network: a, samples: 0), "--samples"),
            (StepRequest(network: a, learningRates: [1e-3], learningRateScales: ["1e-3"]), "not both"),
            (StepRequest(network: a, learningRates: [0]), "--learning-rate"),
            (StepRequest(network: a, learningRateScales: ["-1"]), "--learning-rate-scale"),
            (StepRequest(network: a, correlation: 2), "--correlation"),
            (StepRequest(network: a, maxSeconds: 0), "--max-seconds"),
            (StepRequest(network: try Architecture.simulationFixture([3, 10_000, 10_000])), "parameters"),
            (StepRequest(network: a, samples: 10, sampleRange: 0..<11), "sample range"),
        ]
        for (request, words) in cases {
            #expect(throws: ExperimentError.self) { try request.check() }
            do { try request.check() } catch let e as ExperimentError { #expect(e.description.contains(words), "\(e)") }
        }
        let flat = StepRequest(network: try Architecture.simulationFixture([1, 2]), correlation: 0.5)
        #expect(throws: ExperimentError.invalidRequest("--correlation '0.5' needs input dimension n0 ≥ 2 (a second input direction)")) {
            try flat.plan()
        }
    }

    @Test("depth 1: Θ = ‖x‖² + 1 does not depend on the weights, so one step leaves it unchanged and E[fQ] = 0")
    func depthOne() throws {
        let result = try StepRequest(network: try Architecture.simulationFixture([3], inputNorm2: 2), learningRates: [1e-3, 1e-1], correlation: 0.5,
                                     samples: 64, threads: 1).run(.silent)
        // The input x = (√2, 0, 0) carries one rounding: ‖x‖² = 2 up to an ulp.
        #expect(abs(result.theta.mean - 3) < 1e-14 && result.theta.standardError < 1e-14 && result.exactMeanTheta == 3)
        #expect(abs(result.fQ.mean) < 1e-12 && result.exactFQ == 0)
        for rate in result.rates {
            #expect(abs(rate.deltaOverEta.mean) < 1e-10 && abs(rate.kink.mean) < 1e-10 && rate.crossingFraction.mean == 0)
            #expect(abs(try #require(rate.offDiagonalDeltaOverEta).mean) < 1e-10)
        }
        // Θ(x, x′) = ρ‖x‖² + 1.
        #expect(abs(try #require(result.offDiagonalTheta).mean - 2) < 1e-14)
    }

    @Test("the references are the exact E[Θ] = 61/12 and E[fQ] = 440/9 of 3,2,2 at σ² = 2; η = c/E[Θ]")
    func references() throws {
        let request = StepRequest(network: try Architecture.simulationFixture([3, 2, 2]), learningRateScales: ["1e-2", "1/1000"], samples: 2000, seed: 3, threads: 2)
        let result = try request.run(.silent)
        #expect(abs(result.exactMeanTheta - 61.0 / 12) < 1e-14 && abs(result.exactFQ - 440.0 / 9) < 1e-13)
        #expect(result.rates.map(\.scale) == ["1e-2", "1/1000"])
        #expect(abs(result.rates[0].learningRate - 1e-2 / (61.0 / 12)) < 1e-17)
        #expect(abs(result.zFQ) < 5)
        let r = result.rates[1]
        #expect(r.deltaOverMeanTheta.mean == r.deltaOverEta.mean * (r.learningRate / result.exactMeanTheta))
    }

    @Test("two shards merge into the unsharded run; statistics of another layout are refused")
    func shardsMerge() throws {
        let a = try Architecture.simulationFixture([3, 4, 4])
        var request = StepRequest(network: a, learningRates: [1e-3, 1e-2], correlation: 0.5, samples: 900, seed: 11, threads: 2)
        let whole = try request.run(.silent)
        let plan = try request.plan()
        let split = 2 * plan.experiment.samplesPerBlock
        request.sampleRange = 0..<split
        var statistics = try request.simulate(plan, .silent).statistic
        request.sampleRange = split..<900
        statistics.merge(try request.simulate(plan, .silent).statistic)
        let merged = try StepRequest.mergedResult(network: a, learningRates: [1e-3, 1e-2], learningRateScales: nil, target: 0,
                                                  correlation: 0.5, statistics: statistics, seconds: 0, stoppedBy: .sampleBudget, seed: 11)
        #expect(merged.rates == whole.rates && merged.theta == whole.theta && merged.fQ == whole.fQ)
        #expect(merged.offDiagonalFQ == whole.offDiagonalFQ && merged.samples == 900)
        #expect(throws: ExperimentError.self) {
            try StepRequest.mergedResult(network: a, learningRates: [1e-3], learningRateScales: nil, target: 0, correlation: 0.5,
                                         statistics: statistics, seconds: 0, stoppedBy: .sampleBudget, seed: 11)
        }
        #expect(StepStatisticsLayout.dimension(rates: 2, offDiagonal: true) == statistics.means.dimension)
    }

    @Test("a request and its result survive the JSON text unchanged")
    func roundTrip() throws {
        let request = StepRequest(network: try Architecture.simulationFixture([3, 3, 3], sigma2: BigRational(5, 2)), learningRateScales: ["1e-3"], target: 0.5,
                                  correlation: -0.25, samples: 300, sampleRange: 0..<256, seed: 1 << 63, threads: 1)
        let requestText = try JSONValueEncoder().encode(request).serialized()
        #expect(try JSONValueDecoder().decode(StepRequest.self, from: try JSONParser().parse(requestText)) == request)
        let result = try request.run(.silent)
        let text = try JSONValueEncoder().encode(result).serialized()
        let back = try JSONValueDecoder().decode(StepResult.self, from: try JSONParser().parse(text))
        #expect(try JSONValueEncoder().encode(back).serialized() == text)
        #expect(back.schema == StepResult.stamp && back.rates == result.rates && back.correlation == -0.25)
    }
}
