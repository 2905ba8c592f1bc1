import ArgumentParser
import Experiments
import Foundation
import MonteCarlo
import Multiprecision
import NTKMoments
import NTKOutput

struct StepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "step",
        abstract: "One gradient-descent step in simulated networks: the change of Θ, its smooth part (E[fQ] against the exact recursion) and its kink part.",
        subcommands: [StepRunCommand.self, StepMergeCommand.self],
        defaultSubcommand: StepRunCommand.self)
}

struct StepRunCommand: NTKSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Sample networks and take one gradient step in each (default subcommand).",
        discussion: """
        Each network (explicit Gaussian matrices, ReLU′(0) = 0, the input x = (√‖x‖², 0, …)) takes \
        one step θ' = θ − η(f − y)∇f on ½(f(x) − y)². Reported with standard errors: E[ΔΘ]/η, \
        E[ΔΘ]/E[Θ], E[|ΔΘ|/Θ], E[fQ] with Q = ⟨∇Θ, ∇f⟩ at fixed activation patterns (z-tested \
        against the exact recursion; the smooth mean change is −ηE[fQ]) and the kink part \
        E[ΔΘ/η + (f − y)Q]. A list of rates sweeps η so that the η → 0 behaviour shows. \
        Reproducible like validate: bit-identical for any thread count, a time budget stops at a \
        prefix of the samples, --shard k/N with --emit-stats splits a run for `ntk step merge`.
        """)

    @OptionGroup var network: NetworkOptions
    @OptionGroup var scale: ScaleOptions

    @Option(name: .customLong("learning-rate"), parsing: .unconditional, help: "Learning rate(s) η, absolute (a list sweeps).")
    var learningRate: ArgumentList<RationalArgument>?

    @Option(name: .customLong("learning-rate-scale"), parsing: .unconditional,
            help: "Learning rate(s) as η = c/E[Θ] with the exact E[Θ] (a list sweeps; default 1e-2,1e-3,1e-4).")
    var learningRateScale: ArgumentList<RationalArgument>?

    @Option(parsing: .unconditional, help: "Target y of the loss ½(f(x) − y)².")
    var target = RationalArgument(0)

    @Option(parsing: .unconditional, help: "Also the change of Θ(x, x′) for a second input at this correlation ρ ∈ [−1, 1].")
    var correlation: RationalArgument?

    @OptionGroup var sampling: SamplingOptions<StepSampling>

    @OptionGroup var output: OutputOptions<ReportFormat>

    @OptionGroup var sharding: ShardOptions

    func validate() throws {
        if learningRate != nil && learningRateScale != nil {
            throw ValidationError("give --learning-rate (absolute η) or --learning-rate-scale (η = c/E[Θ]), not both")
        }
        for (flag, list) in [("--learning-rate", learningRate), ("--learning-rate-scale", learningRateScale)] {
            guard let list else { continue }
            guard list.elements.count <= StepRequest.maximumRates else {
                throw ValidationError("\(flag): at most \(StepRequest.maximumRates) learning rates")
            }
            for eta in list.elements { try eta.checkPositive(flag, maximum: BigRational(Int(StepRequest.maximumRate)), maximumMagnitudeDigits: 30) }
        }
        try Arguments.checkMagnitude(target.value, text: target.text, flag: "--target", digits: 12)
        if let rho = correlation, rho.value < BigRational(-1) || BigRational(1) < rho.value {
            throw ValidationError("--correlation \(Arguments.quoted(rho.text)) is out of range: a number from -1 to 1")
        }
        try sharding.check(merge: "ntk step merge")
    }

    /// The typed request these options describe (the whole run; `execute` narrows it to the shard).
    func request() throws -> StepRequest {
        let (sigma2, inputNorm2) = try scale.values()
        let a = try network.architecture(sigma2: sigma2, inputNorm2: inputNorm2)
        return StepRequest(network: a, learningRates: learningRate?.elements.map(\.doubleValue),
                           learningRateScales: learningRateScale?.elements.map(\.text), target: target.doubleValue,
                           correlation: correlation?.doubleValue, samples: sampling.sampleCount, seed: sampling.seedValue,
                           threads: RequestRange.resolvedThreads(sampling.threadCount), maxSeconds: sampling.seconds)
    }

    func execute(_ io: CommandIO) throws { try output.writing(io) { try produce($0) } }

    func produce(_ io: CommandIO) throws {
        try validate()
        var request = try request()
        try request.check()
        let plan = try request.plan()
        try checkSamplingBudget(request.samplingCost(plan, threads: request.threads!), samples: request.samples,
                                maxSeconds: request.maxSeconds, io: io, what: "network")
        let experiment = plan.experiment
        let shardRequest = StepShardRequest(network: ShardNetwork(request.network.architecture), learningRates: experiment.learningRates,
                                            learningRateScales: plan.scales, target: experiment.target, correlation: experiment.correlation)
        let shard = try sharding.plan(command: "step", request: shardRequest, seed: request.seed, samples: request.samples,
                                      alignment: experiment.samplesPerBlock, as: StepShardFile.self)
        if shard.done { return io.write(shard.doneMessage) }
        request.sampleRange = shard.range
        let run = try io.withContext { try request.simulate(plan, $0) }
        try shard.commit(run.statistic, seconds: run.wallSeconds, stoppedBy: run.stoppedBy)
        let result = StepResult(network: request.network.architecture, plan: plan, statistics: run.statistic, seconds: run.wallSeconds,
                                stoppedBy: run.stoppedBy.label, seeds: [request.seed])
        try StepReport(result: result, threads: request.threads).emit(io, format: output.format)
    }
}

struct StepMergeCommand: NTKSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Combine --emit-stats shards of one step run and report as `step` does.")

    @Argument(help: "Shard files written by `ntk step --shard k/N --emit-stats` (all N of one run).")
    var files: [String] = []

    @OptionGroup var output: OutputOptions<ReportFormat>

    func execute(_ io: CommandIO) throws { try output.writing(io) { try produce($0) } }

    func produce(_ io: CommandIO) throws {
        let merged = try mergeShards(files, command: "step", as: StepShardFile.self)
        let result = try io.run(StepMergeRequest(merged))
        try StepReport(result: result, threads: nil).emit(io, format: output.format)
    }
}

/// The sampling defaults of `ntk step run`.
enum StepSampling: SamplingDefaults {
    static let samples = 10_000
    static let samplesRange = StepRequest.samplesRange
    static let samplesHelp = "Number of sampled networks (1e4-style counts accepted)."
    static let maxSeconds = 10
    static let maxSecondsHelp = "Stop after this many seconds if the samples are not done."
}
