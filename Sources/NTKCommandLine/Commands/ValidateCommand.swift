import ArgumentParser
import Experiments
import Foundation
import MonteCarlo
import Multiprecision
import NTKMoments
import NTKOutput

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Monte Carlo validation against simulated networks (explicit Gaussian matrices).",
        subcommands: [ValidateRunCommand.self, ValidateMergeCommand.self, ValidateSuiteCommand.self],
        defaultSubcommand: ValidateRunCommand.self)
}

/// Reference values the Monte Carlo estimates are compared with.
struct ValidationReference {
    let architecture: Architecture
    let exactMean: Double, exactSecond: Double
    let giMean: Double, giSecond: Double

    init(_ a: Architecture) {
        architecture = a
        func moments(_ model: MomentModel) -> (Double, Double) {
            let s = try! MomentSummary(architecture: a, model: model, mode: .mpfr(precision: 128))  // MPFR never throws
            return (s.mean.approximation(precision: 64)!.doubleValue(), s.secondMoment.approximation(precision: 64)!.doubleValue())
        }
        (exactMean, exactSecond) = moments(.exact)
        (giMean, giSecond) = moments(.gradientIndependence)
    }

    /// The exact E[Θ³], E[Θ⁴] give the exact standard errors and the samples needed to tell the
    /// exact model from GI (nil where they do not fit a Double). Computed on demand: the
    /// p = 3, 4 recursions cost more than the rest of the reference, and only reports print them.
    var plan: ExactSamplingPlan? { ExactSamplingPlan(architecture: architecture, mean: exactMean, secondMoment: exactSecond) }
}

/// A validation that ran but cannot support a verdict (too few samples, or standard errors
/// that are not finite and positive): exit code 3.
struct ValidationInconclusive: Error, CustomStringConvertible {
    let description: String
}

/// One validation, formatted: the z-tests (`MomentZTest`, from the MonteCarlo library) of the
/// Monte Carlo E[Θ] and E[Θ²] against the exact recursion and the GI model, as text or JSON.
struct ValidationReport {
    let architecture: Architecture
    let moments: ThetaMoments
    let seconds: Double
    let stoppedBy: String
    let seeds: [UInt64]
    let threads: Int?
    let zMax: Double
    let reference: ValidationReference
    /// The exact standard errors and run lengths (`ValidationReference.plan`), computed once.
    let samplingPlan: ExactSamplingPlan?
    /// Against the exact recursion: decides the verdict and the exit code.
    let exact: MomentZTest
    /// Against the gradient-independence model: reported only.
    let gi: MomentZTest

    init(architecture: Architecture, moments: ThetaMoments, seconds: Double, stoppedBy: String, seeds: [UInt64],
         threads: Int?, zMax: Double, reference: ValidationReference) {
        self.architecture = architecture
        self.moments = moments
        self.seconds = seconds
        self.stoppedBy = stoppedBy
        self.seeds = seeds
        self.threads = threads
        self.zMax = zMax
        self.reference = reference
        let plan = reference.plan
        samplingPlan = plan
        // The exact E[Θ²], E[Θ⁴] give the true standard errors; the sample ones are optimistic
        // for heavy-tailed Θ (derivations/06).
        exact = MomentZTest(moments: moments, referenceMean: reference.exactMean, referenceSecondMoment: reference.exactSecond, zMax: zMax,
                            exactStandardErrors: plan.map { .init(plan: $0, samples: moments.count) })
        gi = MomentZTest(moments: moments, referenceMean: reference.giMean, referenceSecondMoment: reference.giSecond, zMax: zMax)
    }

    var verdict: ValidationVerdict { exact.verdict }

    func g(_ x: Double, _ digits: Int = 6) -> String {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x > 0 ? "inf" : "-inf" }
        return BigFloat(x, precision: 53).formatted(significantDigits: digits)
    }

    /// Where z is undefined (fewer than 2 samples, or zero standard error), it is reported as
    /// "undefined" in text and null in JSON.
    func zText(_ z: Double) -> String { zScoreText(z) }

    /// A standard error in text: "undefined" when there is none (fewer than 2 samples).
    func seText(_ se: Double) -> String { se.isFinite ? g(se, 2) : "undefined" }

    /// Why there is no verdict, in a few words.
    var inconclusiveReason: String {
        if !exact.hasEnoughSamples {
            return "\(moments.count) sample\(moments.count == 1 ? "" : "s"); a verdict needs at least \(MomentZTest.minimumSamples) samples and finite, positive standard errors"
        }
        if !exact.standardErrorsAreTrustworthy {
            return "|z| > \(g(zMax, 3)) on sample standard errors that heavy tails make unreliable (sample kurtosis \(g(exact.sampleKurtosis, 3)); no exact E[Θ⁴] to replace them)"
        }
        return "z is undefined (zero or non-finite standard error with an estimate that differs from the exact value)"
    }

    var verdictText: String {
        let giText: String
        switch gi.verdict {
        case .pass: giText = "the GI model is not rejected"
        case .fail: giText = "the GI model is rejected"
        case .inconclusive: giText = "the GI model is neither rejected nor confirmed"
        }
        switch verdict {
        case .pass: return "PASS: |z| ≤ \(g(zMax, 3)) against the exact recursion; \(giText)"
        case .fail: return "FAIL: |z| > \(g(zMax, 3)) against the exact recursion; \(giText)"
        case .inconclusive: return "INCONCLUSIVE: \(inconclusiveReason)"
        }
    }

    var text: String {
        var out = "architecture  \(describe(architecture))\n"
        let seedText = seeds.count == 1 ? "seed \(seeds[0])" : "\(seeds.count) shards, seeds \(seeds.map(String.init).joined(separator: ","))"
        out += "samples       \(moments.count) (stopped by \(stoppedBy)) in \(String(format: "%.2f", seconds)) s"
            + (threads.map { " with \($0) thread\($0 == 1 ? "" : "s")" } ?? "") + ", \(seedText)\n"
        let zKind = exact.usesExactStandardErrors ? "z on the exact s.e." : "z on the sample s.e."
        out += "              Monte Carlo estimate ± sample s.e. | exact recursion (\(zKind)) | gradient independence (z on the sample s.e.)\n"
        out += "E[Θ]          \(g(moments.mean)) ± \(seText(moments.standardErrorOfMean)) | \(g(reference.exactMean, 8)) (\(zText(exact.zMean))) | \(g(reference.giMean, 8)) (\(zText(gi.zMean)))\n"
        out += "E[Θ²]         \(g(moments.secondMoment)) ± \(seText(moments.standardErrorOfSecondMoment)) | \(g(reference.exactSecond, 8)) (\(zText(exact.zSecondMoment))) | \(g(reference.giSecond, 8)) (\(zText(gi.zSecondMoment)))\n"
        out += "dispersion    plug-in \(g(moments.dispersion)) ± \(seText(moments.dispersionStandardError)) (delta method; biased low and optimistic for heavy tails) | exact \(g(reference.exactSecond / (reference.exactMean * reference.exactMean), 8)) | GI \(g(reference.giSecond / (reference.giMean * reference.giMean), 8))\n"
        if let plan = samplingPlan {
            let se = plan.standardErrors(samples: moments.count)
            let n = plan.samplesToSeparate(meanDifference: reference.exactMean - reference.giMean,
                                           secondMomentDifference: reference.exactSecond - reference.giSecond, z: zMax)
            func count(_ x: Double?) -> String { x.map { $0 < 1e15 ? "\(Int($0))" : g($0, 3) } ?? "never" }
            out += "exact s.e.    E[Θ] ± \(g(se.mean, 2)), E[Θ²] ± \(g(se.secondMoment, 2)) for \(moments.count) samples (from the exact E[Θ²], E[Θ⁴])\n"
            out += "power         samples to tell the exact model from GI at |z| = \(g(zMax, 3)): \(count(n.mean)) by E[Θ], \(count(n.secondMoment)) by E[Θ²]\n"
        }
        out += "verdict       \(verdictText)\n"
        return out
    }

    var json: JSONValue {
        let plan = samplingPlan
        let exactSE = plan?.standardErrors(samples: moments.count)
        let separation = plan?.samplesToSeparate(meanDifference: reference.exactMean - reference.giMean,
                                                           secondMomentDifference: reference.exactSecond - reference.giSecond, z: zMax)
        func block(_ mc: Double, _ se: Double, _ exact: Double, _ z: Double, _ gi: Double, _ zgi: Double, _ seExact: Double?) -> JSONValue {
            .object([("mc", jsonNumber(mc)), ("se", jsonNumber(se)), ("se_exact", seExact.map(jsonNumber) ?? .null), ("exact", jsonNumber(exact)), ("z", jsonNumber(z)),
                     ("gi", jsonNumber(gi)), ("z_gi", jsonNumber(zgi))])
        }
        return .object(architectureMembers(architecture) + [
            ("samples", .number("\(moments.count)")),
            ("seconds", jsonNumber(seconds)),
            ("stopped_by", .string(stoppedBy)),
            ("seeds", .array(seeds.map { .number("\($0)") })),
            ("z_max", jsonNumber(zMax)),
            ("minimum_samples", .number("\(MomentZTest.minimumSamples)")),
            ("z_standard_errors", .string(exact.usesExactStandardErrors ? "exact" : "sample")),
            ("E_theta", block(moments.mean, moments.standardErrorOfMean, reference.exactMean, exact.zMean, reference.giMean, gi.zMean,
                              exactSE?.mean)),
            ("E_theta2", block(moments.secondMoment, moments.standardErrorOfSecondMoment, reference.exactSecond, exact.zSecondMoment,
                               reference.giSecond, gi.zSecondMoment, exactSE?.secondMoment)),
            ("samples_to_separate_gi", .object([("z", jsonNumber(zMax)), ("by_E_theta", separation?.mean.map(jsonNumber) ?? .null),
                                                ("by_E_theta2", separation?.secondMoment.map(jsonNumber) ?? .null)])),
            ("dispersion_plugin", .object([("mc", jsonNumber(moments.dispersion)), ("se_delta_method", jsonNumber(moments.dispersionStandardError)),
                                          ("note", .string("biased low for heavy-tailed Theta; test E_theta and E_theta2 instead"))])),
            ("verdict", .string(verdict.rawValue)),
            ("passed", .bool(verdict == .pass)),
            ("gi_verdict", .string(gi.verdict.rawValue)),
            ("gi_rejected", .bool(gi.verdict == .fail)),
        ])
    }

    /// Writes the report, then signals a failed (exit 1) or inconclusive (exit 3) verdict.
    func emit(_ io: CommandIO, format: ValidateOutputFormat) throws {
        if format == .json { io.writeJSON(json) } else { io.write(text) }
        switch verdict {
        case .pass: return
        case .fail:
            throw ValidationFailure(description: "z-scores \(zText(exact.zMean)) (E[Θ]) and \(zText(exact.zSecondMoment)) (E[Θ²]) against the exact recursion: |z| > \(g(zMax, 3))")
        case .inconclusive:
            throw ValidationInconclusive(description: inconclusiveReason)
        }
    }
}


/// `--format` of the validate commands.
enum ValidateOutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

/// `--threads`: 1 … 1024, or all cores when absent.
func checkThreads(_ threads: IntegerArgument?) throws {
    if let threads, threads.value(in: 1...1024) == nil {
        throw ValidationError("--threads \(Arguments.quoted(threads.text)) is out of range: an integer from 1 to 1024")
    }
}

func threadCount(_ threads: IntegerArgument?) -> Int {
    threads?.value(in: 1...1024) ?? max(1, ProcessInfo.processInfo.activeProcessorCount)
}

extension SimulatedArchitecture {
    /// The network `a` describes, with σ² and ‖x‖² correctly rounded to doubles.
    init(_ a: Architecture) {
        self.init(inputDimension: a.inputDimension, hiddenWidths: Array(a.expandedWidths.dropFirst()),
                  sigma2: BigFloat(a.sigma2, precision: 53).doubleValue(),
                  inputNorm2: BigFloat(a.inputNorm2, precision: 53).doubleValue(), trainableBiases: a.trainableBiases)
    }

    /// The network `a` describes, refused with one line naming `command` when σ² or ‖x‖² lie
    /// outside the double range every simulation (validate, offdiag, step) computes in.
    static func checked(_ a: Architecture, command: String) throws -> SimulatedArchitecture {
        let simulated = SimulatedArchitecture(a)
        guard simulated.sigma2.isNormal, simulated.inputNorm2.isFinite, simulated.sigma2 < 1e30, simulated.inputNorm2 < 1e30 else {
            throw UsageError("\(command) simulates in double precision: σ² and ‖x‖² must lie within 1e-300 … 1e30")
        }
        return simulated
    }
}

/// The weights and biases of the explicit network of `a` (what `ExplicitNetwork` stores at
/// most), in floating point: exact enough to refuse a network, and never overflowing.
func explicitParameterCount(_ a: Architecture) -> Double {
    var total = 0.0, previous = Double(a.inputDimension)
    for run in a.hiddenRuns {
        let w = Double(run.width)
        total += (w * previous + w) + Double(run.count - 1) * (w * w + w)
        previous = w
    }
    return total + previous + 1
}

/// The flags a `validate` shard records (its request): the network.
typealias ValidateShardFile = ShardFile<NetworkRequest, ThetaMoments>

struct ValidateRunCommand: NTKSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Simulate networks and compare E[Θ], E[Θ²] with the exact recursion (default subcommand).",
        discussion: """
        Verdict: PASS when |z| ≤ --z-max for both E[Θ] and E[Θ²] against the exact recursion (exit 0), \
        FAIL otherwise (exit 1), INCONCLUSIVE with fewer than \(MomentZTest.minimumSamples) samples or without \
        finite, positive standard errors (exit 3). A deterministic Θ (no spread) passes when its value \
        equals the exact one up to rounding.
        """)

    @OptionGroup var network: NetworkOptions
    @OptionGroup var scale: ScaleOptions

    // Numeric options parse their value unconditionally, so that `--z-max -1` reaches
    // validate() and is reported as out of range instead of as a missing value.
    @Option(parsing: .unconditional, help: "Number of sampled networks (an integer; 1e5 and 2.5e3 are accepted).")
    var samples = IntegerArgument(100_000)

    @Option(name: .customLong("max-seconds"), parsing: .unconditional,
            help: "Stop after this many seconds if the samples are not done (at most one year).")
    var maxSeconds = RationalArgument(60)

    @Option(parsing: .unconditional, help: "Random seed, 0 … 2^64−1; each sample's stream depends only on (seed, sample index).")
    var seed = IntegerArgument(1)

    @Option(parsing: .unconditional, help: "Worker threads, 1 … 1024 (default: all cores); the result does not depend on it.")
    var threads: IntegerArgument?

    @Option(name: .customLong("z-max"), parsing: .unconditional, help: "Pass when |z| ≤ this for E[Θ] and E[Θ²].")
    var zMax = RationalArgument(4)

    @Option(help: "Output format.")
    var format: ValidateOutputFormat = .text

    @OptionGroup var sharding: ShardOptions

    static let maximumDepth = 100_000
    static let maximumWidth = 100_000
    static let maximumSamples = 1_000_000_000_000

    func validate() throws {
        if samples.value(in: 1...Self.maximumSamples) == nil {
            throw ValidationError("--samples \(Arguments.quoted(samples.text)) is out of range: an integer from 1 to \(Self.maximumSamples)")
        }
        if seedValue == nil {
            throw ValidationError("--seed \(Arguments.quoted(seed.text)) is out of range: an integer from 0 to \(UInt64.max)")
        }
        try checkThreads(threads)
        try maxSeconds.checkPositive("--max-seconds", maximum: BigRational(31_536_000), maximumMagnitudeDigits: 12)
        try zMax.checkPositive("--z-max", maximumMagnitudeDigits: 12)
        try sharding.check(merge: "ntk validate merge")
    }

    var seedValue: UInt64? {
        guard seed.exact.signum >= 0, seed.exact.bitSize <= 128 else { return nil }
        return UInt64(seed.exact.numeratorString)
    }

    func execute(_ io: CommandIO) throws {
        try validate()  // also when constructed without parsing
        let (sigma2, inputNorm2) = try scale.values()
        let a = try network.architecture(sigma2: sigma2, inputNorm2: inputNorm2)
        let n = samples.value(in: 1...Self.maximumSamples)!
        let seedValue = self.seedValue!
        let threadCount = threadCount(threads)
        guard a.depth <= Self.maximumDepth, a.hiddenRuns.allSatisfy({ $0.width <= Self.maximumWidth }), a.inputDimension <= 1_000_000_000 else {
            throw UsageError("validate simulates explicit matrices: depth ≤ \(Self.maximumDepth) and hidden widths ≤ \(Self.maximumWidth)")
        }
        let simulated = try SimulatedArchitecture.checked(a, command: "validate")
        let shard = try sharding.plan(command: "validate", request: NetworkRequest(a), seed: seedValue, samples: n,
                                      alignment: simulated.samplesPerBlock, as: ValidateShardFile.self)
        if shard.done { return io.write(shard.doneMessage) }
        let count = shard.range.count
        try checkSamplingBudget(SamplingCostModel.validate(simulated, threads: threadCount, samples: count), samples: count,
                                maxSeconds: maxSeconds.doubleValue, io: io, what: "network")
        let reference = ValidationReference(a)
        let progress = io.progressLine()
        let start = Date()
        let run = simulate(simulated, samples: count, firstSample: shard.range.lowerBound, maxSeconds: maxSeconds.doubleValue,
                           seed: seedValue, threads: threadCount) { done in
            let elapsed = Date().timeIntervalSince(start)
            let rate = Double(done) / max(elapsed, 1e-9)
            progress?.update("ntk validate: \(done)/\(count) samples, \(Int(rate))/s, \(Int(Double(count - done) / max(rate, 1e-9))) s left")
        }
        progress?.finish()
        let stoppedBy = run.stoppedBy.label
        try shard.commit(run.moments, seconds: run.wallSeconds, stoppedBy: run.stoppedBy)
        let report = ValidationReport(architecture: a, moments: run.moments, seconds: run.wallSeconds, stoppedBy: stoppedBy,
                                      seeds: [seedValue], threads: threadCount, zMax: zMax.doubleValue, reference: reference)
        try report.emit(io, format: format)
    }
}

struct ValidateMergeCommand: NTKSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Combine the --shard k/N --emit-stats files of one run (all N of them) and report as `validate` does.",
        discussion: "Exit codes and verdicts as for `ntk validate run`; the result equals the unsharded run's bit for bit.")

    @Argument(help: "Shard files written by `ntk validate --shard k/N --emit-stats`.")
    var files: [String] = []

    @Option(name: .customLong("z-max"), parsing: .unconditional, help: "Pass when |z| ≤ this.")
    var zMax = RationalArgument(4)

    @Option(help: "Output format.")
    var format: ValidateOutputFormat = .text

    func validate() throws {
        try zMax.checkPositive("--z-max", maximumMagnitudeDigits: 12)
    }

    func execute(_ io: CommandIO) throws {
        try validate()
        let merged = try mergeShards(files, command: "validate", as: ValidateShardFile.self)
        let a = try merged.request.architecture()
        guard a.depth <= ValidateRunCommand.maximumDepth else { throw UsageError("the shards' network is deeper than validate simulates") }
        guard merged.statistic.count > 0 else { throw UsageError("the shards contain no samples") }
        let report = ValidationReport(architecture: a, moments: merged.statistic, seconds: merged.seconds, stoppedBy: merged.stoppedBy.label,
                                      seeds: [merged.seed], threads: nil, zMax: zMax.doubleValue, reference: ValidationReference(a))
        try report.emit(io, format: format)
    }
}
