import Foundation
import Testing

@testable import MonteCarlo

/// The time budget inside a sample (`SampleDeadline`, `DeadlineMeter`) and the cost model
/// (`SamplingCostModel`, `SamplingBudget`). No test depends on how fast the machine is: the
/// deadlines are either already past or absent.
@Suite("Time budgets inside a sample, and the cost model")
struct SamplingBudgetTests {
    static let architecture = SimulatedArchitecture(inputDimension: 3, hiddenWidths: [40, 40, 40], sigma2: 2, inputNorm2: 1)
    static let past = SampleDeadline(secondsFromNow: -1)

    @Test("A deadline already past abandons a validate sample, and the sampler's next sample is unaffected")
    func validateSamplerAbandons() {
        let sampler = NetworkThetaSampler(architecture: Self.architecture, seed: 3)
        var expired = DeadlineMeter(Self.past)
        #expect(sampler.theta(sample: 5, meter: &expired) == nil)
        let fresh = NetworkThetaSampler(architecture: Self.architecture, seed: 3)
        #expect(sampler.theta(sample: 5) == fresh.theta(sample: 5))
        var never = DeadlineMeter(.never)
        #expect(sampler.theta(sample: 6, meter: &never) == fresh.theta(sample: 6))
    }

    @Test("A deadline already past abandons the explicit networks, passes, gradient steps and reduced-model draws")
    func otherSamplersAbandon() throws {
        var network = try ExplicitNetwork(zeroed: Self.architecture)
        var expired = DeadlineMeter(Self.past)
        #expect(!network.reinitialize(seed: 1, sample: 2, meter: &expired))
        var never = DeadlineMeter(.never)
        #expect(network.reinitialize(seed: 1, sample: 2, meter: &never))
        #expect(network == (try ExplicitNetwork(architecture: Self.architecture, seed: 1, sample: 2)))
        let pass = NetworkPass(layerWidths: Self.architecture.layerWidths, batchCapacity: 1)
        pass.setInput(0, [1, 0, 0])
        #expect(!pass.compute(network, batch: 1, meter: &expired))

        let experiment = try GradientStepExperiment(architecture: Self.architecture, learningRates: [0.01], target: 0, correlation: nil)
        let scratch = GradientStepExperiment.Scratch(Self.architecture, batch: 1)
        #expect(experiment.measure(sample: 0, seed: 1, scratch: scratch, meter: &expired) == nil)
        #expect(experiment.measure(sample: 0, seed: 1, scratch: scratch, meter: &never) != nil)

        let reduced = ReducedNetwork(inputDimension: 3, hiddenRuns: [.init(width: 40, count: 3)], sigma2: 2, inputNorm2: 1, trainableBiases: true)
        let sampler = ReducedThetaSampler(network: reduced, seed: 4)
        #expect(sampler.scaledTheta(sample: 0, scratch: .init(), meter: &expired) == nil)
        #expect(sampler.scaledTheta(sample: 0, scratch: .init(), meter: &never) == sampler.scaledTheta(sample: 0, scratch: .init()))
    }

    @Test("An abandoned block is discarded with every later one: the result is the prefix before it, for any thread count",
          arguments: [1, 2, 3])
    func abandonedBlocksLeaveAPrefix(threads: Int) {
        // Blocks of 10; the block starting at 30 is abandoned (as a sampler does at its deadline).
        let run = runBlocks(samples: 100, blockSize: 10, maxSeconds: nil, threads: threads, progress: nil) { _ in
            { (range: Range<Int>) -> ThetaMoments? in
                if range.lowerBound == 30 { return nil }
                var m = ThetaMoments()
                for s in range { m.add(Double(s)) }
                return m
            }
        }
        var expected = ThetaMoments()
        for block in 0..<3 {
            var m = ThetaMoments()
            for s in (block * 10)..<(block * 10 + 10) { m.add(Double(s)) }
            expected.merge(m)
        }
        #expect(run.statistic == expected)
        #expect(run.statistic.count == 30 && run.stoppedBy == .timeBudget)
    }

    @Test("A budget already spent gives zero samples and an honest time-budget stop, in every sampler")
    func spentBudgetsGiveNothing() throws {
        let validate = simulate(Self.architecture, samples: 50, maxSeconds: -1, seed: 1, threads: 2)
        #expect(validate.samplesCompleted == 0 && validate.moments.count == 0 && validate.stoppedBy == .timeBudget)
        let offDiagonal = try simulateOffDiagonal(Self.architecture, correlations: [0.5], samples: 50, maxSeconds: 0, seed: 1, threads: 2)
        #expect(offDiagonal.statistic.count == 0 && offDiagonal.stoppedBy == .timeBudget)
        let reduced = ReducedNetwork(inputDimension: 3, hiddenRuns: [.init(width: 40, count: 3)], sigma2: 2, inputNorm2: 1, trainableBiases: true)
        let distribution = sampleDistribution(reduced, reference: 1, thresholds: [], samples: 50, maxSeconds: 0, seed: 1, threads: 2)
        #expect(distribution.statistic.count == 0 && distribution.stoppedBy == .timeBudget)
        let data = try TrainingSet.sphere(count: 8, dimension: 3, seed: 1) { $0[0] }
        let training = try trainNetwork(Self.architecture, data: data, optimizer: .gd, learningRate: .absolute(0.01), steps: 20,
                                        recordEvery: 5, track: 4, seed: 1, maxSeconds: 0)
        #expect(training.records.isEmpty && training.stoppedBy == .timeBudget)
        let unbounded = try trainNetwork(Self.architecture, data: data, optimizer: .gd, learningRate: .absolute(0.01), steps: 20,
                                         recordEvery: 5, track: 4, seed: 1, maxSeconds: 100_000)
        #expect(unbounded.records.count == 5 && unbounded.stoppedBy == .sampleBudget)
    }

    @Test("The cost model grows with depth, width, correlations and learning rates")
    func costOrdering() throws {
        func net(_ width: Int, _ depth: Int) -> SimulatedArchitecture {
            SimulatedArchitecture(inputDimension: width, hiddenWidths: Array(repeating: width, count: depth - 1), sigma2: 2, inputNorm2: 1)
        }
        for (small, large) in [(net(100, 10), net(100, 20)), (net(100, 10), net(200, 10)), (net(10, 100), net(10, 1000))] {
            #expect(SamplingCostModel.validate(small, threads: 1).secondsPerSample < SamplingCostModel.validate(large, threads: 1).secondsPerSample)
            #expect(SamplingCostModel.validate(small, threads: 1).bytes < SamplingCostModel.validate(large, threads: 1).bytes)
            #expect(SamplingCostModel.offDiagonal(small, correlations: 1, threads: 1).secondsPerSample
                    < SamplingCostModel.offDiagonal(large, correlations: 1, threads: 1).secondsPerSample)
            let rates = [0.01]
            #expect(SamplingCostModel.gradientStep(try GradientStepExperiment(architecture: small, learningRates: rates, target: 0, correlation: nil),
                                                   threads: 1).secondsPerSample
                    < SamplingCostModel.gradientStep(try GradientStepExperiment(architecture: large, learningRates: rates, target: 0, correlation: nil),
                                                     threads: 1).secondsPerSample)
            #expect(SamplingCostModel.training(small, inputs: 10, tracked: 10, recordEvery: 10, adam: false).secondsPerSample
                    < SamplingCostModel.training(large, inputs: 10, tracked: 10, recordEvery: 10, adam: false).secondsPerSample)
        }
        let a = net(50, 5)
        #expect(SamplingCostModel.offDiagonal(a, correlations: 1, threads: 1).secondsPerSample
                < SamplingCostModel.offDiagonal(a, correlations: 40, threads: 1).secondsPerSample)
        #expect(SamplingCostModel.gradientStep(try GradientStepExperiment(architecture: a, learningRates: [0.1], target: 0, correlation: nil), threads: 1).secondsPerSample
                < SamplingCostModel.gradientStep(try GradientStepExperiment(architecture: a, learningRates: [0.1, 0.2, 0.3], target: 0, correlation: nil),
                                                 threads: 1).secondsPerSample)
        func reduced(_ depth: Int) -> ReducedNetwork {
            ReducedNetwork(inputDimension: 10, hiddenRuns: [.init(width: 10, count: depth - 1)], sigma2: 2, inputNorm2: 1, trainableBiases: true)
        }
        #expect(SamplingCostModel.distribution(reduced(10), threads: 1).secondsPerSample < SamplingCostModel.distribution(reduced(100), threads: 1).secondsPerSample)
        // More threads: the same cost per sample, shared; never more parallel than the blocks.
        let two = SamplingCostModel.validate(a, threads: 2, samples: 1)
        #expect(two.parallelism == 1 && two.secondsPerSample == SamplingCostModel.validate(a, threads: 1).secondsPerSample)
    }

    @Test("The budget decision: refuse a sample longer than the budget or a run beyond the memory limit; note long runs only")
    func budgetDecision() throws {
        let slow = SamplingCost(secondsPerSample: 10, parallelism: 1, bytes: 1e6)
        #expect(throws: SamplingBudgetRefusal.self) { try SamplingBudget.check(slow, samples: 1, maxSeconds: 5) }
        do {
            _ = try SamplingBudget.check(slow, samples: 1, maxSeconds: 5, what: "network")
        } catch let refusal as SamplingBudgetRefusal {
            #expect(refusal.description.contains("one network would take about 10 s"))
            #expect(refusal.description.contains("raise --max-seconds"))
            #expect(!refusal.description.contains("\n"))
        }
        let big = SamplingCost(secondsPerSample: 1e-3, parallelism: 1, bytes: 1e12)
        #expect(throws: SamplingBudgetRefusal.self) { try SamplingBudget.check(big, samples: 1, maxSeconds: 5, memoryLimitBytes: 1e9) }
        let quick = SamplingCost(secondsPerSample: 1e-3, parallelism: 2, bytes: 1e6)
        #expect(try SamplingBudget.check(quick, samples: 1000, maxSeconds: 60) == nil)
        let note = try SamplingBudget.check(quick, samples: 1_000_000, maxSeconds: 60)
        #expect(note?.contains("estimated 8.3 min for 1000000 samples") == true)
        #expect(note?.contains("--max-seconds 60 stops it earlier") == true)
        // The case: width 100000, depth 1000 — one network is far beyond 5 s (and 10¹³ weights).
        let huge = SimulatedArchitecture(inputDimension: 100_000, hiddenWidths: Array(repeating: 100_000, count: 999), sigma2: 2, inputNorm2: 1)
        #expect(SamplingCostModel.validate(huge, threads: 2).secondsPerSample > 3600)
        #expect(SamplingCostModel.offDiagonal(huge, correlations: 1, threads: 2).bytes > 1e13)
    }
}
