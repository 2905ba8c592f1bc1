import ArgumentParser
import Experiments
import Foundation
import MonteCarlo
import Multiprecision
import NTKMoments
import NTKOutput

struct DistributionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "distribution",
        abstract: "The law of Θ from the exact reduced model: quantiles, tails, log-moments, moments against the exact ones, a density chart.",
        subcommands: [DistributionRunCommand.self, DistributionMergeCommand.self],
        defaultSubcommand: DistributionRunCommand.self)
}

struct DistributionRunCommand: NTKSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Sample Θ from the exact reduced model (default subcommand).",
        discussion: """
        O(L) per sample at any width up to 2^50: per hidden layer one Binomial(n, 1/2) and two \
        chi-squares (derivations/08), not n² Gaussians. Reproducible: sample i uses a stream keyed \
        by (seed, i), so results are bit-identical for any thread count, a time budget stops at a \
        prefix of the samples, and --shard k/N with --emit-stats splits a run into parts that \
        `ntk distribution merge` combines into exactly the unsharded result.
        """)

    @OptionGroup var network: NetworkOptions
    @OptionGroup var scale: ScaleOptions

    @Option(help: "exact (the real network) or gi (gradient-independence approximation).")
    var model: MomentModel = .exact

    @OptionGroup var sampling: SamplingOptions<DistributionSampling>

    @Option(parsing: .unconditional, help: "Thresholds t of the tail probabilities P(Θ > t·E[Θ]) (list or range).")
    var tail = ArgumentList<RationalArgument>("2,5,10")

    @OptionGroup var output: OutputOptions<ReportFormat>

    @Option(help: "Also write an SVG of the density of log(Θ/E[Θ]) with its lognormal fit to FILE.")
    var chart: String?

    @Flag(name: .customLong("log-density"), help: "Log scale for the density axis of --chart.")
    var logDensity = false

    @OptionGroup var sharding: ShardOptions

    func validate() throws {
        guard tail.elements.count <= 100 else { throw ValidationError("--tail: at most 100 thresholds") }
        for t in tail.elements { try t.checkPositive("--tail", maximum: BigRational(10).power(12), maximumMagnitudeDigits: 20) }
        try sharding.check(merge: "ntk distribution merge")
    }

    /// The typed request these options describe.
    func request() throws -> DistributionRequest {
        let (sigma2, inputNorm2) = try scale.values()
        let a = try network.architecture(sigma2: sigma2, inputNorm2: inputNorm2)
        return DistributionRequest(network: a, model: model, samples: sampling.sampleCount, seed: sampling.seedValue,
                                   threads: sampling.threadCount, maxSeconds: sampling.seconds, tail: tail.elements.map(\.value),
                                   density: chart != nil)
    }

    /// Runs the shard of the request `--shard` names (all of it without), in the experiment's
    /// steps: the cost note, the references, the shard's file opened, the samples, the file
    /// written, the report.

    func execute(_ io: CommandIO) throws { try output.writing(io) { try produce($0) } }

    func produce(_ io: CommandIO) throws {
        let request = try request()
        let experiment = try DistributionExperiment(request)
        if let note = try experiment.costNote() { io.writeError("ntk: note: \(note)\n") }
        let references = try experiment.references()
        let flags = DistributionShardRequest(network: ShardNetwork(request.network.architecture), model: model.rawValue,
                                           tail: tail.elements.map(\.value.fractionString))
        let shard = try sharding.plan(command: "distribution", request: flags, seed: request.seed, samples: request.samples,
                                      alignment: experiment.blockSize, as: DistributionShardFile.self)
        if shard.done { return io.write(shard.doneMessage) }
        let sample = try io.withContext { try experiment.sample(shard.range, references: references, context: $0) }
        try shard.commit(sample.statistic, seconds: sample.seconds, stoppedBy: sample.stoppedBy)
        try Self.emit(DistributionReport(result: try experiment.result(sample, references: references), threads: experiment.threads),
                      io: io, format: output.format, chart: chart, logDensity: logDensity)
    }

    static func emit(_ report: DistributionReport, io: CommandIO, format: ReportFormat, chart: String?, logDensity: Bool) throws {
        if let path = chart {
            let svg: String
            do { svg = try report.chart(logDensity: logDensity).svg() } catch let e as UsageError { throw e } catch {
                throw UsageError("--chart: \(error)")
            }
            InterruptCleanup.install()
            do { try AtomicFile.write(svg, to: path) } catch { throw UsageError("--chart \(Arguments.quoted(path)): \(error)") }
        }
        guard format == .json else { return io.write(report.text) }
        // The density was computed for the chart; the document stays as it has always been.
        var result = report.result
        result.density = nil
        try io.writeDocument(result)
    }
}

struct DistributionMergeCommand: NTKSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Combine --emit-stats shards of one distribution run and report as `distribution` does.")

    @Argument(help: "Shard files written by `ntk distribution --shard k/N --emit-stats` (all N of one run).")
    var files: [String] = []

    @OptionGroup var output: OutputOptions<ReportFormat>

    @Option(help: "Also write the density chart (SVG) to FILE.")
    var chart: String?

    @Flag(name: .customLong("log-density"), help: "Log scale for the density axis of --chart.")
    var logDensity = false

    func execute(_ io: CommandIO) throws { try output.writing(io) { try produce($0) } }

    func produce(_ io: CommandIO) throws {
        let merged = try mergeShards(files, command: "distribution", as: DistributionShardFile.self)
        let result = try io.run(DistributionMergeRequest(merged, density: chart != nil))
        try DistributionRunCommand.emit(DistributionReport(result: result, threads: nil), io: io, format: output.format, chart: chart,
                                        logDensity: logDensity)
    }
}

/// The sampling defaults of `ntk distribution run`.
enum DistributionSampling: SamplingDefaults {
    static let samples = DistributionRequest.defaultSamples
    static let samplesRange = DistributionRequest.samplesRange
    static let samplesHelp = "Number of samples (1e5-style counts accepted)."
    static let maxSeconds = 60
    static let maxSecondsHelp = "Stop after this many seconds if the samples are not done."
}
