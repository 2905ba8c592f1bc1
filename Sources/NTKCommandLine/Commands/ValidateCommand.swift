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

    @OptionGroup var sampling: SamplingOptions<ValidateSampling>

    @OptionGroup var zMax: ZMaxOption

    @OptionGroup var output: OutputOptions<ReportFormat>

    @OptionGroup var sharding: ShardOptions

    func validate() throws {
        try sharding.check(merge: "ntk validate merge")
    }

    /// The typed request these options describe (after `validate()`).
    func request() throws -> ValidateRequest {
        let (sigma2, inputNorm2) = try scale.values()
        return ValidateRequest(network: try network.architecture(sigma2: sigma2, inputNorm2: inputNorm2),
                               samples: sampling.sampleCount, seed: sampling.seedValue,
                               threads: sampling.threadCount, maximumSeconds: sampling.seconds,
                               zMax: zMax.value, shard: try sharding.spec())
    }

    func execute(_ io: CommandIO) throws { try output.writing(io) { try produce($0) } }

    func produce(_ io: CommandIO) throws {
        try validate()  // also when constructed without parsing
        let request = try request()
        try request.check()
        let a = request.network.architecture
        // The shard file is opened (or found complete) before any work, so a bad path costs nothing.
        let shard = try sharding.plan(command: "validate", request: ShardNetwork(a), seed: request.seed, samples: request.samples,
                                      alignment: SimulatedArchitecture(a).samplesPerBlock, as: ValidateShardFile.self)
        if shard.done { return io.write(shard.doneMessage) }
        if let note = try request.checkCost() { io.writeError("ntk: note: \(note)\n") }
        let run = try io.withContext { try request.simulate($0) }
        try shard.commit(run.moments, seconds: run.wallSeconds, stoppedBy: run.stoppedBy)
        try ValidateReport(result: request.evaluate(run), threads: request.threadCount).emit(io, format: output.format)
    }
}

struct ValidateMergeCommand: NTKSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Combine the --shard k/N --emit-stats files of one run (all N of them) and report as `validate` does.",
        discussion: "Exit codes and verdicts as for `ntk validate run`; the result equals the unsharded run's bit for bit.")

    @Argument(help: "Shard files written by `ntk validate --shard k/N --emit-stats`.")
    var files: [String] = []

    @OptionGroup var zMax: ZMaxOption

    @OptionGroup var output: OutputOptions<ReportFormat>

    func execute(_ io: CommandIO) throws { try output.writing(io) { try produce($0) } }

    func produce(_ io: CommandIO) throws {
        let merged = try mergeShards(files, command: "validate", as: ValidateShardFile.self)
        let result = try io.run(try ValidateMergeRequest(merged, zMax: zMax.value))
        try ValidateReport(result: result, threads: nil).emit(io, format: output.format)
    }
}

/// The sampling defaults of `ntk validate run`.
enum ValidateSampling: SamplingDefaults {
    static let samples = ValidateRequest.defaultSamples
    static let samplesRange = 1...ValidateRequest.maximumSamples
    static let samplesHelp = "Number of sampled networks (an integer; 1e5 and 2.5e3 are accepted)."
    static let maxSeconds = 60
    static let maxSecondsHelp = "Stop after this many seconds if the samples are not done (at most one year)."
}
