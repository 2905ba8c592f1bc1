import Foundation
import MonteCarlo
import Multiprecision
import NTKMoments

/// `ntk step`: one gradient-descent step θ′ = θ − η(f − y)∇f on ½(f(x) − y)² in sampled
/// explicit networks (derivations/12): the change of Θ, its smooth part −E[fQ] (z-tested against
/// the exact recursion) and its kink part, for a sweep of learning rates; optionally the change
/// of Θ(x, x′) for a second input at `correlation`.
///
/// The rates are absolute (`learningRates`) or c of η = c/E[Θ] with the exact E[Θ]
/// (`learningRateScales`, decimal text as given, kept for the report); with neither, c = 1e-2,
/// 1e-3, 1e-4. `sampleRange` restricts a run to a shard of the `samples` networks.
public struct StepRequest: Experiment, Equatable {
    public var network: ReportedNetwork
    public var learningRates: [Double]?
    public var learningRateScales: [String]?
    /// The target y.
    public var target: Double
    /// ρ of the second input, in [−1, 1].
    public var correlation: Double?
    public var samples: Int
    /// The networks this run computes (a shard); nil: all of them.
    public var sampleRange: Range<Int>?
    public var seed: UInt64
    /// Worker threads; nil: all cores. The result does not depend on it.
    public var threads: Int?
    public var maxSeconds: Double

    public static let samplesRange = 1...1_000_000_000
    public static let maximumRates = 20
    public static let maximumRate = 1e6
    /// One year.
    public static let maximumSeconds = RunTimeLimit.maximumSeconds
    public static let maximumParameters = 50_000_000
    public static let maximumDepth = 100_000
    public static let maximumInputDimension = 100_000
    public static let defaultScales = ["1e-2", "1e-3", "1e-4"]

    public init(network: Architecture, learningRates: [Double]? = nil, learningRateScales: [String]? = nil, target: Double = 0,
                correlation: Double? = nil, samples: Int = 10_000, sampleRange: Range<Int>? = nil, seed: UInt64 = 1,
                threads: Int? = nil, maxSeconds: Double = 10) {
        self.network = ReportedNetwork(network)
        self.learningRates = learningRates
        self.learningRateScales = learningRateScales
        self.target = target
        self.correlation = correlation
        self.samples = samples
        self.sampleRange = sampleRange
        self.seed = seed
        self.threads = threads
        self.maxSeconds = maxSeconds
    }

    enum CodingKeys: String, CodingKey {
        case network, learningRates = "learning_rates", learningRateScales = "learning_rate_scales", target, correlation, samples
        case sampleRange = "sample_range", seed, threads, maxSeconds = "max_seconds"
    }

    /// The networks this run computes.
    public var computedSamples: Range<Int> { sampleRange ?? 0..<samples }

    /// Range and consistency checks, in the order and words of the command line; refuses
    /// networks too large to store or outside the double range before any exact work.
    public func check() throws {
        func refuse(_ message: String) -> ExperimentError { .invalidRequest(message) }
        guard Self.samplesRange.contains(samples) else {
            throw refuse("--samples '\(samples)' is out of range: an integer from 1 to \(Self.samplesRange.upperBound)")
        }
        guard maxSeconds > 0 else { throw refuse("--max-seconds '\(maxSeconds)' is out of range: must be positive") }
        guard maxSeconds <= Self.maximumSeconds else { throw refuse("--max-seconds '\(maxSeconds)' is out of range: at most 31536000") }
        try RequestRange.threads(threads)
        if learningRates != nil && learningRateScales != nil {
            throw refuse("give --learning-rate (absolute η) or --learning-rate-scale (η = c/E[Θ]), not both")
        }
        for (flag, list) in [("--learning-rate", learningRates?.map { "\($0)" }), ("--learning-rate-scale", learningRateScales)] {
            guard let list else { continue }
            guard !list.isEmpty, list.count <= Self.maximumRates else { throw refuse("\(flag): from 1 to \(Self.maximumRates) learning rates") }
            for text in list {
                guard let eta = try? BigRational(parsing: text), eta.signum > 0 else {
                    throw refuse("\(flag) '\(text)' is out of range: must be positive")
                }
                guard eta <= BigRational(Int(Self.maximumRate)) else { throw refuse("\(flag) '\(text)' is out of range: at most 1000000") }
            }
        }
        guard target.isFinite else { throw refuse("--target '\(target)' is too large") }
        if let rho = correlation, !(abs(rho) <= 1) {
            throw refuse("--correlation '\(rho)' is out of range: a number from -1 to 1")
        }
        if let r = sampleRange, r.lowerBound < 0 || r.upperBound > samples {
            throw refuse("the sample range \(r.lowerBound)..<\(r.upperBound) lies outside the \(samples) samples")
        }
        _ = try Self.simulatedArchitecture(network.architecture)
    }

    /// The explicit network of `a`, refused when too large to store or outside double range.
    public static func simulatedArchitecture(_ a: Architecture) throws -> SimulatedArchitecture {
        let simulated = try SimulatedArchitecture.checked(a, command: "step")
        guard a.depth <= maximumDepth, a.inputDimension <= maximumInputDimension else {
            throw ExperimentError.invalidRequest("step stores every weight: at most \(maximumParameters) parameters")
        }
        let parameters = explicitParameterCount(a)
        guard parameters <= Double(maximumParameters) else {
            throw ExperimentError.invalidRequest("step stores every weight: at most \(maximumParameters) parameters (this network has about \(String(format: "%.3g", parameters)))")
        }
        return simulated
    }
}
