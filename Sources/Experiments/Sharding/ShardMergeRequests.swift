import MonteCarlo
import NTKMoments

/// `ntk offdiag merge`: the merged statistics of the N shard files of one offdiag run, reported
/// as the unsharded run would be. Reading and merging the files (`ShardMerge`, exact in any
/// grouping) happens before; this request carries what the shards recorded and their sum.
public struct OffDiagMergeRequest: Experiment {
    public var shards: OffDiagShardRequest
    public var statistic: OffDiagonalSweepStatistics
    public var stoppedBy: MonteCarloStopReason
    public var seed: UInt64
    public var zMax: Double

    public init(_ merged: MergedShards<OffDiagShardRequest, OffDiagonalSweepStatistics>, zMax: Double = 4) {
        shards = merged.request
        statistic = merged.statistic
        stoppedBy = merged.stoppedBy
        seed = merged.seed
        self.zMax = zMax
    }

    enum CodingKeys: String, CodingKey { case shards, statistic, stoppedBy = "stopped_by", seed, zMax = "z_max" }

    public func run(_ context: ExperimentContext) throws -> OffDiagResult {
        try context.checkCancellation()
        let request = try OffDiagRequest(shardsOf: try shards.network.architecture(), depths: shards.depths,
                                         correlations: shards.correlations, zMax: zMax)
        return try request.mergedResult(of: OffDiagMeasurement(merged: statistic, stoppedBy: stoppedBy), seed: seed)
    }
}

/// `ntk step merge`: the merged statistics of the N shard files of one step run.
public struct StepMergeRequest: Experiment {
    public var shards: StepShardRequest
    public var statistic: GradientStepStatistics
    public var seconds: Double
    public var stoppedBy: MonteCarloStopReason
    public var seed: UInt64

    public init(_ merged: MergedShards<StepShardRequest, GradientStepStatistics>) {
        shards = merged.request
        statistic = merged.statistic
        seconds = merged.seconds
        stoppedBy = merged.stoppedBy
        seed = merged.seed
    }

    enum CodingKeys: String, CodingKey { case shards, statistic, seconds, stoppedBy = "stopped_by", seed }

    public func run(_ context: ExperimentContext) throws -> StepResult {
        try context.checkCancellation()
        return try StepRequest.mergedResult(network: try shards.network.architecture(), learningRates: shards.learningRates,
                                            learningRateScales: shards.learningRateScales, target: shards.target,
                                            correlation: shards.correlation, statistics: statistic, seconds: seconds,
                                            stoppedBy: stoppedBy, seed: seed)
    }
}

/// `ntk distribution merge`: the merged statistics of the N shard files of one distribution run.
public struct DistributionMergeRequest: Experiment {
    public var shards: DistributionShardRequest
    public var statistic: ThetaDistribution
    public var seconds: Double
    public var stoppedBy: MonteCarloStopReason
    public var seed: UInt64
    /// Also the density of log x and its lognormal fit (for a chart).
    public var density: Bool

    public init(_ merged: MergedShards<DistributionShardRequest, ThetaDistribution>, density: Bool = false) {
        shards = merged.request
        statistic = merged.statistic
        seconds = merged.seconds
        stoppedBy = merged.stoppedBy
        seed = merged.seed
        self.density = density
    }

    enum CodingKeys: String, CodingKey { case shards, statistic, seconds, stoppedBy = "stopped_by", seed, density }

    public func run(_ context: ExperimentContext) throws -> DistributionResult {
        try context.checkCancellation()
        guard let model = MomentModel(rawValue: shards.model) else {
            throw ExperimentError.invalidRequest("the shards name an unknown model '\(shards.model.prefix(40))'")
        }
        let sample = DistributionSample(statistic: statistic, seconds: seconds, stoppedBy: stoppedBy, seeds: [seed])
        return try DistributionExperiment.mergedResult(network: try shards.network.architecture(), model: model, sample: sample,
                                                       density: density)
    }
}
