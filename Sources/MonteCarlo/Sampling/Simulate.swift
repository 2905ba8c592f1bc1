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
    /// The random seed of the run.
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
/// `NetworkThetaSampler`), numbered `firstSample ..< firstSample + samples` (a shard of a longer
/// run starts at a multiple of `architecture.samplesPerBlock`), on `threads` threads.
///
/// Reproducibility contract: the result's `moments` are a function of
/// `(architecture, seed, samplesCompleted)` only — bit-identical for every thread count.
/// Samples are processed in blocks of `architecture.samplesPerBlock` consecutive indices;
/// each block is summed alone in index order, and block results are merged in block order.
///
/// Time budget: with `maxSeconds` set, no new block is started once that many seconds have
/// elapsed, and a block in progress is abandoned and discarded as soon as one of its samples
/// sees the deadline (checked before every layer of a sample, see `runBlocks`). The completed
/// samples are always a prefix `0..<N` (N a multiple of the block size, or `samples`), and the
/// result equals that of an unbounded run with `samples = N`. The run overshoots the budget by
/// well under one layer's duration; with `maxSeconds ≤ 0` it does nothing.
///
/// `progress`, if given, is called on the calling thread with the number of samples completed
/// so far, each time it grows and otherwise every half second; `isCancelled`, if given, is
/// polled as often, and once it is true the run stops as at its time budget.
public func simulate(
    _ architecture: SimulatedArchitecture,
    samples: Int,
    firstSample: Int = 0,
    maxSeconds: Double? = nil,
    seed: UInt64,
    threads: Int = 1,
    progress: ((Int) -> Void)? = nil,
    isCancelled: (@Sendable () -> Bool)? = nil
) -> MonteCarloRun {
    simulate(
        architecture, samples: samples, firstSample: firstSample, maxSeconds: maxSeconds, seed: seed, threads: threads,
        weightStorageLimitBytes: NetworkThetaSampler.defaultWeightStorageLimitBytes,
        progress: progress, isCancelled: isCancelled)
}

/// `simulate` with an explicit per-thread weight storage limit (see `NetworkThetaSampler`).
func simulate(
    _ architecture: SimulatedArchitecture,
    samples: Int,
    firstSample: Int = 0,
    maxSeconds: Double?,
    seed: UInt64,
    threads: Int,
    weightStorageLimitBytes: Int,
    progress: ((Int) -> Void)?,
    isCancelled: (@Sendable () -> Bool)? = nil
) -> MonteCarloRun {
    precondition(samples >= 0 && firstSample >= 0 && firstSample <= Int.max - samples, "sample indices must be non-negative")
    precondition(threads >= 1, "at least one thread is needed")
    let blockSize = architecture.samplesPerBlock
    let run = runBlocks(samples: samples, blockSize: blockSize, maxSeconds: maxSeconds, threads: threads, progress: progress,
                        isCancelled: isCancelled) { deadline in
        let sampler = NetworkThetaSampler(architecture: architecture, seed: seed, weightStorageLimitBytes: weightStorageLimitBytes)
        return { (range: Range<Int>) -> ThetaMoments? in
            var moments = ThetaMoments()
            var meter = DeadlineMeter(deadline)
            for sample in range {
                guard let theta = sampler.theta(sample: firstSample + sample, meter: &meter) else { return nil }
                moments.add(theta)
            }
            return moments
        }
    }
    return MonteCarloRun(
        architecture: architecture,
        seed: seed,
        moments: run.statistic,
        samplesCompleted: run.statistic.count,
        wallSeconds: run.wallSeconds,
        stoppedBy: run.stoppedBy)
}
