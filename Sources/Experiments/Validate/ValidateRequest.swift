import Foundation
import MonteCarlo
import Multiprecision
import NTKMoments

/// `ntk validate run`: simulates `samples` networks with explicit Gaussian matrices and tests
/// the Monte Carlo E[Θ] and E[Θ²] against the exact recursion (the verdict) and the
/// gradient-independence model (reported only); derivations/06.
///
/// With `shard` k/N the request computes only the k-th of N contiguous parts of the
/// `samples` samples (whole blocks, so that merged shards equal the unsharded run bit for
/// bit); the command line writes that part's statistics to a shard file.
public struct ValidateRequest: Experiment, Equatable {
    public var network: ReportedNetwork
    /// Sampled networks of the whole run (all shards).
    public var samples: Int
    /// Each sample's random stream depends only on (seed, sample index).
    public var seed: UInt64
    /// Worker threads (nil: all cores); the result does not depend on them.
    public var threads: Int?
    /// The time budget: no new block of samples starts after this many seconds.
    public var maximumSeconds: Double
    /// A moment passes when |z| ≤ zMax.
    public var zMax: Double
    /// The part of the run this request computes (nil: all of it).
    public var shard: ShardSpec?

    public static let defaultSamples = 100_000
    public static let defaultMaximumSeconds = 60.0
    public static let defaultZMax = 4.0

    public static let maximumDepth = 100_000
    public static let maximumWidth = 100_000
    public static let maximumInputDimension = 1_000_000_000
    public static let maximumSamples = 1_000_000_000_000
    /// One year.
    public static let maximumSecondsLimit = RunTimeLimit.maximumSeconds

    public init(network: Architecture, samples: Int = ValidateRequest.defaultSamples, seed: UInt64 = 1, threads: Int? = nil,
                maximumSeconds: Double = ValidateRequest.defaultMaximumSeconds, zMax: Double = ValidateRequest.defaultZMax,
                shard: ShardSpec? = nil) {
        self.network = ReportedNetwork(network)
        self.samples = samples
        self.seed = seed
        self.threads = threads
        self.maximumSeconds = maximumSeconds
        self.zMax = zMax
        self.shard = shard
    }

    enum CodingKeys: String, CodingKey {
        case network, samples, seed, threads, maximumSeconds = "max_seconds", zMax = "z_max", shard
    }

    /// The worker threads the run uses: `threads`, or every core.
    public var threadCount: Int { RequestRange.resolvedThreads(threads) }

    /// Range and consistency checks (the command line's parser checks syntax only), and the
    /// network's: explicit matrices of bounded size, σ² and ‖x‖² in double range.
    public func check() throws {
        if !(1...Self.maximumSamples).contains(samples) {
            throw ExperimentError.invalidRequest("--samples '\(samples)' is out of range: an integer from 1 to \(Self.maximumSamples)")
        }
        try RequestRange.threads(threads)
        try RequestRange.positive("--max-seconds", maximumSeconds, maximum: BigRational(exactly: Self.maximumSecondsLimit))
        try RequestRange.positive("--z-max", zMax)
        let a = network.architecture
        guard a.depth <= Self.maximumDepth, a.hiddenRuns.allSatisfy({ $0.width <= Self.maximumWidth }),
              a.inputDimension <= Self.maximumInputDimension else {
            throw ExperimentError.invalidRequest("validate simulates explicit matrices: depth ≤ \(Self.maximumDepth) and hidden widths ≤ \(Self.maximumWidth)")
        }
        _ = try SimulatedArchitecture.checked(a, command: "validate")
    }

    /// The simulated network (after `check()`).
    var simulated: SimulatedArchitecture { SimulatedArchitecture(network.architecture) }

    /// The samples this request computes: its shard's whole blocks, or all of them.
    public var sampleRange: Range<Int> {
        let part = shard ?? (try! ShardSpec(index: 1, count: 1))  // 1/1 is always a shard
        return part.samples(of: samples, alignment: simulated.samplesPerBlock)
    }

    /// The sampling cost check (`SamplingBudget.check` on `SamplingCostModel.validate`): refuses
    /// a run whose one network would outlast `maximumSeconds` or whose samplers would not fit
    /// in memory, and returns the one-line estimate a long run should announce (nil: quiet).
    /// - Throws: `ExperimentError.tooExpensive`.
    public func checkCost() throws -> String? {
        let count = sampleRange.count
        do {
            return try SamplingBudget.check(SamplingCostModel.validate(simulated, threads: threadCount, samples: count), samples: count,
                                            maxSeconds: maximumSeconds, what: "network")
        } catch let refusal as SamplingBudgetRefusal {
            throw ExperimentError.tooExpensive(refusal.description)
        }
    }
}
