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

/// The exact and infinite-width references of one depth: the diagonal moments E[Θ(x,x)],
/// E[Θ(x,x)²] as certified enclosures (128-bit MPFR intervals) and, per correlation, the
/// infinite-width Θ*(x,x′) and Θ*(x,x′)/Θ*(x,x).
struct OffDiagReference {
    let architecture: Architecture
    /// Enclosure midpoints, for the z-tests.
    let mean: Double, second: Double
    /// Upper ends of the enclosures, rounded up to doubles: rigorous bounds (derivations/10).
    let meanUpper: Double, secondUpper: Double
    /// Θ*(x, x′) and Θ*(x, x′)/Θ*(x, x) per correlation, when the kernel is available.
    let infiniteWidth: [(theta: Double, ratio: Double)?]
    /// E[Θ(x,x)^k], k = 1…4, for the exact standard errors of the diagonal z-tests.
    let plan: ExactSamplingPlan?

    init(_ a: Architecture, correlations: [Double]) throws {
        architecture = a
        let s = try MomentSummary(architecture: a, mode: .certified(precision: 128))
        guard let m = s.mean.guaranteedEnclosure, let m2 = s.secondMoment.guaranteedEnclosure else {
            throw UsageError("offdiag: the exact diagonal moments could not be enclosed")
        }
        func mid(_ e: Enclosure) -> Double { MomentValue.enclosure(e).approximation(precision: 64)!.doubleValue() }
        mean = mid(m)
        second = mid(m2)
        // The nearest double may lie below the upper end: one step up covers it.
        meanUpper = BigFloat(m.upper, precision: 53).doubleValue().nextUp
        secondUpper = BigFloat(m2.upper, precision: 53).doubleValue().nextUp
        plan = ExactSamplingPlan(architecture: a, mean: mean, secondMoment: second)
        // Θ*(x, x′) from the arc-cosine recursion (InfiniteWidthKernel, derivations/09) in double
        // precision; nil where it cannot be represented (σ² or the kernel outside the double range).
        let q = BigFloat(a.inputNorm2, precision: 53).doubleValue()
        let kernel = try? InfiniteWidthKernel(architecture: a)
        infiniteWidth = correlations.map { rho in
            guard let v = try? kernel?.evaluate(correlation: rho, inputNorm2: q), v.ntk.isFinite, v.ntkDiagonal1.isNormal else { return nil }
            return (v.ntk, v.ntk / v.ntkDiagonal1)
        }
    }
}

/// One depth's simulation with its references.
struct OffDiagDepthResult {
    let reference: OffDiagReference
    let statistics: OffDiagonalStatistics
    let seconds: Double
    let stoppedBy: String
    var architecture: Architecture { reference.architecture }

    func diagonalTest(zMax: Double) -> MomentZTest {
        MomentZTest(moments: statistics.diagonal, referenceMean: reference.mean, referenceSecondMoment: reference.second, zMax: zMax,
                    exactStandardErrors: reference.plan.map { .init(plan: $0, samples: statistics.diagonal.count) })
    }
}

/// `ntk offdiag` output, shared by `run` and `merge`.
struct OffDiagReport {
    let depths: [OffDiagDepthResult]
    /// The largest network (the architecture the options described).
    let architecture: Architecture
    let correlations: [Double]
    let seeds: [UInt64]
    let threads: Int?
    let zMax: Double

    func g(_ x: Double, _ digits: Int = 6) -> String {
        x.isFinite ? BigFloat(x, precision: 53).formatted(significantDigits: digits) : "undefined"
    }

    var samples: Int { depths.map(\.statistics.count).min() ?? 0 }
    var seconds: Double { depths.reduce(0) { $0 + $1.seconds } }

    var verdict: ValidationVerdict { MomentZTest.combine(depths.map { $0.diagonalTest(zMax: zMax).verdict }) }

    /// The ρ = 1 check of one correlation: the z-test of Θ(x, x′) against the exact diagonal.
    func exactCheck(_ d: OffDiagDepthResult, _ e: OffDiagonalEstimate) -> MomentZTest? {
        e.correlation == 1 ? MomentZTest(moments: e.offDiagonalMoments, referenceMean: d.reference.mean,
                                         referenceSecondMoment: d.reference.second, zMax: zMax,
                                         exactStandardErrors: d.reference.plan.map { .init(plan: $0, samples: e.offDiagonalMoments.count) }) : nil
    }

    static let columns: [TableColumn] = [
        .number("depth"), .number("rho"), .number("samples"), .number("E_theta_xy"), .number("E_theta_xy_se"), .number("E_theta_xy2"),
        .number("E_theta_xy2_se"), .number("ratio"), .number("ratio_se"), .number("inf_width_ratio"), .number("dispersion"),
        .number("dispersion_se"), .number("corr_xx"),
        .number("bound_abs_E_theta_xy"), .number("bound_E_theta_xy2"),
    ]

    func rows(csv: Bool) -> [[String?]] {
        let f: (Double, Int) -> String? = { x, digits in x.isFinite ? (csv ? "\(x)" : g(x, digits)) : nil }
        return depths.flatMap { d in
            d.statistics.estimates.enumerated().map { k, e in
                ["\(d.architecture.depth)", csv ? "\(e.correlation)" : shortestDecimal(e.correlation), "\(e.count)", f(e.meanXY, 6), f(e.standardErrorOfMeanXY, 2),
                 f(e.secondMomentXY, 6), f(e.standardErrorOfSecondMomentXY, 2), f(e.ratio, 6), f(e.ratioStandardError, 2),
                 d.reference.infiniteWidth[k].flatMap { f($0.ratio, 6) }, f(e.dispersion, 5), f(e.dispersionStandardError, 2),
                 f(e.correlationWithDiagonal, 4), f(d.reference.meanUpper, 8), f(d.reference.secondUpper, 8)]
            }
        }
    }

    func table(_ format: TableFormat) throws -> String {
        var out = ""
        let sink = format.makeSink { out += $0 }
        try sink.begin(columns: Self.columns)
        for row in rows(csv: format == .csv) { try sink.row(row) }
        try sink.end()
        return out
    }

    func verdictText(_ t: MomentZTest) -> String {
        let verdict: String
        switch t.verdict {
        case .pass: verdict = "PASS (|z| ≤ \(g(zMax, 3)))"
        case .fail: verdict = "FAIL (|z| > \(g(zMax, 3)))"
        case .inconclusive: verdict = "INCONCLUSIVE (fewer than \(MomentZTest.minimumSamples) samples, no finite standard error, or sample standard errors that heavy tails make unreliable)"
        }
        return "E[Θ] \(g(t.mean)) ± \(g(t.standardErrorOfMean, 2)) vs exact \(g(t.referenceMean, 8)) (z \(zScoreText(t.zMean))), "
            + "E[Θ²] \(g(t.secondMoment)) ± \(g(t.standardErrorOfSecondMoment, 2)) vs exact \(g(t.referenceSecondMoment, 8)) (z \(zScoreText(t.zSecondMoment))): \(verdict)"
    }

    func text() throws -> String {
        var out = "architecture  \(describe(architecture))\n"
        let seedText = seeds.count == 1 ? "seed \(seeds[0])" : "\(seeds.count) shards, seeds \(Set(seeds).sorted().map(String.init).joined(separator: ","))"
        out += "samples       \(depths.map { "\($0.statistics.count)" }.joined(separator: ",")) (per depth, stopped by \(Set(depths.map(\.stoppedBy)).sorted().joined(separator: " / "))) in \(String(format: "%.2f", seconds)) s"
            + (threads.map { " with \($0) thread\($0 == 1 ? "" : "s")" } ?? "") + ", \(seedText)\n"
        out += "inputs        ‖x‖² = ‖x′‖² = \(exactDecimal(architecture.inputNorm2)), ⟨x, x′⟩ = ρ‖x‖²; simulated explicit networks, Monte Carlo estimates and standard errors (se)\n"
        out += "columns       ratio = E[Θ(x,x′)]/E[Θ(x,x)] (paired); inf_width_ratio = Θ*(x,x′)/Θ*(x,x); corr_xx = correlation of Θ(x,x′) with Θ(x,x);\n"
        out += "              bounds |E[Θ(x,x′)]| ≤ E[Θ(x,x)], E[Θ(x,x′)²] ≤ E[Θ(x,x)²] from the exact diagonal moments (certified, rounded up)\n"
        for d in depths {
            out += "depth \(d.architecture.depth)".padding(toLength: 14, withPad: " ", startingAt: 0) + "Θ(x,x): " + verdictText(d.diagonalTest(zMax: zMax)) + "\n"
            for e in d.statistics.estimates { if let t = exactCheck(d, e) { out += "              ρ = 1: Θ(x,x′): " + verdictText(t) + "\n" } }
        }
        if depths.contains(where: { d in d.reference.infiniteWidth.contains { $0 == nil } }) {
            out += "note          the infinite-width kernel is outside the double range here: inf_width_ratio is left out where it shows -\n"
        }
        return out + "\n" + (try table(.text))
    }

    var json: JSONValue {
        func block(_ mc: Double, _ se: Double) -> JSONValue { .object([("mc", jsonNumber(mc)), ("se", jsonNumber(se))]) }
        func test(_ t: MomentZTest) -> [(key: String, value: JSONValue)] {
            [("E_theta", .object([("mc", jsonNumber(t.mean)), ("se", jsonNumber(t.standardErrorOfMean)), ("exact", jsonNumber(t.referenceMean)), ("z", jsonNumber(t.zMean))])),
             ("E_theta2", .object([("mc", jsonNumber(t.secondMoment)), ("se", jsonNumber(t.standardErrorOfSecondMoment)), ("exact", jsonNumber(t.referenceSecondMoment)),
                                   ("z", jsonNumber(t.zSecondMoment))])),
             ("standard_errors", .string(t.usesExactStandardErrors ? "exact" : "sample")),
             ("verdict", .string(t.verdict.rawValue))]
        }
        var results: [JSONValue] = []
        for d in depths {
            for (k, e) in d.statistics.estimates.enumerated() {
                var members: [(key: String, value: JSONValue)] = [
                    ("depth", .number("\(d.architecture.depth)")), ("correlation", jsonNumber(e.correlation)), ("samples", .number("\(e.count)")),
                    ("E_theta_xy", block(e.meanXY, e.standardErrorOfMeanXY)), ("E_theta_xy2", block(e.secondMomentXY, e.standardErrorOfSecondMomentXY)),
                    ("ratio", block(e.ratio, e.ratioStandardError)),
                    ("infinite_width_theta", d.reference.infiniteWidth[k].map { jsonNumber($0.theta) } ?? .null),
                    ("infinite_width_ratio", d.reference.infiniteWidth[k].map { jsonNumber($0.ratio) } ?? .null),
                    ("dispersion", .object([("mc", jsonNumber(e.dispersion)), ("se_delta_method", jsonNumber(e.dispersionStandardError))])),
                    ("correlation_with_diagonal", jsonNumber(e.correlationWithDiagonal)),
                    ("bound_abs_E_theta_xy", jsonNumber(d.reference.meanUpper)), ("bound_E_theta_xy2", jsonNumber(d.reference.secondUpper)),
                ]
                if let t = exactCheck(d, e) { members.append(("exact_check", .object(test(t)))) }
                results.append(.object(members))
            }
        }
        return .object(architectureMembers(architecture) + [
            ("samples", .number("\(samples)")),
            ("seconds", jsonNumber(seconds)),
            ("seeds", .array(seeds.map { .number("\($0)") })),
            ("z_max", jsonNumber(zMax)),
            ("correlations", .array(correlations.map(jsonNumber))),
            ("depths", .array(depths.map { d in
                .object([("depth", .number("\(d.architecture.depth)")), ("samples", .number("\(d.statistics.count)")), ("seconds", jsonNumber(d.seconds)),
                         ("stopped_by", .string(d.stoppedBy)), ("diagonal_check", .object(test(d.diagonalTest(zMax: zMax))))])
            })),
            ("verdict", .string(verdict.rawValue)),
            ("results", .array(results)),
        ])
    }

    func emit(_ io: CommandIO, format: MomentsFormat) throws {
        switch format {
        case .json: io.writeJSON(json)
        case .csv: io.write(try table(.csv))
        case .text: io.write(try text())
        }
    }
}

/// The flags an `offdiag` shard records: the network, the depths of the sweep and the
/// correlations (exact).
struct OffDiagRequest: Codable, Hashable, Sendable {
    var network: NetworkRequest
    var depths: [Int]
    var correlations: [String]
}

typealias OffDiagShardFile = ShardFile<OffDiagRequest, OffDiagonalSweepStatistics>

/// The networks of a depth sweep: for each L, the first L − 1 hidden widths of `a` and one output.
func depthPrefixes(_ a: Architecture, depths: [Int]?) throws -> [Architecture] {
    let all = a.expandedWidths
    return try (depths ?? [a.depth]).map { L in
        guard (1...a.depth).contains(L) else {
            throw UsageError("--depths entry \(L) is out of range: the network has depth \(a.depth); give depths from 1 to \(a.depth)")
        }
        return try Architecture(widths: Array(all.prefix(L)), sigma2: a.sigma2, inputNorm2: a.inputNorm2, trainableBiases: a.trainableBiases)
    }
}

/// The shortest decimal that reads back as x (0.1 → "0.1", 1 → "1").
func shortestDecimal(_ x: Double) -> String { LegacyMembers.shortestDecimal(x) }

/// −1 ≤ ρ ≤ 1.
func isCorrelation(_ rho: BigRational) -> Bool { BigRational(-1) <= rho && rho <= BigRational(1) }

/// The largest explicit network `offdiag` stores (all weights, one copy per thread).
let offDiagMaximumParameters = 1 << 25

/// Refuses networks `offdiag` cannot simulate: too deep, too many parameters, or σ², ‖x‖²
/// outside the double range the simulation uses.
func checkSimulable(_ a: Architecture) throws {
    guard a.depth <= 10_000, a.inputDimension <= offDiagMaximumParameters,
          a.hiddenRuns.allSatisfy({ $0.width <= offDiagMaximumParameters }) else {
        throw UsageError("offdiag stores every weight: depth ≤ 10000 and at most \(offDiagMaximumParameters) parameters")
    }
    guard explicitParameterCount(a) <= Double(offDiagMaximumParameters) else {
        throw UsageError("offdiag stores every weight: at most \(offDiagMaximumParameters) parameters per network")
    }
    _ = try SimulatedArchitecture.checked(a, command: "offdiag")
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

    @Option(parsing: .unconditional, help: "Number of sampled networks per depth (1e3-style counts accepted).")
    var samples = IntegerArgument(1000)

    @Option(name: .customLong("max-seconds"), parsing: .unconditional, help: "Stop after this many seconds in all (at most one year).")
    var maxSeconds = RationalArgument(60)

    @Option(parsing: .unconditional, help: "Random seed, 0 … 2^64−1.")
    var seed = IntegerArgument(1)

    @Option(parsing: .unconditional, help: "Worker threads, 1 … 1024 (default: all cores); the result does not depend on it.")
    var threads: IntegerArgument?

    @Option(name: .customLong("z-max"), parsing: .unconditional, help: "The checks against the exact diagonal pass when |z| ≤ this.")
    var zMax = RationalArgument(4)

    @Option(help: "Output format.")
    var format: MomentsFormat = .text

    @OptionGroup var sharding: ShardOptions

    static let maximumSamples = 1_000_000_000

    func validate() throws {
        try samples.check("--samples", 1...Self.maximumSamples)
        guard seed.exact.signum >= 0, seed.exact.bitSize <= 64, UInt64(seed.exact.numeratorString) != nil else {
            throw ValidationError("--seed \(Arguments.quoted(seed.text)) is out of range: an integer from 0 to 18446744073709551615")
        }
        try checkThreads(threads)
        try maxSeconds.checkPositive("--max-seconds", maximum: BigRational(31_536_000), maximumMagnitudeDigits: 12)
        try zMax.checkPositive("--z-max", maximumMagnitudeDigits: 12)
        guard correlation.elements.count <= 1000 else { throw ValidationError("--correlation: at most 1000 correlations") }
        for rho in correlation.elements {
            guard isCorrelation(rho.value) else {
                throw ValidationError("--correlation \(Arguments.quoted(rho.text)) is out of range: a number from -1 to 1")
            }
        }
        if let depths {
            guard depths.elements.count <= 1000 else { throw ValidationError("--depths: at most 1000 depths") }
            for d in depths.elements { try d.check("--depths entry", 1...10_000) }
        }
        try sharding.check(merge: "ntk offdiag merge")
    }

    func execute(_ io: CommandIO) throws {
        try validate()
        let (sigma2, inputNorm2) = try scale.values()
        let a = try network.architecture(sigma2: sigma2, inputNorm2: inputNorm2)
        try checkSimulable(a)
        let rhos = correlation.elements.map(\.doubleValue)
        if a.inputDimension < 2, let rho = correlation.elements.first(where: { $0.value != BigRational(1) && $0.value != BigRational(-1) }) {
            throw UsageError("--correlation \(Arguments.quoted(rho.text)) needs two input coordinates: n0 = 1 allows only ρ = ±1")
        }
        let networks = try depthPrefixes(a, depths: depths?.elements.map(\.value))
        let seedValue = UInt64(seed.exact.numeratorString)!
        let request = OffDiagRequest(network: NetworkRequest(a), depths: networks.map(\.depth),
                                     correlations: correlation.elements.map(\.value.fractionString))
        // Shards are whole blocks of every depth: the block sizes are powers of two, so their lcm is the largest.
        let alignment = networks.map { offDiagonalBlockSize(SimulatedArchitecture($0), correlations: rhos.count) }.max() ?? 1
        let shard = try sharding.plan(command: "offdiag", request: request, seed: seedValue, samples: samples.value,
                                      alignment: alignment, as: OffDiagShardFile.self)
        if shard.done { return io.write(shard.doneMessage) }
        let (first, count) = (shard.range.lowerBound, shard.range.count)
        let threadCount = threadCount(threads)
        let budget = maxSeconds.doubleValue
        // One sample is one network at every depth of the sweep.
        let costs = networks.map { SamplingCostModel.offDiagonal(SimulatedArchitecture($0), correlations: rhos.count, threads: threadCount, samples: count) }
        let sweepCost = SamplingCost(secondsPerSample: costs.reduce(0) { $0 + $1.secondsPerSample },
                                     parallelism: costs.map(\.parallelism).min() ?? 1, bytes: costs.map(\.bytes).max() ?? 0)
        try checkSamplingBudget(sweepCost, samples: count, maxSeconds: budget, io: io, what: "network\(networks.count > 1 ? " sweep" : "")")
        let progress = io.progressLine()
        let clock = ContinuousClock(), start = clock.now
        var results: [OffDiagDepthResult] = []
        for (index, net) in networks.enumerated() {
            let reference = try OffDiagReference(net, correlations: rhos)
            // The remaining budget, shared among the remaining depths in proportion to depth
            // (the cost of a network grows about linearly with it).
            let elapsed = start.duration(to: clock.now)
            let used = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            let remainingDepth = networks[index...].reduce(0) { $0 + $1.depth }
            let share = max(0, budget - used) * Double(net.depth) / Double(remainingDepth)
            let run: BlockedRunResult<OffDiagonalStatistics>
            do {
                run = try simulateOffDiagonal(SimulatedArchitecture(net), correlations: rhos, samples: count, firstSample: first,
                                              maxSeconds: share, seed: seedValue, threads: threadCount) { done in
                    progress?.update("ntk offdiag: depth \(net.depth): \(done)/\(count) samples")
                }
            } catch let e as OffDiagonalError { throw UsageError(e.description) }
            // A depth the budget left no time for still reports its rows (with undefined estimates).
            let statistics = run.statistic.count == 0 ? OffDiagonalStatistics(correlations: rhos) : run.statistic
            results.append(OffDiagDepthResult(reference: reference, statistics: statistics, seconds: run.wallSeconds,
                                              stoppedBy: run.stoppedBy.label))
        }
        progress?.finish()
        let sweep = OffDiagonalSweepStatistics(depths: results.map(\.statistics), seconds: results.map(\.seconds))
        try shard.commit(sweep, seconds: results.reduce(0) { $0 + $1.seconds },
                         stoppedBy: results.allSatisfy { $0.stoppedBy == MonteCarloStopReason.sampleBudget.label } ? .sampleBudget : .timeBudget)
        let report = OffDiagReport(depths: results, architecture: a, correlations: rhos, seeds: [seedValue], threads: threadCount,
                                   zMax: zMax.doubleValue)
        try report.emit(io, format: format)
    }
}

struct OffDiagMergeCommand: NTKSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Combine --emit-stats shards of `ntk offdiag` (same network, depths and correlations) and report as `offdiag` does.")

    @Argument(help: "Shard files written by `ntk offdiag --shard k/N --emit-stats` (all N of one run).")
    var files: [String] = []

    @Option(name: .customLong("z-max"), parsing: .unconditional, help: "The checks against the exact diagonal pass when |z| ≤ this.")
    var zMax = RationalArgument(4)

    @Option(help: "Output format.")
    var format: MomentsFormat = .text

    func validate() throws {
        try zMax.checkPositive("--z-max", maximumMagnitudeDigits: 12)
    }

    func execute(_ io: CommandIO) throws {
        try validate()
        let merged = try mergeShards(files, command: "offdiag", as: OffDiagShardFile.self)
        let a = try merged.request.network.architecture()
        let rhos: [Double]
        do {
            let exact = try merged.request.correlations.map { try BigRational(parsing: $0) }
            guard !exact.isEmpty, exact.allSatisfy(isCorrelation) else { throw UsageError("correlation out of range") }
            rhos = exact.map { BigFloat($0, precision: 53).doubleValue() }
        } catch { throw UsageError("the shards' correlations are malformed") }
        try checkSimulable(a)
        let networks = try depthPrefixes(a, depths: merged.request.depths)
        let sweep = merged.statistic
        guard sweep.depths.count == networks.count,
              sweep.depths.allSatisfy({ $0.count == 0 || $0.correlations == rhos }) else {
            throw UsageError("the shards' statistics do not match their depths and correlations")
        }
        var results: [OffDiagDepthResult] = []
        for (i, net) in networks.enumerated() {
            let statistics = sweep.depths[i].count == 0 ? OffDiagonalStatistics(correlations: rhos) : sweep.depths[i]
            results.append(OffDiagDepthResult(reference: try OffDiagReference(net, correlations: rhos), statistics: statistics,
                                              seconds: sweep.seconds[i],
                                              stoppedBy: merged.stoppedBy.label))
        }
        guard results.contains(where: { $0.statistics.count > 0 }) else { throw UsageError("the shards hold no samples") }
        let report = OffDiagReport(depths: results, architecture: a, correlations: rhos, seeds: [merged.seed], threads: nil,
                                   zMax: zMax.doubleValue)
        try report.emit(io, format: format)
    }
}
