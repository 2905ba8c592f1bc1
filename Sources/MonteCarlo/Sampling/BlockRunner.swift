import Foundation
import Synchronization

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
/// `makeEvaluator` is called once per worker thread (for per-thread scratch space) with the
/// run's deadline; the closure it returns computes one block's statistic from its index
/// range, or returns nil when it abandoned the block because the deadline passed (samplers
/// consult the deadline inside each sample, between layers, through a `DeadlineMeter`).
///
/// Time budget: with `maxSeconds` set, no new block is started once that many seconds have
/// passed, and a block in progress is abandoned — its samples are discarded, never counted and
/// never partially accumulated — as soon as its sampler sees the deadline, within one layer of
/// one sample. Blocks after an abandoned one are discarded too, so the completed samples are a
/// prefix `0..<N` and the result equals that of an unbounded run with `samples = N`. A run so
/// ends within about max(budget, one layer) of its start.
///
/// `progress` is called on the calling thread with the samples completed so far, each time
/// that count grows and otherwise every `heartbeatSeconds` (a single wide or deep network can
/// take minutes, and a progress line must not look stuck meanwhile). `isCancelled` is polled
/// as often; once it returns true the run stops as at its deadline, within one layer.
func runBlocks<Statistic: MonteCarloStatistic>(
    samples: Int, blockSize: Int, maxSeconds: Double?, threads: Int,
    progress: ((Int) -> Void)?, isCancelled: (@Sendable () -> Bool)? = nil,
    makeEvaluator: @escaping @Sendable (SampleDeadline) -> (Range<Int>) -> Statistic?
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
    let stop = StopFlag()
    let sampleDeadline = SampleDeadline(instant: deadline, stop: stop)
    let schedule = BlockSchedule<Statistic>(blockCount: blockCount, deadline: sampleDeadline, stop: stop)
    let workerCount = min(threads, blockCount)
    for _ in 0..<workerCount {
        let worker = Thread {
            let evaluate = makeEvaluator(sampleDeadline)
            while let block = schedule.claimNextBlock() {
                let first = block * blockSize
                if let statistic = evaluate(first..<min(first + blockSize, samples)) {
                    schedule.complete(block: block, statistic: statistic)
                } else {
                    schedule.abandon(block: block)
                }
            }
            schedule.workerFinished()
        }
        worker.start()
    }
    let total = schedule.waitForWorkers(count: workerCount, progress: progress, isCancelled: isCancelled)
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
    /// The run's time budget and cancellation, as the samplers see them.
    private let deadline: SampleDeadline
    /// What `waitForWorkers` sets when the caller cancels (the flag `deadline` reads).
    private let stop: StopFlag
    private var nextBlock = 0
    /// The blocks `0..<mergedBlocks`, merged in order.
    private var merged = Statistic()
    private var mergedBlocks = 0
    /// Finished blocks not yet merged (a later block finished before an earlier one).
    private var waiting: [Int: Statistic] = [:]
    private var completedSamples = 0
    private var finishedWorkers = 0

    init(blockCount: Int, deadline: SampleDeadline, stop: StopFlag) {
        self.blockCount = blockCount
        self.deadline = deadline
        self.stop = stop
    }

    /// The first abandoned block: it and every later block are never merged.
    private var firstAbandoned: Int?

    /// The next block to compute, or nil when all are handed out or the deadline has passed.
    /// Blocks are handed out in increasing order and merged only while they form a prefix with
    /// no abandoned block in it, which keeps the merged set a prefix.
    func claimNextBlock() -> Int? {
        condition.lock()
        defer { condition.unlock() }
        guard nextBlock < blockCount else { return nil }
        if deadline.hasPassed {
            nextBlock = blockCount  // stop every worker at its next claim
            return nil
        }
        defer { nextBlock += 1 }
        return nextBlock
    }

    func complete(block: Int, statistic: Statistic) {
        condition.lock()
        if firstAbandoned.map({ block < $0 }) ?? true {
            waiting[block] = statistic
            completedSamples += statistic.count
        }
        while let next = waiting.removeValue(forKey: mergedBlocks) {
            merged.merge(next)
            mergedBlocks += 1
        }
        condition.signal()
        condition.unlock()
    }

    /// Records that `block` was abandoned at the deadline: no block is handed out any more, and
    /// neither it nor any later block will be merged.
    func abandon(block: Int) {
        condition.lock()
        nextBlock = blockCount
        firstAbandoned = min(firstAbandoned ?? block, block)
        waiting = waiting.filter { $0.key < block }
        condition.signal()
        condition.unlock()
    }

    func workerFinished() {
        condition.lock()
        finishedWorkers += 1
        condition.signal()
        condition.unlock()
    }

    /// Blocks the caller until `count` workers have finished, reporting progress (when the
    /// count grows, and every `heartbeatSeconds`) and polling `isCancelled` meanwhile; returns
    /// the merged statistic of every completed block.
    func waitForWorkers(count: Int, progress: ((Int) -> Void)?, isCancelled: (@Sendable () -> Bool)?) -> Statistic {
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
            let signalled = condition.wait(until: Date(timeIntervalSinceNow: heartbeatSeconds))
            condition.unlock()
            // Poll at every wake-up, not only on heartbeats: fast samples never let a wait time out.
            if isCancelled?() == true { stop.set() }
            // A heartbeat: nothing finished for a while.
            if !signalled { progress?(reported) }
            condition.lock()
        }
        // Every block handed out was merged in order, or discarded behind an abandoned block.
        precondition(waiting.isEmpty || firstAbandoned != nil, "a completed block was never merged")
        let result = merged
        condition.unlock()
        return result
    }
}

/// Seconds between two progress reports (and cancellation polls) while no sample completes.
let heartbeatSeconds = 0.5

/// Set once when a run is cancelled; the samplers see it, like the deadline, within a layer.
final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    func set() { flag.store(true, ordering: .relaxed) }
    var isSet: Bool { flag.load(ordering: .relaxed) }
}

/// The instant a Monte Carlo run must stop, as the samplers see it from inside one sample:
/// its time budget, or the moment it is cancelled.
public struct SampleDeadline: Sendable {
    /// nil: no time budget.
    public let instant: ContinuousClock.Instant?
    /// Set when the run is cancelled (nil: it cannot be).
    let stop: StopFlag?

    public init(instant: ContinuousClock.Instant?) { self.init(instant: instant, stop: nil) }

    init(instant: ContinuousClock.Instant?, stop: StopFlag?) {
        self.instant = instant
        self.stop = stop
    }

    /// No time budget: a sample is never abandoned.
    public static let never = SampleDeadline(instant: nil)

    /// `seconds` from now (≤ 0: already passed); budgets beyond a century count as a century.
    public init(secondsFromNow seconds: Double) {
        instant = ContinuousClock.now.advanced(by: .seconds(min(seconds, 3.2e9)))
        stop = nil
    }

    /// Whether the deadline has passed or the run was cancelled (reads the clock).
    public var hasPassed: Bool { stop?.isSet == true || instant.map { ContinuousClock.now >= $0 } ?? false }
}

/// Consults a `SampleDeadline` from inside a sample's layer loop without reading the clock at
/// every step: the sampler charges the work it does (weights drawn or multiplied, layers of the
/// reduced model) before each layer, and the clock is read only once `checkInterval` units
/// have accumulated — a fraction of a millisecond of work — so narrow layers are checked every
/// few hundred layers and a wide layer at every layer.
struct DeadlineMeter {
    /// Units of work between two readings of the clock (about 0.1–0.3 ms on the calibration machine).
    static let checkInterval = 1 << 16
    let deadline: SampleDeadline
    /// Whether the deadline can pass at all (a time budget or a way to cancel).
    private let isBounded: Bool
    private var pending = 0

    init(_ deadline: SampleDeadline) {
        self.deadline = deadline
        isBounded = deadline.instant != nil || deadline.stop != nil
        // A deadline already passed is seen at the first charge.
        pending = Self.checkInterval
    }

    /// Adds `units` of work; true when the deadline has passed (the sample must be abandoned).
    @inline(__always)
    mutating func expired(after units: Int) -> Bool {
        guard isBounded else { return false }
        pending &+= units
        guard pending >= Self.checkInterval else { return false }
        // Past the deadline `pending` stays full, so every later charge reports it again.
        if deadline.hasPassed { return true }
        pending = 0
        return false
    }
}
