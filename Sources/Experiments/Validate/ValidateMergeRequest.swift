import MonteCarlo
import NTKMoments

/// `ntk validate merge`: the merged statistics of the N shard files of one validate run,
/// tested as the unsharded run's would be. Reading and merging the files (`ShardMerge`, exact
/// in any grouping) happens before; this request carries the merged power sums.
public struct ValidateMergeRequest: Experiment, Equatable {
    public var network: ReportedNetwork
    /// The power sums of Θ over the shards' samples, merged in shard order.
    public var statistic: ThetaMoments
    /// The shards' compute time, summed.
    public var seconds: Double
    /// `sampleBudget` when every shard completed its samples.
    public var stoppedBy: MonteCarloStopReason
    public var seed: UInt64
    public var zMax: Double

    public init(network: Architecture, statistic: ThetaMoments, seconds: Double, stoppedBy: MonteCarloStopReason, seed: UInt64,
                zMax: Double = ValidateRequest.defaultZMax) {
        self.network = ReportedNetwork(network)
        self.statistic = statistic
        self.seconds = seconds
        self.stoppedBy = stoppedBy
        self.seed = seed
        self.zMax = zMax
    }

    /// The request of merged shard files.
    /// - Throws: `ExperimentError.invalidRequest` when the files describe no valid network.
    public init(_ merged: MergedShards<ShardNetwork, ThetaMoments>, zMax: Double = ValidateRequest.defaultZMax) throws {
        self.init(network: try merged.request.architecture(), statistic: merged.statistic, seconds: merged.seconds,
                  stoppedBy: merged.stoppedBy, seed: merged.seed, zMax: zMax)
    }

    enum CodingKeys: String, CodingKey {
        case network, statistic, seconds, stoppedBy = "stopped_by", seed, zMax = "z_max"
    }

    public func run(_ context: ExperimentContext) throws -> ValidateResult {
        try RequestRange.positive("--z-max", zMax)
        guard network.architecture.depth <= ValidateRequest.maximumDepth else {
            throw ExperimentError.invalidRequest("the shards' network is deeper than validate simulates")
        }
        guard statistic.count > 0 else { throw ExperimentError.invalidRequest("the shards contain no samples") }
        try context.checkCancellation()
        return ValidateResult(evaluating: statistic, network: network.architecture, seconds: seconds, stoppedBy: stoppedBy,
                              seeds: [seed], zMax: zMax)
    }
}
