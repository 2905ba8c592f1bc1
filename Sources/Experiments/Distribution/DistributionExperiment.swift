import MonteCarlo
import Multiprecision
import NTKMoments

/// A checked `DistributionRequest`, ready to run in the steps a sharded run needs to take
/// apart: the cost decision, the exact references, the samples of one range of indices, and
/// the result of those samples (or of merged shards).
public struct DistributionExperiment: Sendable {
    public let request: DistributionRequest
    /// The network as the sampler sees it.
    public let reducedNetwork: ReducedNetwork
    /// The threads the sampling uses.
    public let threads: Int

    /// - Throws: `ExperimentError.invalidRequest` for a request out of range or a network the
    ///   double-precision sampler cannot hold.
    public init(_ request: DistributionRequest) throws {
        try request.check()
        self.request = request
        reducedNetwork = try ReducedNetwork(architecture: request.network.architecture, model: request.model)
        threads = request.resolvedThreads
    }

    /// Samples per block: shards start at multiples of it, so that merged shards sum in the
    /// unsharded run's order.
    public var blockSize: Int { distributionBlockSize(reducedNetwork) }

    /// The cost decision before any work: a one-line note when the run should take more than
    /// a few seconds, nil when it is quick.
    /// - Throws: `ExperimentError.tooExpensive` when one sample would not fit `maxSeconds` or
    ///   the run not in memory.
    public func costNote() throws -> String? {
        let cost = SamplingCostModel.distribution(reducedNetwork, threads: threads, samples: request.samples)
        return try SamplingBudget.note(cost, samples: request.samples, maxSeconds: request.maxSeconds, reduce: "a smaller depth")
    }

    /// The exact E[Θ] and normalized moments of the request's network and model.
    public func references() throws -> DistributionReferences {
        let references = try DistributionReferences(architecture: request.network.architecture, model: request.model)
        _ = try references.scaledMean(for: reducedNetwork)
        return references
    }

    /// Samples the indices `range` (a shard's part of `0..<samples`), reporting how many are done.
    public func sample(_ range: Range<Int>, references: DistributionReferences, context: ExperimentContext) throws -> DistributionSample {
        try context.checkCancellation()
        let count = range.count
        let run = sampleDistribution(reducedNetwork, reference: try references.scaledMean(for: reducedNetwork),
                                     thresholds: request.tail.map { BigFloat($0, precision: 53).doubleValue() }, samples: count,
                                     firstSample: range.lowerBound, maxSeconds: request.maxSeconds, seed: request.seed,
                                     threads: threads, progress: { [line = SamplingProgress(label: "ntk distribution", total: count)] in
                                         context.report(line.report($0))
                                     }, isCancelled: { context.isCancelled })
        try context.checkCancellation()
        return DistributionSample(statistic: run.statistic, seconds: run.wallSeconds, stoppedBy: run.stoppedBy, seeds: [request.seed])
    }

    /// The result of `sample`'s samples.
    public func result(_ sample: DistributionSample, references: DistributionReferences) throws -> DistributionResult {
        try DistributionResult(network: request.network.architecture, model: request.model, sample: sample, references: references,
                               density: request.density)
    }

    /// The result of merged shards of a run of `network` under `model` (the flags the shards
    /// recorded).
    /// - Throws: `ExperimentError.invalidRequest` when the shards hold no samples.
    public static func mergedResult(network: Architecture, model: MomentModel, sample: DistributionSample,
                                    density: Bool) throws -> DistributionResult {
        guard sample.statistic.count > 0 else { throw ExperimentError.invalidRequest("the shards hold no samples") }
        return try DistributionResult(network: network, model: model, sample: sample,
                                      references: try DistributionReferences(architecture: network, model: model), density: density)
    }
}
