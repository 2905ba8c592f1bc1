import MonteCarlo

/// Samples of x = Θ/E[Θ] as they come from a run, a shard of one, or merged shards: the
/// statistic, the compute time and what ended the sampling.
public struct DistributionSample: Sendable, Hashable {
    public var statistic: ThetaDistribution
    public var seconds: Double
    public var stoppedBy: MonteCarloStopReason
    /// The random seeds the samples came from: one for a run, the run's for merged shards.
    public var seeds: [UInt64]

    public init(statistic: ThetaDistribution, seconds: Double, stoppedBy: MonteCarloStopReason, seeds: [UInt64]) {
        self.statistic = statistic
        self.seconds = seconds
        self.stoppedBy = stoppedBy
        self.seeds = seeds
    }

    /// Shards 1 … N of one run combined in that order — the unsharded run's statistic, bit for
    /// bit, when the shards are complete and start at multiples of the block size — with
    /// their compute times summed; stopped by the time budget when any shard was.
    public static func merging(_ shards: [DistributionSample]) -> DistributionSample {
        var total = ThetaDistribution()
        for shard in shards { total.merge(shard.statistic) }
        return DistributionSample(statistic: total, seconds: shards.reduce(0) { $0 + $1.seconds },
                                  stoppedBy: shards.allSatisfy { $0.stoppedBy == .sampleBudget } ? .sampleBudget : .timeBudget,
                                  seeds: Array(Set(shards.flatMap(\.seeds))).sorted())
    }
}
