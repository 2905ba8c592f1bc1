import Foundation

/// A Monte Carlo statistic that is summed block by block and merged in block order.
public protocol MonteCarloStatistic: Sendable {
    /// The empty statistic.
    init()
    /// Number of samples accumulated.
    var count: Int { get }
    /// Appends another block's statistic (the runner always merges in block order).
    mutating func merge(_ other: Self)
}

extension ThetaMoments: MonteCarloStatistic {}

/// What a blocked run produced.
public struct BlockedRunResult<Statistic: MonteCarloStatistic>: Sendable {
    public var statistic: Statistic
    public var wallSeconds: Double
    public var stoppedBy: MonteCarloStopReason
}

/// Runs samples `0..<samples` in blocks of `blockSize` consecutive indices on `threads` threads
/// and merges the blocks' statistics in block order, as soon as the blocks before them are
/// done — so memory stays bounded by the blocks in flight, and the result is a function of
/// the completed prefix only, bit-identical for any thread count.
///
/// `makeEvaluator` is called once per worker thread (for per-thread scratch space); the
/// closure it returns computes one block's statistic from its index range.
///
/// Time budget: with `maxSeconds` set, no new block is started once that many seconds have
/// passed; blocks already started finish, so the completed samples are a prefix `0..<N`.
func runBlocks<Statistic: MonteCarloStatistic>(
    samples: Int, blockSize: Int, maxSeconds: Double?, threads: Int,
    progress: ((Int) -> Void)?,
    makeEvaluator: @escaping @Sendable () -> (Range<Int>) -> Statistic
) -> BlockedRunResult<Statistic> {
    precondition(samples >= 0, "sample count must be non-negative")
    precondition(threads >= 1, "at least one thread is needed")
    precondition(blockSize >= 1, "blocks hold at least one sample")
    precondition(maxSeconds.map { !$0.isNaN } ?? true, "the time budget must be a number")
    let clock = ContinuousClock()
    let start = clock.now
    // Budgets beyond a century are treated as a century, which keeps the Duration arithmetic
    // far from overflow (Double.infinity and 1e300 are legitimate "no real limit" inputs).
    let deadline = maxSeconds.map { start.advanced(by: .seconds(min($0, 3.2e9))) }
    let blockCount = samples / blockSize + (samples % blockSize == 0 ? 0 : 1)
    let schedule = BlockSchedule<Statistic>(blockCount: blockCount, deadline: deadline)
    let workerCount = min(threads, blockCount)
    for _ in 0..<workerCount {
        let worker = Thread {
            let evaluate = makeEvaluator()
            while let block = schedule.claimNextBlock() {
                let first = block * blockSize
                schedule.complete(block: block, statistic: evaluate(first..<min(first + blockSize, samples)))
            }
            schedule.workerFinished()
        }
        worker.start()
    }
    let total = schedule.waitForWorkers(count: workerCount, progress: progress)
    let elapsed = clock.now - start
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    return BlockedRunResult(statistic: total, wallSeconds: seconds,
                            stoppedBy: total.count == samples ? .sampleBudget : .timeBudget)
}

/// The state shared by the workers of one run: which block to hand out next, the merged
/// prefix, the finished blocks waiting for their predecessors, and how many workers are still
/// running. Every access holds `condition`'s lock, which is what makes the
/// `@unchecked Sendable` sound.
private final class BlockSchedule<Statistic: MonteCarloStatistic>: @unchecked Sendable {
    private let condition = NSCondition()
    private let blockCount: Int
    private let deadline: ContinuousClock.Instant?
    private var nextBlock = 0
    /// The blocks `0..<mergedBlocks`, merged in order.
    private var merged = Statistic()
    private var mergedBlocks = 0
    /// Finished blocks not yet merged (a later block finished before an earlier one).
    private var waiting: [Int: Statistic] = [:]
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
        defer { nextBlock += 1 }
        return nextBlock
    }

    func complete(block: Int, statistic: Statistic) {
        condition.lock()
        waiting[block] = statistic
        completedSamples += statistic.count
        while let next = waiting.removeValue(forKey: mergedBlocks) {
            merged.merge(next)
            mergedBlocks += 1
        }
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
    /// and returns the merged statistic of every completed block.
    func waitForWorkers(count: Int, progress: ((Int) -> Void)?) -> Statistic {
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
        // Every block handed out was completed and merged in order.
        precondition(waiting.isEmpty, "a completed block was never merged")
        let result = merged
        condition.unlock()
        return result
    }
}
