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

/// The flags a `step` shard records: the network and the experiment (rates as the doubles
/// simulated, with the c of η = c/E[Θ] where given that way; the target; the correlation).
struct StepRequest: Codable, Hashable, Sendable {
    var network: NetworkRequest
    var learningRates: [Double]
    var learningRateScales: [String]?
    var target: Double
    var correlation: Double?

    enum CodingKeys: String, CodingKey {
        case network, target, correlation
        case learningRates = "learning_rates", learningRateScales = "learning_rate_scales"
    }
}

typealias StepShardFile = ShardFile<StepRequest, GradientStepStatistics>

/// What `ntk step` reports, shared by `run` and `merge`.
struct StepReport {
    let architecture: Architecture
    let learningRates: [Double]
    /// c of η = c/E[Θ] for each rate, when the rates were given that way.
    let scales: [String]?
    let target: Double
    let correlation: Double?
    let statistics: GradientStepStatistics
    let seconds: Double
    let stoppedBy: String
    let seeds: [UInt64]
    let threads: Int?
    let reference: StepReference

    func g(_ x: Double, _ digits: Int = 6) -> String { estimateText(x, digits) }
    func pm(_ e: GradientStepStatistics.Estimate) -> String { "\(g(e.mean)) ± \(g(e.standardError, 2))" }
    var zFQ: Double { (statistics.fQ.mean - reference.fQ) / statistics.fQ.standardError }

    static let kinkNote = "kink = E[ΔΘ/η + (f−y)Q]: units within O(η) of zero cross and Θ jumps by O(1), a real first-order effect of ReLU, not a numerical artefact"

    var text: String {
        var out = "architecture  \(describe(architecture))\n"
        let seedText = seeds.count == 1 ? "seed \(seeds[0])" : "\(seeds.count) shards, seeds \(Set(seeds).sorted().map(String.init).joined(separator: ","))"
        out += "samples       \(statistics.count) (stopped by \(stoppedBy)) in \(String(format: "%.2f", seconds)) s"
            + (threads.map { " with \($0) thread\($0 == 1 ? "" : "s")" } ?? "") + ", \(seedText)\n"
        out += "step          θ' = θ − η(f − y)∇f on ½(f(x) − y)², y = \(g(target)); Monte Carlo estimates ± standard errors\n"
        out += "E[Θ]          \(pm(statistics.theta)) | exact \(g(reference.meanTheta, 8))\n"
        out += "E[fQ]         \(pm(statistics.fQ)) | exact \(g(reference.fQ, 8)) (z = \(zScoreText(zFQ))); smooth part of E[ΔΘ]/η = −E[fQ]\n"
        for (k, eta) in learningRates.enumerated() {
            let s = statistics.step(k)
            let scale = scales.map { " (c = \($0[k]))" } ?? ""
            out += "η = \(g(eta, 4))\(scale)\n"
            out += "  E[ΔΘ]/η            \(pm(s.deltaOverEta))   smooth −E[fQ] = \(g(-reference.fQ, 8))\n"
            out += "  kink part          \(pm(s.kink))\n"
            out += "  E[ΔΘ]/E[Θ]         \(pm(scaled(s.deltaOverEta, eta / reference.meanTheta)))\n"
            out += "  E[|ΔΘ|/Θ]          \(pm(s.relativeAbsoluteChange))\n"
            out += "  networks crossing  \(pm(s.crossingFraction)) (fraction with some unit changing sign)\n"
            if let off = statistics.offDiagonalStep(k, rates: learningRates.count) {
                out += "  E[ΔΘ(x,x′)]/η      \(pm(off.deltaOverEta)); kink part \(pm(off.kink))\n"
            }
        }
        if let rho = correlation, let off = statistics.offDiagonal(rates: learningRates.count) {
            out += "off-diagonal  x′ at correlation ρ = \(g(rho)): E[Θ(x,x′)] = \(pm(off.theta)); E[fQ′] = \(pm(off.fQ)) (Q′ = ⟨∇Θ(x,x′), ∇f(x)⟩)\n"
        }
        out += "note          \(Self.kinkNote)\n"
        return out
    }

    func scaled(_ e: GradientStepStatistics.Estimate, _ c: Double) -> GradientStepStatistics.Estimate {
        (e.mean * c, e.standardError * abs(c))
    }

    func estimateJSON(_ e: GradientStepStatistics.Estimate) -> JSONValue {
        .object([("mc", jsonNumber(e.mean)), ("se", jsonNumber(e.standardError))])
    }

    func rateJSON(_ k: Int) -> [(key: String, value: JSONValue)] {
        let s = statistics.step(k), eta = learningRates[k]
        var members: [(key: String, value: JSONValue)] = [("learning_rate", jsonNumber(eta))]
        if let scales { members.append(("learning_rate_scale", .string(scales[k]))) }
        members += [
            ("delta_theta_over_eta", estimateJSON(s.deltaOverEta)),
            ("kink", estimateJSON(s.kink)),
            ("delta_theta_over_E_theta", estimateJSON(scaled(s.deltaOverEta, eta / reference.meanTheta))),
            ("relative_abs_change", estimateJSON(s.relativeAbsoluteChange)),
            ("crossing_fraction", estimateJSON(s.crossingFraction)),
        ]
        if let off = statistics.offDiagonalStep(k, rates: learningRates.count) {
            members += [("off_diagonal_delta_over_eta", estimateJSON(off.deltaOverEta)), ("off_diagonal_kink", estimateJSON(off.kink))]
        }
        return members
    }

    var json: JSONValue {
        var members = architectureMembers(architecture) + [
            ("samples", .number("\(statistics.count)")),
            ("seconds", jsonNumber(seconds)),
            ("stopped_by", .string(stoppedBy)),
            ("seeds", .array(seeds.map { .number("\($0)") })),
            ("target", jsonNumber(target)),
            ("E_theta", .object([("mc", jsonNumber(statistics.theta.mean)), ("se", jsonNumber(statistics.theta.standardError)),
                                 ("exact", jsonNumber(reference.meanTheta))])),
            ("E_fQ", .object([("mc", jsonNumber(statistics.fQ.mean)), ("se", jsonNumber(statistics.fQ.standardError)),
                              ("exact", jsonNumber(reference.fQ)), ("z", jsonNumber(zFQ))])),
            ("smooth_delta_over_eta_exact", jsonNumber(-reference.fQ)),
        ]
        // The first rate at the top level; every rate of a sweep in `sweep`.
        members += rateJSON(0)
        members.append(("sweep", .array(learningRates.indices.map { .object(rateJSON($0)) })))
        if let rho = correlation, let off = statistics.offDiagonal(rates: learningRates.count) {
            members += [("correlation", jsonNumber(rho)), ("off_diagonal_theta", estimateJSON(off.theta)),
                        ("off_diagonal_fQ", estimateJSON(off.fQ))]
        }
        members.append(("note", .string(Self.kinkNote)))
        return .object(members)
    }

    func emit(_ io: CommandIO, format: ValidateOutputFormat) {
        if format == .json { io.writeJSON(json) } else { io.write(text) }
    }
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

    @Option(parsing: .unconditional, help: "Number of sampled networks (1e4-style counts accepted).")
    var samples = IntegerArgument(10_000)

    @Option(name: .customLong("max-seconds"), parsing: .unconditional, help: "Stop after this many seconds if the samples are not done.")
    var maxSeconds = RationalArgument(10)

    @Option(parsing: .unconditional, help: "Random seed, 0 … 2^64−1.")
    var seed = IntegerArgument(1)

    @Option(parsing: .unconditional, help: "Worker threads, 1 … 1024 (default: all cores); the result does not depend on it.")
    var threads: IntegerArgument?

    @Option(help: "Output format.")
    var format: ValidateOutputFormat = .text

    @OptionGroup var sharding: ShardOptions

    static let maximumSamples = 1_000_000_000
    static let maximumParameters = 50_000_000

    func validate() throws {
        try samples.check("--samples", 1...Self.maximumSamples)
        try maxSeconds.checkPositive("--max-seconds", maximum: BigRational(31_536_000), maximumMagnitudeDigits: 12)
        guard seed.exact.signum >= 0, seed.exact.bitSize <= 64, UInt64(seed.exact.numeratorString) != nil else {
            throw ValidationError("--seed \(Arguments.quoted(seed.text)) is out of range: an integer from 0 to 18446744073709551615")
        }
        try checkThreads(threads)
        if learningRate != nil && learningRateScale != nil {
            throw ValidationError("give --learning-rate (absolute η) or --learning-rate-scale (η = c/E[Θ]), not both")
        }
        for (flag, list) in [("--learning-rate", learningRate), ("--learning-rate-scale", learningRateScale)] {
            guard let list else { continue }
            guard list.elements.count <= 20 else { throw ValidationError("\(flag): at most 20 learning rates") }
            for eta in list.elements { try eta.checkPositive(flag, maximum: BigRational(10).power(6), maximumMagnitudeDigits: 30) }
        }
        try Arguments.checkMagnitude(target.value, text: target.text, flag: "--target", digits: 12)
        if let rho = correlation, rho.value < BigRational(-1) || BigRational(1) < rho.value {
            throw ValidationError("--correlation \(Arguments.quoted(rho.text)) is out of range: a number from -1 to 1")
        }
        try sharding.check(merge: "ntk step merge")
    }

    /// The experiment and the rates' scales for architecture `a` with exact references `reference`.
    func experiment(_ a: Architecture, simulated: SimulatedArchitecture, reference: StepReference) throws -> (GradientStepExperiment, [String]?) {
        var scales: [String]? = nil
        let rates: [Double]
        if let absolute = learningRate {
            rates = absolute.elements.map(\.doubleValue)
        } else {
            let list = learningRateScale ?? ArgumentList<RationalArgument>("1e-2,1e-3,1e-4")
            scales = list.elements.map(\.text)
            rates = list.elements.map { $0.doubleValue / reference.meanTheta }
        }
        guard rates.allSatisfy({ $0.isNormal && $0 > 0 }) else { throw UsageError("the learning rates are not positive normal doubles") }
        if let rho = correlation, a.inputDimension < 2, rho.value != BigRational(1), rho.value != BigRational(-1) {
            throw UsageError("--correlation \(Arguments.quoted(rho.text)) needs input dimension n0 ≥ 2 (a second input direction)")
        }
        do {
            let e = try GradientStepExperiment(architecture: simulated, learningRates: rates, target: target.doubleValue,
                                               correlation: correlation?.doubleValue)
            return (e, scales)
        } catch { throw UsageError("\(error)") }
    }

    /// The explicit network of `a`, refused when too large to store or outside double range.
    static func simulatedArchitecture(_ a: Architecture) throws -> SimulatedArchitecture {
        let simulated = try SimulatedArchitecture.checked(a, command: "step")
        guard a.depth <= ValidateRequest.maximumDepth, a.inputDimension <= 100_000 else {
            throw UsageError("step stores every weight: at most \(maximumParameters) parameters")
        }
        let parameters = explicitParameterCount(a)
        guard parameters <= Double(maximumParameters) else {
            throw UsageError("step stores every weight: at most \(maximumParameters) parameters (this network has about \(String(format: "%.3g", parameters)))")
        }
        return simulated
    }

    func execute(_ io: CommandIO) throws {
        try validate()
        let (sigma2, inputNorm2) = try scale.values()
        let a = try network.architecture(sigma2: sigma2, inputNorm2: inputNorm2)
        let simulated = try Self.simulatedArchitecture(a)  // refused before the exact references are computed
        let reference = try StepReference(a)
        let (experiment, scales) = try experiment(a, simulated: simulated, reference: reference)
        let threadCount = threadCount(threads)
        try checkSamplingBudget(SamplingCostModel.gradientStep(experiment, threads: threadCount, samples: samples.value),
                                samples: samples.value, maxSeconds: maxSeconds.doubleValue, io: io, what: "network")
        let seedValue = UInt64(seed.exact.numeratorString)!
        let request = StepRequest(network: NetworkRequest(a), learningRates: experiment.learningRates, learningRateScales: scales,
                                  target: experiment.target, correlation: experiment.correlation)
        let shard = try sharding.plan(command: "step", request: request, seed: seedValue, samples: samples.value,
                                      alignment: experiment.samplesPerBlock, as: StepShardFile.self)
        if shard.done { return io.write(shard.doneMessage) }
        let (first, count) = (shard.range.lowerBound, shard.range.count)
        let progress = io.progressLine()
        let run = simulateGradientSteps(experiment, samples: count, firstSample: first, maxSeconds: maxSeconds.doubleValue,
                                        seed: seedValue, threads: threadCount) { done in
            progress?.update("ntk step: \(done)/\(count) networks")
        }
        progress?.finish()
        try shard.commit(run.statistic, seconds: run.wallSeconds, stoppedBy: run.stoppedBy)
        let report = StepReport(architecture: a, learningRates: experiment.learningRates, scales: scales, target: experiment.target,
                                correlation: experiment.correlation, statistics: run.statistic, seconds: run.wallSeconds,
                                stoppedBy: run.stoppedBy.label, seeds: [seedValue], threads: threadCount, reference: reference)
        report.emit(io, format: format)
    }
}

struct StepMergeCommand: NTKSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Combine --emit-stats shards of one step run and report as `step` does.")

    @Argument(help: "Shard files written by `ntk step --shard k/N --emit-stats` (all N of one run).")
    var files: [String] = []

    @Option(help: "Output format.")
    var format: ValidateOutputFormat = .text

    func execute(_ io: CommandIO) throws {
        let merged = try mergeShards(files, command: "step", as: StepShardFile.self)
        let request = merged.request
        let a = try request.network.architecture()
        guard a.depth <= ValidateRequest.maximumDepth else { throw UsageError("the shards' network is deeper than step simulates") }
        let rates = request.learningRates.count
        let expected = 4 + 4 * rates + (request.correlation == nil ? 0 : 2 + 2 * rates)
        guard rates >= 1, rates <= 20, request.learningRates.allSatisfy({ $0.isFinite && $0 > 0 }), request.target.isFinite,
              request.learningRateScales.map({ $0.count == rates }) ?? true,
              merged.statistic.count == 0 || merged.statistic.means.dimension == expected else {
            throw UsageError("the shards' rates do not match their statistics (edited or corrupt)")
        }
        guard merged.statistic.count > 0 else { throw UsageError("the shards hold no samples") }
        let report = StepReport(architecture: a, learningRates: request.learningRates, scales: request.learningRateScales,
                                target: request.target, correlation: request.correlation, statistics: merged.statistic,
                                seconds: merged.seconds, stoppedBy: merged.stoppedBy.label, seeds: [merged.seed], threads: nil,
                                reference: try StepReference(a))
        report.emit(io, format: format)
    }
}
