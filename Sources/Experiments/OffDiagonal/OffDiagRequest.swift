import MonteCarlo
import Multiprecision
import NTKMoments

/// `ntk offdiag`: the off-diagonal moments E[Θ(x,x′)], E[Θ(x,x′)²] of finite-width networks,
/// estimated by simulating explicit networks at the inputs x = √q e₁ and, per correlation ρ,
/// x′ = √q(ρe₁ + √(1−ρ²)e₂), with the exact diagonal moments as references and bounds.
///
/// `depths` runs the prefixes of the network (its first L − 1 hidden layers and an output) for
/// a depth sweep; one sample is one network at every depth. `sampleRange` restricts a run to a
/// shard of the `samples` samples (whole blocks, `sampleAlignment`); the statistics of shards
/// merge into those of the whole run.
public struct OffDiagRequest: Experiment, Equatable {
    public var network: ReportedNetwork
    /// Depths of the sweep (each ≤ the network's depth); nil: the network's own depth.
    public var depths: [Int]?
    /// Correlations ρ = ⟨x, x′⟩/‖x‖², exact, each in [−1, 1].
    public var correlations: [BigRational]
    /// Samples of the whole run, per depth.
    public var samples: Int
    /// The samples this run computes (a shard); nil: all of them.
    public var sampleRange: Range<Int>?
    public var seed: UInt64
    /// Worker threads; nil: all cores. The result does not depend on it.
    public var threads: Int?
    /// The time budget of the whole sweep, shared among its depths in proportion to depth.
    public var maxSeconds: Double
    /// The checks against the exact diagonal pass when |z| ≤ zMax.
    public var zMax: Double

    public static let samplesRange = 1...1_000_000_000
    /// One year.
    public static let maximumSeconds = RunTimeLimit.maximumSeconds
    public static let maximumCorrelations = 1000
    public static let maximumDepths = 1000
    public static let depthRange = 1...10_000
    /// The largest explicit network `offdiag` stores (all weights, one copy per thread).
    public static let maximumParameters = 1 << 25

    public init(network: Architecture, depths: [Int]? = nil, correlations: [BigRational], samples: Int = 1000,
                sampleRange: Range<Int>? = nil, seed: UInt64 = 1, threads: Int? = nil, maxSeconds: Double = 60, zMax: Double = 4) {
        self.network = ReportedNetwork(network)
        self.depths = depths
        self.correlations = correlations
        self.samples = samples
        self.sampleRange = sampleRange
        self.seed = seed
        self.threads = threads
        self.maxSeconds = maxSeconds
        self.zMax = zMax
    }

    enum CodingKeys: String, CodingKey {
        case network, depths, correlations, samples, sampleRange = "sample_range", seed, threads, maxSeconds = "max_seconds", zMax = "z_max"
    }

    /// The correlations as the doubles the simulation uses (correctly rounded).
    public var correlationValues: [Double] { correlations.map { BigFloat($0, precision: 53).doubleValue() } }

    /// The samples this run computes.
    public var computedSamples: Range<Int> { sampleRange ?? 0..<samples }

    /// Range and consistency checks, in the order and words of the command line.
    public func check() throws {
        func refuse(_ message: String) -> ExperimentError { .invalidRequest(message) }
        guard Self.samplesRange.contains(samples) else {
            throw refuse("--samples '\(samples)' is out of range: an integer from 1 to \(Self.samplesRange.upperBound)")
        }
        try RequestRange.threads(threads)
        guard maxSeconds > 0 else { throw refuse("--max-seconds '\(maxSeconds)' is out of range: must be positive") }
        guard maxSeconds <= Self.maximumSeconds else { throw refuse("--max-seconds '\(maxSeconds)' is out of range: at most 31536000") }
        guard zMax.isFinite, zMax > 0 else { throw refuse("--z-max '\(zMax)' is out of range: must be positive") }
        guard !correlations.isEmpty, correlations.count <= Self.maximumCorrelations else {
            throw refuse("--correlation: from 1 to \(Self.maximumCorrelations) correlations")
        }
        for rho in correlations where !Self.isCorrelation(rho) {
            throw refuse("--correlation '\(rho.terminatingDecimal ?? rho.fractionString)' is out of range: a number from -1 to 1")
        }
        if let depths {
            guard !depths.isEmpty, depths.count <= Self.maximumDepths else { throw refuse("--depths: from 1 to \(Self.maximumDepths) depths") }
            for d in depths where !Self.depthRange.contains(d) {
                throw refuse("--depths entry '\(d)' is out of range: an integer from 1 to \(Self.depthRange.upperBound)")
            }
        }
        if let r = sampleRange, r.lowerBound < 0 || r.upperBound > samples {
            throw refuse("the sample range \(r.lowerBound)..<\(r.upperBound) lies outside the \(samples) samples")
        }
        let a = network.architecture
        try Self.checkSimulable(a)
        if a.inputDimension < 2, let rho = correlations.first(where: { $0 != BigRational(1) && $0 != BigRational(-1) }) {
            throw refuse("--correlation '\(rho.terminatingDecimal ?? rho.fractionString)' needs two input coordinates: n0 = 1 allows only ρ = ±1")
        }
        _ = try networks()
    }

    /// −1 ≤ ρ ≤ 1.
    public static func isCorrelation(_ rho: BigRational) -> Bool { BigRational(-1) <= rho && rho <= BigRational(1) }

    /// Refuses networks `offdiag` cannot simulate: too deep, too many parameters, or σ², ‖x‖²
    /// outside the double range the simulation uses.
    public static func checkSimulable(_ a: Architecture) throws {
        guard a.depth <= 10_000, a.inputDimension <= maximumParameters,
              a.hiddenRuns.allSatisfy({ $0.width <= maximumParameters }) else {
            throw ExperimentError.invalidRequest("offdiag stores every weight: depth ≤ 10000 and at most \(maximumParameters) parameters")
        }
        guard explicitParameterCount(a) <= Double(maximumParameters) else {
            throw ExperimentError.invalidRequest("offdiag stores every weight: at most \(maximumParameters) parameters per network")
        }
        _ = try SimulatedArchitecture.checked(a, command: "offdiag")
    }

    /// The networks of the sweep: for each depth L, the first L − 1 hidden widths and one output.
    public func networks() throws -> [Architecture] {
        let a = network.architecture
        let all = a.expandedWidths
        return try (depths ?? [a.depth]).map { L in
            guard (1...a.depth).contains(L) else {
                throw ExperimentError.invalidRequest("--depths entry \(L) is out of range: the network has depth \(a.depth); give depths from 1 to \(a.depth)")
            }
            return try Self.network(a, widths: all, depth: L)
        }
    }

    /// The network of depth L that a sweep over depths simulates: the first L widths of `a`.
    static func network(_ a: Architecture, widths: [Int]? = nil, depth L: Int) throws -> Architecture {
        try Architecture(widths: Array((widths ?? a.expandedWidths).prefix(L)), sigma2: a.sigma2, inputNorm2: a.inputNorm2,
                         trainableBiases: a.trainableBiases)
    }

    /// Shards are whole blocks of every depth: the block sizes are powers of two, so their lcm
    /// is the largest.
    public func sampleAlignment() throws -> Int {
        try networks().map { offDiagonalBlockSize(SimulatedArchitecture($0), correlations: correlations.count) }.max() ?? 1
    }

    /// The predicted cost of one sample — one network at every depth of the sweep — with
    /// `threads` workers, for `SamplingBudget.check`.
    public func samplingCost(threads: Int) throws -> SamplingCost {
        let count = computedSamples.count
        let costs = try networks().map {
            SamplingCostModel.offDiagonal(SimulatedArchitecture($0), correlations: correlations.count, threads: threads, samples: count)
        }
        return SamplingCost(secondsPerSample: costs.reduce(0) { $0 + $1.secondsPerSample },
                            parallelism: costs.map(\.parallelism).min() ?? 1, bytes: costs.map(\.bytes).max() ?? 0)
    }

    /// What `SamplingBudget.check` calls the sample.
    public var sampleName: String { "network\((depths?.count ?? 1) > 1 ? " sweep" : "")" }
}
