import ArgumentParser
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
    let exactMean: Double, exactSecond: Double
    let giMean: Double, giSecond: Double

    init(_ a: Architecture) {
        func moments(_ model: MomentModel) -> (Double, Double) {
            let s = try! MomentSummary(architecture: a, model: model, mode: .mpfr(precision: 128))  // MPFR never throws
            return (s.mean.approximation(precision: 64)!.doubleValue(), s.secondMoment.approximation(precision: 64)!.doubleValue())
        }
        (exactMean, exactSecond) = moments(.exact)
        (giMean, giSecond) = moments(.gradientIndependence)
    }
}

/// The verdict of one validation: z-scores of E[Θ] and E[Θ²] against both models.
struct ValidationReport {
    let architecture: Architecture
    let moments: ThetaMoments
    let seconds: Double
    let stoppedBy: String
    let seeds: [UInt64]
    let threads: Int?
    let zMax: Double
    let reference: ValidationReference

    var zMean: Double { (moments.mean - reference.exactMean) / moments.standardErrorOfMean }
    var zSecond: Double { (moments.secondMoment - reference.exactSecond) / moments.standardErrorOfSecondMoment }
    var zMeanGI: Double { (moments.mean - reference.giMean) / moments.standardErrorOfMean }
    var zSecondGI: Double { (moments.secondMoment - reference.giSecond) / moments.standardErrorOfSecondMoment }
    var passed: Bool {
        Self.within(zMean, moments.standardErrorOfMean, moments.mean, reference.exactMean, zMax)
            && Self.within(zSecond, moments.standardErrorOfSecondMoment, moments.secondMoment, reference.exactSecond, zMax)
    }
    var giPassed: Bool {
        Self.within(zMeanGI, moments.standardErrorOfMean, moments.mean, reference.giMean, zMax)
            && Self.within(zSecondGI, moments.standardErrorOfSecondMoment, moments.secondMoment, reference.giSecond, zMax)
    }

    /// |z| ≤ zMax; when Θ is deterministic (standard error exactly 0, z undefined) the
    /// estimate must instead equal the model value up to rounding.
    static func within(_ z: Double, _ standardError: Double, _ estimate: Double, _ model: Double, _ zMax: Double) -> Bool {
        if z.isFinite { return abs(z) <= zMax }
        guard standardError == 0, estimate.isFinite, model.isFinite else { return false }
        return abs(estimate - model) <= 1e-12 * max(abs(model), Double.leastNormalMagnitude)
    }

    func g(_ x: Double, _ digits: Int = 6) -> String {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x > 0 ? "inf" : "-inf" }
        return BigFloat(x, precision: 53).formatted(significantDigits: digits)
    }

    /// Where z is undefined (zero standard error: Θ is deterministic), it is reported as null.
    func zText(_ z: Double) -> String { z.isFinite ? String(format: "%.2f", z) : "undefined" }

    var text: String {
        var out = "architecture  \(describe(architecture))\n"
        let seedText = seeds.count == 1 ? "seed \(seeds[0])" : "\(seeds.count) shards, seeds \(seeds.map(String.init).joined(separator: ","))"
        out += "samples       \(moments.count) (stopped by \(stoppedBy)) in \(String(format: "%.2f", seconds)) s"
            + (threads.map { " with \($0) thread\($0 == 1 ? "" : "s")" } ?? "") + ", \(seedText)\n"
        out += "              Monte Carlo estimate ± standard error | exact recursion (z) | gradient independence (z)\n"
        out += "E[Θ]          \(g(moments.mean)) ± \(g(moments.standardErrorOfMean, 2)) | \(g(reference.exactMean, 8)) (\(zText(zMean))) | \(g(reference.giMean, 8)) (\(zText(zMeanGI)))\n"
        out += "E[Θ²]         \(g(moments.secondMoment)) ± \(g(moments.standardErrorOfSecondMoment, 2)) | \(g(reference.exactSecond, 8)) (\(zText(zSecond))) | \(g(reference.giSecond, 8)) (\(zText(zSecondGI)))\n"
        out += "dispersion    plug-in \(g(moments.dispersion)) ± \(g(moments.dispersionStandardError, 2)) (delta method; biased low and optimistic for heavy tails) | exact \(g(reference.exactSecond / (reference.exactMean * reference.exactMean), 8)) | GI \(g(reference.giSecond / (reference.giMean * reference.giMean), 8))\n"
        out += "verdict       \(passed ? "PASS" : "FAIL"): |z| \(passed ? "≤" : ">") \(g(zMax, 3)) against the exact recursion; the GI model is \(giPassed ? "not rejected" : "rejected")\n"
        return out
    }

    var json: JSONValue {
        func num(_ x: Double) -> JSONValue { x.isFinite ? .number(g(x, 17).replacingOccurrences(of: "e+", with: "e")) : .null }
        func block(_ mc: Double, _ se: Double, _ exact: Double, _ z: Double, _ gi: Double, _ zgi: Double) -> JSONValue {
            .object([("mc", num(mc)), ("se", num(se)), ("exact", num(exact)), ("z", num(z)), ("gi", num(gi)), ("z_gi", num(zgi))])
        }
        return .object([
            ("widths", .string(compactWidths(architecture))),
            ("depth", .number("\(architecture.depth)")),
            ("sigma2", .string(architecture.sigma2.fractionString)),
            ("input_norm2", .string(architecture.inputNorm2.fractionString)),
            ("biases", .bool(architecture.trainableBiases)),
            ("samples", .number("\(moments.count)")),
            ("seconds", num(seconds)),
            ("stopped_by", .string(stoppedBy)),
            ("seeds", .array(seeds.map { .number("\($0)") })),
            ("z_max", num(zMax)),
            ("E_theta", block(moments.mean, moments.standardErrorOfMean, reference.exactMean, zMean, reference.giMean, zMeanGI)),
            ("E_theta2", block(moments.secondMoment, moments.standardErrorOfSecondMoment, reference.exactSecond, zSecond, reference.giSecond, zSecondGI)),
            ("dispersion_plugin", .object([("mc", num(moments.dispersion)), ("se_delta_method", num(moments.dispersionStandardError)),
                                          ("note", .string("biased low for heavy-tailed Theta; test E_theta and E_theta2 instead"))])),
            ("passed", .bool(passed)),
            ("gi_rejected", .bool(!giPassed)),
        ])
    }

    func emit(_ io: CommandIO, format: String) throws {
        io.write(format == "json" ? json.serialized(pretty: true) + "\n" : text)
        if !passed {
            throw ValidationFailure(description: "z-scores \(zText(zMean)) (E[Θ]) and \(zText(zSecond)) (E[Θ²]) against the exact recursion exceed \(g(zMax, 3))")
        }
    }
}

extension SimulatedArchitecture {
    /// The network `a` describes, with σ² and ‖x‖² correctly rounded to doubles.
    init(_ a: Architecture) {
        self.init(inputDimension: a.inputDimension, hiddenWidths: Array(a.expandedWidths.dropFirst()),
                  sigma2: BigFloat(a.sigma2, precision: 53).doubleValue(),
                  inputNorm2: BigFloat(a.inputNorm2, precision: 53).doubleValue(), trainableBiases: a.trainableBiases)
    }
}

extension MonteCarloStopReason {
    /// How reports name the budget that ended a run.
    var label: String { self == .sampleBudget ? "sample budget" : "time budget" }
}

/// The sufficient statistics of one shard, as written by `--emit-stats`.
struct ShardStatistics: Codable {
    var format = "ntk-validate-stats-1"
    var widths: String
    var sigma2: String
    var inputNorm2: String
    var biases: Bool
    var seed: UInt64
    var seconds: Double
    var stoppedBy: String
    var moments: ThetaMoments
}

struct ValidateRunCommand: NTKSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Simulate networks and compare E[Θ], E[Θ²] with the exact recursion (default subcommand).")

    @OptionGroup var network: NetworkOptions
    @OptionGroup var scale: ScaleOptions

    @Option(help: "Number of sampled networks (default 100000).")
    var samples: String = "100000"

    @Option(name: .customLong("max-seconds"), help: "Stop after this many seconds if the samples are not done (default 60).")
    var maxSeconds: String = "60"

    @Option(help: "Random seed (default 1); each sample's stream depends only on (seed, sample index).")
    var seed: String = "1"

    @Option(help: "Worker threads (default: all cores); the result does not depend on it.")
    var threads: String?

    @Option(name: .customLong("z-max"), help: "Pass when |z| ≤ this for E[Θ] and E[Θ²] (default 4).")
    var zMax: String = "4"

    @Option(help: "text or json.")
    var format: String = "text"

    @Option(name: .customLong("emit-stats"), help: "Also write the sufficient statistics (JSON) to FILE, for `ntk validate merge`.")
    var emitStats: String?

    static let maximumDepth = 100_000
    static let maximumWidth = 100_000

    func execute(_ io: CommandIO) throws {
        let (sigma2, inputNorm2) = try scale.values()
        let a = try network.architecture(sigma2: sigma2, inputNorm2: inputNorm2)
        let n = try Arguments.integer(samples, flag: "--samples", range: 1...1_000_000_000_000)
        let seconds = try Arguments.positiveRational(maxSeconds, flag: "--max-seconds", maximumMagnitudeDigits: 12)
        guard seconds <= BigRational(31_536_000) else { throw UsageError("--max-seconds \(Arguments.quoted(maxSeconds)): at most one year (31536000)") }
        guard let seedValue = UInt64(seed.trimmingCharacters(in: .whitespaces)) else {
            throw UsageError("--seed \(Arguments.quoted(seed)) must be an integer from 0 to 18446744073709551615")
        }
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let threadCount = try threads.map { try Arguments.integer($0, flag: "--threads", range: 1...1024) } ?? max(1, cores)
        let z = try Arguments.positiveRational(zMax, flag: "--z-max", maximumMagnitudeDigits: 12)
        guard ["text", "json"].contains(format) else { throw UsageError("--format \(Arguments.quoted(format)): allowed: text, json") }
        guard a.depth <= Self.maximumDepth, a.hiddenRuns.allSatisfy({ $0.width <= Self.maximumWidth }), a.inputDimension <= 1_000_000_000 else {
            throw UsageError("validate simulates explicit matrices: depth ≤ \(Self.maximumDepth) and hidden widths ≤ \(Self.maximumWidth)")
        }
        let sigma2Double = BigFloat(sigma2, precision: 53).doubleValue(), x = BigFloat(inputNorm2, precision: 53).doubleValue()
        guard sigma2Double.isNormal, x.isFinite, sigma2Double < 1e30, x < 1e30 else {
            throw UsageError("validate simulates in double precision: σ² and ‖x‖² must lie within 1e-300 … 1e30")
        }
        var writer: AtomicFileWriter? = nil
        if let path = emitStats {
            InterruptCleanup.install()
            do { writer = try AtomicFileWriter(path: path) } catch { throw UsageError("--emit-stats \(Arguments.quoted(path)): \(error)") }
        }
        let simulated = SimulatedArchitecture(a)
        let reference = ValidationReference(a)
        let progress = io.standardErrorIsTerminal ? ProgressLine() : nil
        let start = Date()
        let run = simulate(simulated, samples: n, maxSeconds: BigFloat(seconds, precision: 53).doubleValue(), seed: seedValue,
                           threads: threadCount) { done in
            let elapsed = Date().timeIntervalSince(start)
            let rate = Double(done) / max(elapsed, 1e-9)
            progress?.update("ntk validate: \(done)/\(n) samples, \(Int(rate))/s, \(Int(Double(n - done) / max(rate, 1e-9))) s left")
        }
        progress?.finish()
        let stoppedBy = run.stoppedBy.label
        if let writer {
            let stats = ShardStatistics(widths: compactWidths(a, limit: Int.max), sigma2: sigma2.fractionString,
                                        inputNorm2: inputNorm2.fractionString, biases: a.trainableBiases, seed: seedValue,
                                        seconds: run.wallSeconds, stoppedBy: stoppedBy, moments: run.moments)
            do {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                try writer.append(String(decoding: try encoder.encode(stats), as: UTF8.self) + "\n")
                try writer.commit()
            } catch {
                writer.abort()
                throw UsageError("--emit-stats \(Arguments.quoted(emitStats ?? "")): \(error)")
            }
        }
        let report = ValidationReport(architecture: a, moments: run.moments, seconds: run.wallSeconds, stoppedBy: stoppedBy,
                                      seeds: [seedValue], threads: threadCount, zMax: BigFloat(z, precision: 53).doubleValue(),
                                      reference: reference)
        try report.emit(io, format: format)
    }
}

struct ValidateMergeCommand: NTKSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Combine --emit-stats shards (different seeds, same network) and report as `validate` does.")

    @Argument(help: "Shard files written by `ntk validate --emit-stats`.")
    var files: [String] = []

    @Option(name: .customLong("z-max"), help: "Pass when |z| ≤ this (default 4).")
    var zMax: String = "4"

    @Option(help: "text or json.")
    var format: String = "text"

    func execute(_ io: CommandIO) throws {
        guard !files.isEmpty else { throw UsageError("merge needs at least one shard file") }
        guard ["text", "json"].contains(format) else { throw UsageError("--format \(Arguments.quoted(format)): allowed: text, json") }
        let z = try Arguments.positiveRational(zMax, flag: "--z-max", maximumMagnitudeDigits: 12)
        var shards: [ShardStatistics] = []
        for path in files {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw UsageError("shard \(Arguments.quoted(path)): cannot read the file")
            }
            guard (try? JSONParser().parse(String(decoding: data, as: UTF8.self))) != nil else {
                throw UsageError("shard \(Arguments.quoted(path)): not valid JSON")
            }
            let shard: ShardStatistics
            do { shard = try JSONDecoder().decode(ShardStatistics.self, from: data) } catch {
                throw UsageError("shard \(Arguments.quoted(path)): not an ntk validate statistics file (\(String(describing: error).prefix(120)))")
            }
            guard shard.format == "ntk-validate-stats-1" else { throw UsageError("shard \(Arguments.quoted(path)): unknown format \(Arguments.quoted(shard.format))") }
            guard shard.moments.count >= 0, shard.seconds.isFinite, shard.seconds >= 0 else {
                throw UsageError("shard \(Arguments.quoted(path)): inconsistent counts or times")
            }
            if let first = shards.first {
                guard first.widths == shard.widths, first.sigma2 == shard.sigma2, first.inputNorm2 == shard.inputNorm2, first.biases == shard.biases else {
                    throw UsageError("shard \(Arguments.quoted(path)) describes a different network than \(Arguments.quoted(files[0]))")
                }
                guard !shards.contains(where: { $0.seed == shard.seed }) else {
                    throw UsageError("shard \(Arguments.quoted(path)) repeats seed \(shard.seed): shards with the same seed are not independent")
                }
            }
            shards.append(shard)
        }
        let first = shards[0]
        let sigma2: BigRational, inputNorm2: BigRational
        let widths: (inputDimension: Int, hiddenRuns: [WidthRun])
        do {
            sigma2 = try BigRational(parsing: first.sigma2)
            inputNorm2 = try BigRational(parsing: first.inputNorm2)
            widths = try WidthList.parse(first.widths)
        } catch {
            throw UsageError("shard \(Arguments.quoted(files[0])): malformed network description")
        }
        let a: Architecture
        do {
            a = try Architecture(inputDimension: widths.inputDimension, hiddenRuns: widths.hiddenRuns, sigma2: sigma2,
                                 inputNorm2: inputNorm2, trainableBiases: first.biases)
        } catch { throw UsageError("shard \(Arguments.quoted(files[0])): \(error)") }
        guard a.depth <= ValidateRunCommand.maximumDepth else { throw UsageError("shard \(Arguments.quoted(files[0])): network too deep") }
        // Hand-edited or corrupted shards must be refused, not trap on overflow or report nan.
        var totalCount = 0
        for (s, path) in zip(shards, files) {
            let m = s.moments
            let sums = [m.sumTheta, m.sumTheta2, m.sumTheta3, m.sumTheta4].flatMap { [$0.high, $0.low, $0.value] }
            guard sums.allSatisfy({ $0.isFinite }) else {
                throw UsageError("shard \(Arguments.quoted(path)): the sums of Θ are not finite numbers")
            }
            let (sum, overflow) = totalCount.addingReportingOverflow(m.count)
            guard !overflow, sum <= 1 << 53 else { throw UsageError("shard \(Arguments.quoted(path)): sample counts add up beyond 2^53") }
            totalCount = sum
        }
        var total = ThetaMoments()
        for s in shards { total.merge(s.moments) }
        guard total.count > 0 else { throw UsageError("the shards contain no samples") }
        guard [total.sumTheta, total.sumTheta2, total.sumTheta3, total.sumTheta4].allSatisfy({ $0.value.isFinite }) else {
            throw UsageError("the shards' sums of Θ overflow when merged (not an ntk validate result)")
        }
        let stopped = Set(shards.map(\.stoppedBy)).sorted().joined(separator: " / ")
        let report = ValidationReport(architecture: a, moments: total, seconds: shards.reduce(0) { $0 + $1.seconds }, stoppedBy: stopped,
                                      seeds: shards.map(\.seed), threads: nil, zMax: BigFloat(z, precision: 53).doubleValue(),
                                      reference: ValidationReference(a))
        try report.emit(io, format: format)
    }
}
