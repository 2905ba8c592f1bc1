import MonteCarlo
import Multiprecision
import NTKMoments
import NTKOutput

/// The result of `DistributionRequest` (schema `ntk.distribution`): the sampled law of
/// x = Θ/E[Θ] against the exact references. Its document keeps the keys and number formats of
/// the command's document before it was typed (`LegacyJSON`), which the chart and the
/// Python package read, after the schema stamp.
public struct DistributionResult: ExperimentResult, Equatable {
    public static let schemaName = "ntk.distribution"
    public static let schemaVersion = 1
    /// The levels q of the reported quantiles.
    public static let quantileLevels = [0.001, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 0.999]

    /// A q-quantile of x; nil where the histogram does not reach it.
    public struct Quantile: Sendable, Equatable {
        public var level: Double
        public var value: Double?
    }

    /// P(x > threshold) with its binomial standard error.
    public struct TailProbability: Sendable, Equatable {
        public var threshold: Double
        public var probability: Double
        public var standardError: Double
    }

    /// A Monte Carlo estimate with its standard error.
    public struct Estimate: Sendable, Equatable {
        public var value: Double
        public var standardError: Double
    }

    public var schema: SchemaStamp = Self.stamp
    public var network: ReportedNetwork
    public var model: MomentModel
    public var samples: Int
    public var seconds: Double
    public var stoppedBy: MonteCarloStopReason
    public var seeds: [UInt64]
    /// E[Θ] from the exact recursion (128-bit MPFR; a decoded document holds its 17 digits).
    public var meanExact: BigFloat
    /// k = 1 … 4.
    public var moments: [DistributionMomentComparison]
    public var quantiles: [Quantile]
    /// Relative resolution of the quantiles: half a histogram bin.
    public var quantileResolution: Double
    public var tails: [TailProbability]
    /// E[log x] over the samples with x > 0.
    public var logMean: Estimate
    /// Var[log x], its standard error from normal theory (√(2/(n − 1))·Var).
    public var logVariance: Estimate
    /// The E[log x] a lognormal law with this Var[log x] and E[x] = 1 would have: −Var[log x]/2.
    public var lognormalLogMean: Double { -logVariance.value / 2 }
    /// Samples with Θ = 0 (dead networks without biases), left out of the log-moments.
    public var zeroSamples: Int
    /// The density of log x with its lognormal fit, when the request asked for it and the
    /// samples allow one (`LogDensityEstimate`).
    public var density: LogDensityEstimate?

    /// The summary of `sample` against `references`.
    public init(network: Architecture, model: MomentModel, sample: DistributionSample, references: DistributionReferences,
                density: Bool) throws {
        let d = sample.statistic
        self.network = ReportedNetwork(network)
        self.model = model
        samples = d.count
        seconds = sample.seconds
        stoppedBy = sample.stoppedBy
        seeds = sample.seeds
        meanExact = references.mean
        moments = DistributionMomentComparison.comparisons(d, normalizedExact: references.normalizedMoments)
        quantiles = Self.quantileLevels.map { Quantile(level: $0, value: d.quantile($0)) }
        quantileResolution = 0.5 / Double(ThetaDistribution.binsPerUnit)
        tails = d.thresholds.indices.map { i in
            let t = d.tail(i)
            return TailProbability(threshold: d.thresholds[i], probability: t.probability, standardError: t.standardError)
        }
        let l = d.logMoments
        logMean = Estimate(value: l.mean, standardError: l.meanError)
        logVariance = Estimate(value: l.variance, standardError: l.varianceError)
        zeroSamples = d.zeros
        self.density = density ? LogDensityEstimate(d) : nil
    }
}
