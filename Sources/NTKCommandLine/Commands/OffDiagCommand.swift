import ArgumentParser
import Experiments
import Foundation
import MonteCarlo
import Multiprecision
import NTKMoments
import NTKOutput

struct OffDiagCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "offdiag",
        abstract: "Finite-width off-diagonal NTK moments E[Θ(x,x′)], E[Θ(x,x′)²] by simulating explicit networks.",
        subcommands: [OffDiagRunCommand.self, OffDiagMergeCommand.self],
        defaultSubcommand: OffDiagRunCommand.self)
}

struct OffDiagRunCommand: NTKSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Simulate networks and estimate the off-diagonal NTK moments (default subcommand).",
        discussion: """
        Inputs x = √q e₁ and, per correlation ρ, x′ = √q(ρe₁ + √(1−ρ²)e₂) (q = --input-norm2). Every sampled \
        network runs one batched forward/backward pass over all inputs and gives Θ(x,x) and every Θ(x,x′). \
        Reports E[Θ(x,x′)], E[Θ(x,x′)²], the paired ratio E[Θ(x,x′)]/E[Θ(x,x)], the dispersion and the correlation \
        of Θ(x,x′) with Θ(x,x), each with its standard error; the infinite-width ratio; the rigorous bounds from \
        the exact diagonal moments; and the z-tests of Θ(x,x) (and of ρ = 1) against the exact recursion, as a \
        verdict in the report (exit code 0: use `ntk validate` for a pass/fail exit code). --depths L1,L2,… runs \
        the prefixes of the network (its first L−1 hidden layers and an output) for a depth sweep; --max-seconds \
        is shared among them in proportion to depth. Reproducible as `validate`: bit-identical for any thread count; \
        --shard k/N with --emit-stats splits the samples, `ntk offdiag merge` combines the parts.
        """)

    @OptionGroup var network: NetworkOptions
    @OptionGroup var scale: ScaleOptions

    @Option(parsing: .unconditional, help: "Correlations ρ = ⟨x,x′⟩/‖x‖² in [−1, 1]: a value, a list or a range a:b:step.")
    var correlation = ArgumentList<RationalArgument>("0:1:0.1")

    @Option(parsing: .unconditional, help: "Depth sweep: depths L (list or range) of prefixes of the network, each ≤ its depth.")
    var depths: ArgumentList<IntegerArgument>?

    @OptionGroup var sampling: SamplingOptions<OffDiagSampling>

    @OptionGroup var zMax: ZMaxOption

    @OptionGroup var output: OutputOptions<ReportOrCSVFormat>

    @OptionGroup var sharding: ShardOptions

    func validate() throws {
        guard correlation.elements.count <= OffDiagRequest.maximumCorrelations else {
            throw ValidationError("--correlation: at most \(OffDiagRequest.maximumCorrelations) correlations")
        }
        for rho in correlation.elements {
            guard OffDiagRequest.isCorrelation(rho.value) else {
                throw ValidationError("--correlation \(Arguments.quoted(rho.text)) is out of range: a number from -1 to 1")
            }
        }
        if let depths {
            guard depths.elements.count <= OffDiagRequest.maximumDepths else {
                throw ValidationError("--depths: at most \(OffDiagRequest.maximumDepths) depths")
            }
            for d in depths.elements { try d.check("--depths entry", OffDiagRequest.depthRange) }
        }
        try sharding.check(merge: "ntk offdiag merge")
    }

    /// The typed request these options describe (the whole run; `execute` narrows it to the shard).
    func request() throws -> OffDiagRequest {
        let (sigma2, inputNorm2) = try scale.values()
        let a = try network.architecture(sigma2: sigma2, inputNorm2: inputNorm2)
        return OffDiagRequest(network: a, depths: depths?.elements.map(\.value), correlations: correlation.elements.map(\.value),
                              samples: sampling.sampleCount, seed: sampling.seedValue, threads: RequestRange.resolvedThreads(sampling.threadCount),
                              maxSeconds: sampling.seconds, zMax: zMax.value)
    }

    func execute(_ io: CommandIO) throws { try output.writing(io) { try produce($0) } }

    func produce(_ io: CommandIO) throws {
        try validate()
        var request = try request()
        try request.check()
        let networks = try request.networks()
        let shardRequest = OffDiagShardRequest(network: ShardNetwork(request.network.architecture), depths: networks.map(\.depth),
                                               correlations: correlation.elements.map(\.value.fractionString))
        let shard = try sharding.plan(command: "offdiag", request: shardRequest, seed: request.seed, samples: request.samples,
                                      alignment: try request.sampleAlignment(), as: OffDiagShardFile.self)
        if shard.done { return io.write(shard.doneMessage) }
        request.sampleRange = shard.range
        try checkSamplingBudget(try request.samplingCost(threads: request.threads!), samples: shard.range.count,
                                maxSeconds: request.maxSeconds, io: io, what: request.sampleName)
        let measurement = try io.withContext { try request.simulate($0) }
        try shard.commit(measurement.sweep, seconds: measurement.seconds, stoppedBy: measurement.stopReason)
        let result = try request.result(of: measurement, seeds: [request.seed])
        try OffDiagReport(result: result, threads: request.threads).emit(io, format: output.format)
    }
}

struct OffDiagMergeCommand: NTKSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Combine --emit-stats shards of `ntk offdiag` (same network, depths and correlations) and report as `offdiag` does.")

    @Argument(help: "Shard files written by `ntk offdiag --shard k/N --emit-stats` (all N of one run).")
    var files: [String] = []

    @OptionGroup var zMax: ZMaxOption

    @OptionGroup var output: OutputOptions<ReportOrCSVFormat>

    func execute(_ io: CommandIO) throws { try output.writing(io) { try produce($0) } }

    func produce(_ io: CommandIO) throws {
        let merged = try mergeShards(files, command: "offdiag", as: OffDiagShardFile.self)
        let result = try io.run(OffDiagMergeRequest(merged, zMax: zMax.value))
        try OffDiagReport(result: result, threads: nil).emit(io, format: output.format)
    }
}

/// The sampling defaults of `ntk offdiag run`.
enum OffDiagSampling: SamplingDefaults {
    static let samples = 1000
    static let samplesRange = OffDiagRequest.samplesRange
    static let samplesHelp = "Number of sampled networks per depth (1e3-style counts accepted)."
    static let maxSeconds = 60
    static let maxSecondsHelp = "Stop after this many seconds in all (at most one year)."
}
