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

/// The flags a `distribution` shard records: the network, the model and the tail thresholds.
struct DistributionRequest: Codable, Hashable, Sendable {
    var network: NetworkRequest
    var model: String
    var tail: [String]
}

typealias DistributionShardFile = ShardFile<DistributionRequest, ThetaDistribution>

/// What `distribution` reports, shared by `run` and `merge`.
struct DistributionReport {
    let architecture: Architecture
    let model: MomentModel
    let distribution: ThetaDistribution
    let seconds: Double
    let stoppedBy: String
    let seeds: [UInt64]
    let threads: Int?
    let meanExact: BigFloat
    /// Exact E[Θ^k]/E[Θ]^k, k = 1 … 4.
    let normalizedExact: [Double]

    static let quantileLevels = [0.001, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 0.999]

    /// The exact references: E[Θ] and the normalized moments (MPFR, 128 bits).
    static func references(_ a: Architecture, model: MomentModel) throws -> (BigFloat, [Double]) {
        let h = try HigherMomentSummary(architecture: a, model: model, mode: .mpfr(precision: 128), maxOrder: 4)
        let mean = h.moments[0].approximation(precision: 128)!
        let normalized = h.normalized.map { $0.approximation(precision: 64)?.doubleValue() ?? .nan }
        return (mean, normalized)
    }

    /// E[Θ]/Q^{L−1}, the reference the sampler's scaled values are divided by.
    static func scaledReference(mean: BigFloat, network: ReducedNetwork) -> Double {
        let p = 128
        return (mean / BigFloat(network.logScale, precision: p).exp()).doubleValue()
    }

    func g(_ x: Double, _ digits: Int = 6) -> String { estimateText(x, digits) }

    /// The shortest decimal that reads back as x (2 → "2", 0.1 → "0.1").
    func shortest(_ x: Double) -> String { shortestDecimal(x) }

    /// Sample moments of x with their z-scores. For k = 1, 2 the standard error is the exact
    /// one, from E[x²] and E[x⁴]; for k = 3, 4 it is the sample's, which heavy tails make
    /// optimistic (the exact one would need E[x⁶], E[x⁸], whose recursion costs minutes at
    /// width 1000), so no z-score is formed from it (derivations/06): z is NaN there.
    var moments: [(k: Int, mc: Double, se: Double, exact: Double, z: Double, exactSE: Bool)] {
        (1...4).map { k in
            let m = distribution.moment(k)
            let exact = normalizedExact[k - 1]
            guard k <= 2 else { return (k, m.mean, m.standardError, exact, .nan, false) }
            let second = normalizedExact[2 * k - 1]
            let se = (max(0, second - exact * exact) / Double(max(distribution.count, 1))).squareRoot()
            return (k, m.mean, se, exact, (m.mean - exact) / se, true)
        }
    }

    var text: String {
        var out = "architecture  \(describe(architecture))\n"
        let seedText = seeds.count == 1 ? "seed \(seeds[0])" : "\(seeds.count) shards, seeds \(Set(seeds).sorted().map(String.init).joined(separator: ","))"
        out += "samples       \(distribution.count) (stopped by \(stoppedBy)) in \(String(format: "%.2f", seconds)) s"
            + (threads.map { " with \($0) thread\($0 == 1 ? "" : "s")" } ?? "") + ", \(seedText)\n"
        out += "law           \(model == .exact ? "exact" : "gradient-independence") reduced model: a binomial and two chi-squares per layer (derivations/08); Monte Carlo estimates ± standard errors\n"
        out += "E[Θ]          \(meanExact.formatted(significantDigits: 10)) (exact recursion); below, x = Θ/E[Θ]\n"
        out += "moments       k   Monte Carlo ± s.e.   exact E[Θ^k]/E[Θ]^k   z\n"
        for m in moments {
            out += "              \(m.k)   \(g(m.mc)) ± \(g(m.se, 2))\(m.exactSE ? "" : "†")   \(g(m.exact, 8))   \(m.exactSE ? zScoreText(m.z) : "–")\n"
        }
        out += "              (s.e. exact for k ≤ 2, from E[Θ²], E[Θ⁴]; † sample s.e., optimistic for heavy tails, so no z)\n"
        out += "quantiles     " + Self.quantileLevels.map { q in
            "\(q == 0.5 ? "median" : (shortest(q * 100) + "%")) \(distribution.quantile(q).map { g($0, 4) } ?? "–")"
        }.joined(separator: "  ") + "   (±0.1 %: histogram resolution)\n"
        out += "tails         " + distribution.thresholds.indices.map { i in
            let t = distribution.tail(i)
            return "P(Θ > \(shortest(distribution.thresholds[i]))·E[Θ]) = \(g(t.probability, 4)) ± \(g(t.standardError, 2))"
        }.joined(separator: "; ") + "\n"
        let l = distribution.logMoments
        out += "log           E[log x] = \(g(l.mean, 5)) ± \(g(l.meanError, 2)); Var[log x] = \(g(l.variance, 5)) ± \(g(l.varianceError, 2)) (normal-theory s.e.)"
            + "; a lognormal law would have E[log x] = −Var/2 = \(g(-l.variance / 2, 5))\n"
        if distribution.zeros > 0 { out += "Θ = 0         \(distribution.zeros) samples (dead networks without biases; left out of the log-moments)\n" }
        return out
    }

    var json: JSONValue {
        let l = distribution.logMoments
        return .object(architectureMembers(architecture) + [
            ("model", .string(model.rawValue)),
            ("samples", .number("\(distribution.count)")),
            ("seconds", jsonNumber(seconds)),
            ("stopped_by", .string(stoppedBy)),
            ("seeds", .array(seeds.map { .number("\($0)") })),
            ("mean_exact", .string(meanExact.formatted(significantDigits: 17))),
            ("moments", .array(moments.map { m in
                .object([("k", .number("\(m.k)")), ("mc", jsonNumber(m.mc)), ("se", jsonNumber(m.se)), ("se_kind", .string(m.exactSE ? "exact" : "sample")),
                         ("exact", jsonNumber(m.exact)), ("z", jsonNumber(m.z))])
            })),
            ("quantiles", .object(Self.quantileLevels.map { q in (shortest(q), distribution.quantile(q).map(jsonNumber) ?? .null) })),
            ("quantile_resolution_relative", jsonNumber(0.5 / Double(ThetaDistribution.binsPerUnit))),
            ("tails", .array(distribution.thresholds.indices.map { i in
                let t = distribution.tail(i)
                return .object([("t", jsonNumber(distribution.thresholds[i])), ("p", jsonNumber(t.probability)), ("se", jsonNumber(t.standardError))])
            })),
            ("log_mean", .object([("mc", jsonNumber(l.mean)), ("se", jsonNumber(l.meanError))])),
            ("log_variance", .object([("mc", jsonNumber(l.variance)), ("se", jsonNumber(l.varianceError))])),
            ("zero_samples", .number("\(distribution.zeros)")),
        ])
    }

    /// The density of log₁₀ x from the histogram (about 80 bins between the 0.1 % and 99.9 %
    /// quantiles) with the lognormal fit (normal in log x with the sample's log-moments).
    func chart(logDensity: Bool) throws -> LineChart {
        let l = distribution.logMoments
        let all = distribution.logHistogram
        guard let lo = distribution.quantile(0.001), let hi = distribution.quantile(0.999), lo > 0, hi > lo, l.variance > 0 else {
            throw UsageError("--chart: too few distinct positive samples to draw a density")
        }
        let ln10 = log(10.0)
        // Chart bins are whole multiples of the histogram's bins, aligned with them, so that
        // no chart bin gets one histogram bin more than its neighbour.
        let base = 1 / Double(ThetaDistribution.binsPerUnit)
        let origin = ThetaDistribution.logRange.lowerBound
        let low = origin + ((log(lo) - origin) / base).rounded(.down) * base
        let width = max(1, ((log(hi) - low) / 80 / base).rounded(.up)) * base
        let bins = Int(((log(hi) - low) / width).rounded(.up))
        let high = low + Double(bins) * width
        var counts = Array(repeating: 0, count: bins)
        for (x, c) in all where x >= low && x < high { counts[min(bins - 1, Int(((x - low) / width).rounded(.down)))] += c }
        let n = Double(distribution.count)
        var empirical: [(x: Double, y: Double)] = []
        for (i, c) in counts.enumerated() where c > 0 {
            let centre = low + (Double(i) + 0.5) * width
            empirical.append((exp(centre), Double(c) / n / (width / ln10)))  // per unit log₁₀ x
        }
        let s = l.variance.squareRoot()
        let fit: [(x: Double, y: Double)] = (0...200).map { i in
            let u = low + (high - low) * Double(i) / 200
            let density = exp(-(u - l.mean) * (u - l.mean) / (2 * l.variance)) / (s * (2 * Double.pi).squareRoot()) * ln10
            return (exp(u), density)
        }.filter { !logDensity || $0.y > 1e-300 }
        let title = "Law of Θ/E[Θ]: L = \(architecture.depth), σ² = \(architecture.sigma2.displayText), \(distribution.count) samples"
        return LineChart(title: title, xLabel: "Θ/E[Θ] (log scale)", yLabel: "density of log₁₀(Θ/E[Θ])", xScale: .log10,
                         yScale: logDensity ? .log10 : .linear,
                         series: [ChartSeries(name: "reduced-model samples", points: empirical, lineStyle: .none, showsMarkers: true),
                                  ChartSeries(name: "lognormal fit (sample log-moments)", points: fit, lineStyle: .solid, showsMarkers: false)],
                         width: 900, height: 520)
    }
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

    @Option(parsing: .unconditional, help: "Number of samples (1e5-style counts accepted).")
    var samples = IntegerArgument(100_000)

    @Option(name: .customLong("max-seconds"), parsing: .unconditional, help: "Stop after this many seconds if the samples are not done.")
    var maxSeconds = RationalArgument(60)

    @Option(parsing: .unconditional, help: "Random seed.")
    var seed = IntegerArgument(1)

    @Option(parsing: .unconditional, help: "Worker threads, 1 … 1024 (default: all cores); the result does not depend on it.")
    var threads: IntegerArgument?

    @Option(parsing: .unconditional, help: "Thresholds t of the tail probabilities P(Θ > t·E[Θ]) (list or range).")
    var tail = ArgumentList<RationalArgument>("2,5,10")

    @Option(help: "Output format.")
    var format: ValidateOutputFormat = .text

    @Option(help: "Also write an SVG of the density of log(Θ/E[Θ]) with its lognormal fit to FILE.")
    var chart: String?

    @Flag(name: .customLong("log-density"), help: "Log scale for the density axis of --chart.")
    var logDensity = false

    @OptionGroup var sharding: ShardOptions

    static let maximumSamples = 1_000_000_000

    func validate() throws {
        try samples.check("--samples", 1...Self.maximumSamples)
        try maxSeconds.checkPositive("--max-seconds", maximum: BigRational(31_536_000), maximumMagnitudeDigits: 12)
        guard seed.exact.signum >= 0, seed.exact.bitSize <= 64, UInt64(seed.exact.numeratorString) != nil else {
            throw ValidationError("--seed \(Arguments.quoted(seed.text)) is out of range: an integer from 0 to 18446744073709551615")
        }
        try threads?.check("--threads", 1...1024)
        guard tail.elements.count <= 100 else { throw ValidationError("--tail: at most 100 thresholds") }
        for t in tail.elements { try t.checkPositive("--tail", maximum: BigRational(10).power(12), maximumMagnitudeDigits: 20) }
        try sharding.check(merge: "ntk distribution merge")
    }

    func execute(_ io: CommandIO) throws {
        let (sigma2, inputNorm2) = try scale.values()
        let a = try network.architecture(sigma2: sigma2, inputNorm2: inputNorm2)
        guard a.depth <= ReducedThetaSampler.maximumDepth else {
            throw UsageError("distribution samples O(L) per network: depth ≤ \(ReducedThetaSampler.maximumDepth)")
        }
        let reduced = try Self.reducedNetwork(a, model: model)
        let threadCount = threads?.value ?? max(1, ProcessInfo.processInfo.activeProcessorCount)
        try checkSamplingBudget(SamplingCostModel.distribution(reduced, threads: threadCount, samples: samples.value), samples: samples.value,
                                maxSeconds: maxSeconds.doubleValue, io: io, reduce: "a smaller depth")
        let (mean, normalized) = try DistributionReport.references(a, model: model)
        let reference = DistributionReport.scaledReference(mean: mean, network: reduced)
        guard reference.isNormal else { throw UsageError("E[Θ] is outside the range the sampler can normalise by (depth or σ² too extreme)") }
        let seedValue = UInt64(seed.exact.numeratorString)!
        let request = DistributionRequest(network: NetworkRequest(a), model: model.rawValue, tail: tail.elements.map(\.value.fractionString))
        let shard = try sharding.plan(command: "distribution", request: request, seed: seedValue, samples: samples.value,
                                      alignment: distributionBlockSize(reduced), as: DistributionShardFile.self)
        if shard.done { return io.write(shard.doneMessage) }
        let (first, count) = (shard.range.lowerBound, shard.range.count)
        let progress = io.progressLine()
        let run = sampleDistribution(reduced, reference: reference, thresholds: tail.elements.map(\.doubleValue), samples: count,
                                     firstSample: first, maxSeconds: maxSeconds.doubleValue, seed: seedValue, threads: threadCount) { done in
            progress?.update("ntk distribution: \(done)/\(count) samples")
        }
        progress?.finish()
        try shard.commit(run.statistic, seconds: run.wallSeconds, stoppedBy: run.stoppedBy)
        let report = DistributionReport(architecture: a, model: model, distribution: run.statistic, seconds: run.wallSeconds,
                                        stoppedBy: run.stoppedBy.label, seeds: [seedValue], threads: threadCount,
                                        meanExact: mean, normalizedExact: normalized)
        try Self.emit(report, io: io, format: format, chart: chart, logDensity: logDensity)
    }

    static func reducedNetwork(_ a: Architecture, model: MomentModel) throws -> ReducedNetwork {
        let s = BigFloat(a.sigma2, precision: 53).doubleValue(), x = BigFloat(a.inputNorm2, precision: 53).doubleValue()
        guard s.isNormal, s < 1e30, s > 1e-30, x.isFinite, x < 1e30, x == 0 || x > 1e-30 else {
            throw UsageError("distribution samples in double precision: σ² and ‖x‖² must lie within 1e-30 … 1e30")
        }
        return ReducedNetwork(inputDimension: a.inputDimension, hiddenRuns: a.hiddenRuns.map { .init(width: $0.width, count: $0.count) },
                              sigma2: s, inputNorm2: x, trainableBiases: a.trainableBiases,
                              law: model == .exact ? .exact : .gradientIndependence)
    }

    static func emit(_ report: DistributionReport, io: CommandIO, format: ValidateOutputFormat, chart: String?, logDensity: Bool) throws {
        if let path = chart {
            let svg: String
            do { svg = try report.chart(logDensity: logDensity).svg() } catch let e as UsageError { throw e } catch {
                throw UsageError("--chart: \(error)")
            }
            InterruptCleanup.install()
            do { try AtomicFile.write(svg, to: path) } catch { throw UsageError("--chart \(Arguments.quoted(path)): \(error)") }
        }
        if format == .json { io.writeJSON(report.json) } else { io.write(report.text) }
    }
}

struct DistributionMergeCommand: NTKSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Combine --emit-stats shards of one distribution run and report as `distribution` does.")

    @Argument(help: "Shard files written by `ntk distribution --shard k/N --emit-stats` (all N of one run).")
    var files: [String] = []

    @Option(help: "Output format.")
    var format: ValidateOutputFormat = .text

    @Option(help: "Also write the density chart (SVG) to FILE.")
    var chart: String?

    @Flag(name: .customLong("log-density"), help: "Log scale for the density axis of --chart.")
    var logDensity = false

    func execute(_ io: CommandIO) throws {
        let merged = try mergeShards(files, command: "distribution", as: DistributionShardFile.self)
        let a = try merged.request.network.architecture()
        guard let model = MomentModel(argument: merged.request.model) else {
            throw UsageError("the shards name an unknown model \(Arguments.quoted(merged.request.model))")
        }
        let total = merged.statistic
        guard total.count > 0 else { throw UsageError("the shards hold no samples") }
        let (mean, normalized) = try DistributionReport.references(a, model: model)
        let report = DistributionReport(architecture: a, model: model, distribution: total, seconds: merged.seconds,
                                        stoppedBy: merged.stoppedBy.label, seeds: [merged.seed], threads: nil, meanExact: mean,
                                        normalizedExact: normalized)
        try DistributionRunCommand.emit(report, io: io, format: format, chart: chart, logDensity: logDensity)
    }
}
