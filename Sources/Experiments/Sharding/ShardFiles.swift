import MonteCarlo

/// The shard files of the four sampling commands (one format, `ShardFile`): what each records
/// as its request, and the statistic its shards sum.
///
/// `validate` records the network alone.
public typealias ValidateShardFile = ShardFile<ShardNetwork, ThetaMoments>
public typealias OffDiagShardFile = ShardFile<OffDiagShardRequest, OffDiagonalSweepStatistics>
public typealias StepShardFile = ShardFile<StepShardRequest, GradientStepStatistics>
public typealias DistributionShardFile = ShardFile<DistributionShardRequest, ThetaDistribution>

/// What an `offdiag` shard records: the network, the depths of the sweep and the correlations
/// (exact rationals).
public struct OffDiagShardRequest: Codable, Hashable, Sendable {
    public var network: ShardNetwork
    public var depths: [Int]
    public var correlations: [String]

    public init(network: ShardNetwork, depths: [Int], correlations: [String]) {
        self.network = network
        self.depths = depths
        self.correlations = correlations
    }
}

/// What a `step` shard records: the network and the experiment (rates as the doubles simulated,
/// with the c of η = c/E[Θ] where given that way; the target; the correlation).
public struct StepShardRequest: Codable, Hashable, Sendable {
    public var network: ShardNetwork
    public var learningRates: [Double]
    public var learningRateScales: [String]?
    public var target: Double
    public var correlation: Double?

    enum CodingKeys: String, CodingKey {
        case network, target, correlation
        case learningRates = "learning_rates", learningRateScales = "learning_rate_scales"
    }

    public init(network: ShardNetwork, learningRates: [Double], learningRateScales: [String]?, target: Double, correlation: Double?) {
        self.network = network
        self.learningRates = learningRates
        self.learningRateScales = learningRateScales
        self.target = target
        self.correlation = correlation
    }
}

/// What a `distribution` shard records: the network, the model and the tail thresholds.
public struct DistributionShardRequest: Codable, Hashable, Sendable {
    public var network: ShardNetwork
    public var model: String
    public var tail: [String]

    public init(network: ShardNetwork, model: String, tail: [String]) {
        self.network = network
        self.model = model
        self.tail = tail
    }
}
