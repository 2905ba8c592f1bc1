import Foundation
import Synchronization
import Testing

@testable import MonteCarlo

@Suite("simulate: blocks, threads and budgets")
struct SimulateTests {
    /// Small enough for debug builds, with 1024-sample blocks so 5000 samples span 5 blocks
    /// (the last one partial).
    static let architecture = SimulatedArchitecture(
        inputDimension: 3, hiddenWidths: [4, 3], sigma2: 2, inputNorm2: 1)

    @Test("Moments are bit-identical for 1, 2 and 3 threads")
    func threadCountDoesNotChangeResults() {
        #expect(Self.architecture.samplesPerBlock == 1024)
        let runs = [1, 2, 3].map { simulate(Self.architecture, samples: 5000, seed: 77, threads: $0) }
        #expect(runs.allSatisfy { $0.samplesCompleted == 5000 && $0.stoppedBy == .sampleBudget })
        #expect(runs[1].moments == runs[0].moments)
        #expect(runs[2].moments == runs[0].moments)
    }

    @Test("The moments are the block-ordered merge of per-block sums of NetworkThetaSampler values")
    func momentsAreBlockOrderedSums() {
        let samples = 2500
        let run = simulate(Self.architecture, samples: samples, seed: 8, threads: 3)
        let sampler = NetworkThetaSampler(architecture: Self.architecture, seed: 8)
        var expected = ThetaMoments()
        for blockStart in stride(from: 0, to: samples, by: 1024) {
            var block = ThetaMoments()
            for sample in blockStart..<min(blockStart + 1024, samples) {
                block.add(sampler.theta(sample: sample))
            }
            expected.merge(block)
        }
        #expect(run.moments == expected)
    }

    @Test("Different seeds give different results")
    func seedsMatter() {
        let a = simulate(Self.architecture, samples: 2000, seed: 1, threads: 2)
        let b = simulate(Self.architecture, samples: 2000, seed: 2, threads: 2)
        #expect(a.moments.sumTheta != b.moments.sumTheta)
    }

    @Test("A time budget stops at a block boundary with a prefix equal to an unbounded run")
    func timeBudgetLeavesAPrefix() {
        let budgeted = simulate(Self.architecture, samples: 1 << 40, maxSeconds: 0.3, seed: 3, threads: 2)
        #expect(budgeted.stoppedBy == .timeBudget)
        #expect(budgeted.samplesCompleted % Self.architecture.samplesPerBlock == 0)
        let unbounded = simulate(Self.architecture, samples: budgeted.samplesCompleted, seed: 3, threads: 1)
        #expect(unbounded.stoppedBy == .sampleBudget)
        #expect(unbounded.moments == budgeted.moments)
    }

    @Test("A zero time budget does no work; a generous one does not interrupt")
    func extremeTimeBudgets() {
        let none = simulate(Self.architecture, samples: 3000, maxSeconds: 0, seed: 4, threads: 2)
        #expect(none.samplesCompleted == 0 && none.stoppedBy == .timeBudget)
        for generous in [3600, .infinity] {
            let all = simulate(Self.architecture, samples: 3000, maxSeconds: generous, seed: 4, threads: 2)
            #expect(all.samplesCompleted == 3000 && all.stoppedBy == .sampleBudget)
        }
    }

    @Test("Progress is reported on the calling thread, never decreasing, ending at the sample count")
    func progressReports() {
        var reports: [Int] = []
        let run = simulate(Self.architecture, samples: 4100, seed: 5, threads: 2) { reports.append($0) }
        #expect(!reports.isEmpty)
        // Heartbeats repeat a count; a count never goes back.
        #expect(zip(reports, reports.dropFirst()).allSatisfy { $0 <= $1 })
        #expect(reports.last == run.samplesCompleted)
    }

    /// A sample that ends only when the run tells it to stop, as a network too wide to finish
    /// soon would: what the caller sees while it runs, and how it stops.
    static func endlessSamples(threads: Int, isCancelled: @escaping @Sendable () -> Bool, progress: @escaping (Int) -> Void)
        -> BlockedRunResult<ThetaMoments> {
        runBlocks(samples: 1000, blockSize: 10, maxSeconds: nil, threads: threads, progress: progress, isCancelled: isCancelled) { deadline in
            { _ in
                while !deadline.hasPassed { usleep(1000) }
                return nil
            }
        }
    }

    @Test("While no sample completes, progress still arrives (heartbeats), and cancelling stops the samples inside", arguments: [1, 2])
    func heartbeatsAndCancellation(threads: Int) {
        let heartbeats = Atomic<Int>(0)
        nonisolated(unsafe) var reports: [Int] = []
        // Cancelled after the third heartbeat: without heartbeats the run would never stop.
        let run = Self.endlessSamples(threads: threads, isCancelled: { heartbeats.load(ordering: .relaxed) >= 3 }) {
            reports.append($0)
            heartbeats.add(1, ordering: .relaxed)
        }
        #expect(reports.count >= 3 && reports.allSatisfy { $0 == 0 }, "\(reports)")
        #expect(run.statistic.count == 0 && run.stoppedBy == .timeBudget)
    }

    @Test("A cancelled simulate stops at a block boundary with a prefix equal to an unbounded run")
    func cancellationLeavesAPrefix() {
        let reports = Atomic<Int>(0)
        let cancelled = simulate(Self.architecture, samples: 1 << 40, seed: 6, threads: 2,
                                 progress: { _ in reports.add(1, ordering: .relaxed) },
                                 isCancelled: { reports.load(ordering: .relaxed) >= 2 })
        #expect(cancelled.stoppedBy == .timeBudget && cancelled.samplesCompleted < 1 << 40)
        #expect(cancelled.samplesCompleted % Self.architecture.samplesPerBlock == 0)
        let unbounded = simulate(Self.architecture, samples: cancelled.samplesCompleted, seed: 6, threads: 1)
        #expect(unbounded.moments == cancelled.moments)
    }

    @Test("The regenerating path gives the same run as the storing path")
    func storageLimitDoesNotChangeRuns() {
        let deep = SimulatedArchitecture(inputDimension: 4, hiddenWidths: [5, 6, 5, 4], sigma2: 2, inputNorm2: 1)
        let storing = simulate(
            deep, samples: 1500, maxSeconds: nil, seed: 6, threads: 2,
            weightStorageLimitBytes: .max, progress: nil)
        let regenerating = simulate(
            deep, samples: 1500, maxSeconds: nil, seed: 6, threads: 2,
            weightStorageLimitBytes: 0, progress: nil)
        #expect(storing.moments == regenerating.moments)
    }

    @Test("Zero samples give an empty run")
    func zeroSamples() {
        let run = simulate(Self.architecture, samples: 0, seed: 9, threads: 4)
        #expect(run.samplesCompleted == 0 && run.moments.count == 0 && run.stoppedBy == .sampleBudget)
    }

    @Test("Block size shrinks for wide networks and depends only on the architecture")
    func blockSizes() {
        #expect(SimulatedArchitecture(inputDimension: 2, hiddenWidths: [2], sigma2: 2, inputNorm2: 1).samplesPerBlock == 1024)
        let wide = SimulatedArchitecture(
            inputDimension: 100, hiddenWidths: Array(repeating: 100, count: 49), sigma2: 2, inputNorm2: 1)
        // 100·100·49 + 100 = 490 100 weights per network; 64 · 490 100 ≤ 2²⁵ < 128 · 490 100.
        #expect(wide.weightsPerNetwork == 490_100)
        #expect(wide.samplesPerBlock == 64)
        let huge = SimulatedArchitecture(
            inputDimension: 2000, hiddenWidths: Array(repeating: 2000, count: 99), sigma2: 2, inputNorm2: 1)
        #expect(huge.samplesPerBlock == 1)
    }

    @Test("MonteCarloRun survives a JSON round trip")
    func runJSONRoundTrip() throws {
        let run = simulate(Self.architecture, samples: 100, seed: 10, threads: 1)
        let decoded = try JSONDecoder().decode(MonteCarloRun.self, from: JSONEncoder().encode(run))
        #expect(decoded == run)
    }
}
