import Foundation
import MonteCarlo
import Multiprecision
import NTKMoments

/// `ntk distribution`: the law of x = Θ/E[Θ] sampled from the exact reduced model
/// (derivations/08) — moments against the exact ones, quantiles, tail probabilities
/// P(Θ > t·E[Θ]), log-moments and, on request, the density of log x with a lognormal fit.
///
/// Reproducible: sample i uses a stream keyed by (`seed`, i), so a result does not depend on
/// `threads`, and `maxSeconds` stops at a prefix of the samples.
public struct DistributionRequest: Experiment, Equatable {
    public var network: ReportedNetwork
    public var model: MomentModel
    public var samples: Int
    public var seed: UInt64
    /// Worker threads (nil: every core).
    public var threads: Int?
    /// The time budget: sampling stops after this many seconds.
    public var maxSeconds: Double
    /// Thresholds t of the tail probabilities P(Θ > t·E[Θ]).
    public var tail: [BigRational]
    /// Also the density of log x and its lognormal fit (`DistributionResult.density`).
    public var density: Bool

    public static let defaultSamples = 100_000
    public static let defaultMaxSeconds = 60.0
    public static var defaultTail: [BigRational] { [2, 5, 10] }
    public static let samplesRange = 1...1_000_000_000
    /// One year.
    public static let maximumSeconds = BigRational(exactly: RunTimeLimit.maximumSeconds)!
    public static let maximumThresholds = 100
    public static var maximumThreshold: BigRational { BigRational(10).power(12) }

    public init(network: Architecture, model: MomentModel = .exact, samples: Int = DistributionRequest.defaultSamples,
                seed: UInt64 = 1, threads: Int? = nil, maxSeconds: Double = DistributionRequest.defaultMaxSeconds,
                tail: [BigRational] = DistributionRequest.defaultTail, density: Bool = false) {
        self.network = ReportedNetwork(network)
        self.model = model
        self.samples = samples
        self.seed = seed
        self.threads = threads
        self.maxSeconds = maxSeconds
        self.tail = tail
        self.density = density
    }

    enum CodingKeys: String, CodingKey {
        case network, model, samples, seed, threads, maxSeconds = "max_seconds", tail, density
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(network: try c.decode(ReportedNetwork.self, forKey: .network).architecture,
                  model: try c.decodeIfPresent(MomentModel.self, forKey: .model) ?? .exact,
                  samples: try c.decodeIfPresent(Int.self, forKey: .samples) ?? Self.defaultSamples,
                  seed: try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? 1,
                  threads: try c.decodeIfPresent(Int.self, forKey: .threads),
                  maxSeconds: try c.decodeIfPresent(Double.self, forKey: .maxSeconds) ?? Self.defaultMaxSeconds,
                  tail: try c.decodeIfPresent([BigRational].self, forKey: .tail) ?? Self.defaultTail,
                  density: try c.decodeIfPresent(Bool.self, forKey: .density) ?? false)
    }

    /// Range checks, with the command line's messages (its parser checks syntax only).
    public func check() throws {
        try RequestRange.integer("--samples", samples, Self.samplesRange)
        try RequestRange.positive("--max-seconds", maxSeconds, maximum: Self.maximumSeconds)
        try RequestRange.threads(threads)
        guard tail.count <= Self.maximumThresholds else {
            throw ExperimentError.invalidRequest("--tail: at most \(Self.maximumThresholds) thresholds")
        }
        for t in tail { try RequestRange.positive("--tail", t, text: t.displayText, maximum: Self.maximumThreshold) }
        guard network.architecture.depth <= ReducedThetaSampler.maximumDepth else {
            throw ExperimentError.invalidRequest("distribution samples O(L) per network: depth ≤ \(ReducedThetaSampler.maximumDepth)")
        }
    }

    /// The threads the run uses: `threads`, or every core.
    public var resolvedThreads: Int { RequestRange.resolvedThreads(threads) }

    /// Samples every index `0..<samples` (see `DistributionExperiment` for a part of them).
    public func run(_ context: ExperimentContext) throws -> DistributionResult {
        let experiment = try DistributionExperiment(self)
        _ = try experiment.costNote()
        let references = try experiment.references()
        let sample = try experiment.sample(0..<samples, references: references, context: context)
        return try experiment.result(sample, references: references)
    }
}
