import Foundation

/// Why a Monte Carlo run ended.
public enum MonteCarloStopReason: String, Sendable, Hashable, Codable {
    /// All requested samples were done.
    case sampleBudget
    /// The time budget ran out first; the samples done are still a prefix `0..<N`.
    case timeBudget
}

/// The outcome of `simulate`.
public struct MonteCarloRun: Sendable, Hashable, Codable {
    /// The simulated network.
    public var architecture: SimulatedArchitecture
    /// The seed of the run.
    public var seed: UInt64
    /// Power sums of Θ over samples `0..<samplesCompleted`.
    public var moments: ThetaMoments
    /// `N`: the samples done are exactly the indices `0..<N`.
    public var samplesCompleted: Int
    /// Wall-clock duration of the run, in seconds.
    public var wallSeconds: Double
    /// Whether the sample budget or the time budget ended the run.
    public var stoppedBy: MonteCarloStopReason
}

/// Samples `Θ(x, x)` of `samples` independent explicitly simulated networks (see
/// `NetworkThetaSampler`), numbered `0..<samples`, on `threads` threads.
///
/// Reproducibility contract: the result's `moments` are a function of
/// `(architecture, seed, samplesCompleted)` only — bit-identical for every thread count.
/// Samples are processed in blocks of `architecture.samplesPerBlock` consecutive indices;
/// each block is summed alone in index order, and block results are merged in block order.
///
/// Time budget: with `maxSeconds` set, no new block is started once that many seconds have
/// elapsed, and blocks already started are finished. Blocks are started in increasing order,
/// so the completed samples are always a prefix `0..<N` (N a multiple of the block size, or
/// `samples`), and the result equals that of an unbounded run with `samples = N`. The run may
/// overshoot the budget by up to one block's duration; with `maxSeconds ≤ 0` it does nothing.
///
/// `progress`, if given, is called on the calling thread with the number of samples completed
/// so far, each time it grows.
public func simulate(
    _ architecture: SimulatedArchitecture,
    samples: Int,
    maxSeconds: Double? = nil,
    seed: UInt64,
    threads: Int = 1,
    progress: ((Int) -> Void)? = nil
) -> MonteCarloRun {
    simulate(
        architecture, samples: samples, maxSeconds: maxSeconds, seed: seed, threads: threads,
        weightStorageLimitBytes: NetworkThetaSampler.defaultWeightStorageLimitBytes,
        progress: progress)
}

/// `simulate` with an explicit per-thread weight storage limit (see `NetworkThetaSampler`).
func simulate(
    _ architecture: SimulatedArchitecture,
    samples: Int,
    maxSeconds: Double?,
    seed: UInt64,
    threads: Int,
    weightStorageLimitBytes: Int,
    progress: ((Int) -> Void)?
) -> MonteCarloRun {
    precondition(samples >= 0, "sample count must be non-negative")
    precondition(threads >= 1, "at least one thread is needed")
    let clock = ContinuousClock()
    let start = clock.now
    precondition(maxSeconds.map { !$0.isNaN } ?? true, "the time budget must be a number")
    // Budgets beyond a century are treated as a century, which keeps the Duration arithmetic
    // far from overflow (Double.infinity and 1e300 are legitimate "no real limit" inputs).
    let deadline = maxSeconds.map { start.advanced(by: .seconds(min($0, 3.2e9))) }
    let blockSize = architecture.samplesPerBlock
    let blockCount = samples / blockSize + (samples % blockSize == 0 ? 0 : 1)
    let schedule = BlockSchedule(blockCount: blockCount, deadline: deadline)

    let workerCount = min(threads, blockCount)
    for _ in 0..<workerCount {
        let worker = Thread {
            let sampler = NetworkThetaSampler(
                architecture: architecture, seed: seed, weightStorageLimitBytes: weightStorageLimitBytes)
            while let block = schedule.claimNextBlock() {
                var blockMoments = ThetaMoments()
                let first = block * blockSize
                for sample in first..<min(first + blockSize, samples) {
                    blockMoments.add(sampler.theta(sample: sample))
                }
                schedule.complete(block: block, moments: blockMoments)
            }
            schedule.workerFinished()
        }
        worker.start()
    }

    let blockResults = schedule.waitForWorkers(count: workerCount, progress: progress)
    var total = ThetaMoments()
    for blockMoments in blockResults {
        total.merge(blockMoments)
    }
    let elapsed = clock.now - start
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    return MonteCarloRun(
        architecture: architecture,
        seed: seed,
        moments: total,
        samplesCompleted: total.count,
        wallSeconds: seconds,
        stoppedBy: total.count == samples ? .sampleBudget : .timeBudget)
}

/// The state shared by the workers of one run: which block to hand out next, the results of
/// finished blocks, and how many workers are still running. Every access holds `condition`'s
/// lock, which is what makes the `@unchecked Sendable` sound.
private final class BlockSchedule: @unchecked Sendable {
    private let condition = NSCondition()
    private let blockCount: Int
    private let deadline: ContinuousClock.Instant?
    private var nextBlock = 0
    /// Results of the blocks handed out so far (nil while running), indexed by block. It grows
    /// with the blocks handed out rather than being sized by the sample budget, which may be
    /// astronomically large when a time budget is what ends the run.
    private var results: [ThetaMoments?] = []
    private var completedSamples = 0
    private var finishedWorkers = 0

    init(blockCount: Int, deadline: ContinuousClock.Instant?) {
        self.blockCount = blockCount
        self.deadline = deadline
    }

    /// The next block to compute, or nil when all are handed out or the deadline has passed.
    /// Blocks are handed out in increasing order and every handed-out block is completed,
    /// which keeps the completed set a prefix.
    func claimNextBlock() -> Int? {
        condition.lock()
        defer { condition.unlock() }
        guard nextBlock < blockCount else { return nil }
        if let deadline, ContinuousClock.now >= deadline {
            nextBlock = blockCount  // stop every worker at its next claim
            return nil
        }
        results.append(nil)
        defer { nextBlock += 1 }
        return nextBlock
    }

    func complete(block: Int, moments: ThetaMoments) {
        condition.lock()
        results[block] = moments
        completedSamples += moments.count
        condition.signal()
        condition.unlock()
    }

    func workerFinished() {
        condition.lock()
        finishedWorkers += 1
        condition.signal()
        condition.unlock()
    }

    /// Blocks the caller until `count` workers have finished, reporting progress meanwhile,
    /// and returns the completed blocks' results in block order.
    func waitForWorkers(count: Int, progress: ((Int) -> Void)?) -> [ThetaMoments] {
        condition.lock()
        var reported = 0
        while true {
            let done = completedSamples
            let allFinished = finishedWorkers == count
            if done > reported, let progress {
                reported = done
                // Report without holding the lock, so a slow callback never stalls the workers.
                condition.unlock()
                progress(done)
                condition.lock()
                continue
            }
            if allFinished { break }
            condition.wait()
        }
        // Every block handed out was completed, and blocks were handed out in order.
        let completed = results.map { $0! }
        condition.unlock()
        return completed
    }
}
