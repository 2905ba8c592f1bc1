import ArgumentParser
import Experiments
import Foundation
import Multiprecision
import NTKMoments
import NTKOutput

struct TableCommand: NTKSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "table",
        abstract: "Convergence of the finite-width dispersion to the exact and published limits.",
        discussion: """
        For every σ², λ and M: hidden width M, depth L = round(λM), input dimension n0 = round(r·M). \
        Columns (select with --columns): sigma2, lambda (λ′ = L/M as computed), M, L, n0, ratio (the \
        finite dispersion, exact recursion in MPFR), limit_exact, limit_published, rel_err_exact, \
        rel_err_published (finite/limit − 1), order_exact, order_published (observed order between \
        consecutive M), c1 (the 1/M coefficient of the (σ², λ), from ntk expand), predicted \
        (F + c1/M), rel_err_predicted (predicted/finite − 1), richardson (extrapolation of order \
        --richardson-order). With no arguments: the default study.
        """)

    @Option(parsing: .unconditional, help: "Comma list of σ² values.")
    var sigma2 = ArgumentList<RationalArgument>("1.5,2,2.5")

    @Option(parsing: .unconditional, help: "Comma list of λ = L/M values (up to 50).")
    var lambda = ArgumentList<RationalArgument>("0.1,0.5,1")

    @Option(name: .customLong("widths-grid"), parsing: .unconditional, help: "Comma list of hidden widths M.")
    var widthsGrid = ArgumentList<IntegerArgument>("10,100,1000,10000,100000")

    @OptionGroup var input: StudyInputOptions

    @Option(help: "Finite values from the exact recursion (exact) or the GI approximation (gi).")
    var model: MomentModel = .exact

    @Option(parsing: .unconditional, help: "MPFR working precision in bits.")
    var precision = IntegerArgument(128)

    @Option(parsing: .unconditional, help: "Significant digits.")
    var digits = IntegerArgument(8)

    @Option(help: "Output format.")
    var format: TableFormat = .text

    @Option(help: "Write to FILE atomically instead of stdout.")
    var output: String?

    /// `--shard k/N|auto`: the k-th of N contiguous blocks of (σ², λ) groups; shard 1 carries the header.
    @OptionGroup var sharding: ShardOptions

    @Option(name: .customLong("richardson-order"), parsing: .unconditional,
            help: "Order k of the richardson column: extrapolate in 1/M through this row and the k previous ones (1 … 8).")
    var richardsonOrder = IntegerArgument(1)

    @Option(parsing: .unconditional, help: "Tabulate the normalized moment E[Θ^p]/E[Θ]^p instead of the dispersion (p = 2 … 8); ratio and limit_exact then refer to it.")
    var moment = IntegerArgument(2)

    @Flag(name: .customLong("first-step"),
          help: "Tabulate E[fQ]/E[Θ]² (normalized smooth first-step NTK change, exact model) against its limit; in the ordered phase with biases, where the limit is 0, limit_exact is the approximation 16‖x‖²(σ²/2)^L/((2 − σ²)n0).")
    var firstStep = false

    @Option(name: .customLong("max-seconds"), parsing: .unconditional,
            help: "Refuse, before the first row, when the limits that --moment extrapolates are estimated to take longer than this (seconds; at most one year).")
    var maxSeconds = RationalArgument(BigRational(exactly: RunTimeLimit.defaultSeconds)!)

    @Option(help: "Comma list of columns to print, in this order (default: all but c1, predicted, rel_err_predicted; see the discussion for the names).")
    var columns: String?

    /// Every column the table can print: name, LaTeX header, cell.
    struct ColumnDefinition: Sendable {
        let column: TableColumn
        let cell: @Sendable (ConvergenceStudy.Row, Int) -> String?
    }

    /// How LaTeX headers write the tabulated quantity (finite width, its limit) and the first
    /// correction: R_M and F for the dispersion, the normalized moment for --moment p, and
    /// E[fQ]/E[Θ]² for --first-step, whose ordered-phase limit with biases is an approximation.
    struct QuantitySymbols: Sendable {
        var finite = "R_M", limit = "F", limitNote = ""

        static let dispersion = QuantitySymbols()
        static func moment(_ p: Int) -> QuantitySymbols {
            QuantitySymbols(finite: "\\mathbb{E}[\\Theta^{\(p)}]/\\mathbb{E}[\\Theta]^{\(p)}", limit: "m_{\(p)}")
        }
        static func firstStep(approximateLimit: Bool) -> QuantitySymbols {
            QuantitySymbols(finite: "\\mathbb{E}[fQ]/\\mathbb{E}[\\Theta]^2", limit: "G",
                            limitNote: approximateLimit ? ", $\\approx$ where ordered" : "")
        }
    }

    static func definitions(_ q: QuantitySymbols = .dispersion) -> [ColumnDefinition] {
        @Sendable func f(_ x: BigFloat?, _ digits: Int) -> String? { x.map { $0.formatted(significantDigits: digits) } }
        @Sendable func order(_ x: BigFloat?, _ digits: Int) -> String? { x.map { $0.formatted(significantDigits: min(digits, 4)) } }
        // A quotient in a denominator or numerator gets parentheses; R_M does not need them.
        let r = q.finite, l = q.limit, rq = r.contains("/") ? "(\(r))" : r, lp = l.contains("_") ? "{\(l)}" : l
        return [
            .init(column: .number("sigma2", widthHint: 6, latex: "$\\sigma^2$")) { r, _ in decimalNumber(r.sigma2) },
            .init(column: .number("lambda", widthHint: 6, latex: "$\\lambda$")) { r, _ in decimalNumber(r.lambda) },
            .init(column: .number("M", widthHint: 7, latex: "$M$")) { r, _ in "\(r.width)" },
            .init(column: .number("L", widthHint: 7, latex: "$L$")) { r, _ in "\(r.depth)" },
            .init(column: .number("n0", widthHint: 7, latex: "$n_0$")) { r, _ in "\(r.inputDimension)" },
            .init(column: .number("ratio", widthHint: 14, latex: "$\(r)$")) { r, d in f(r.dispersion, d) },
            .init(column: .number("limit_exact", widthHint: 14, latex: "$\(l)$ (exact\(q.limitNote))")) { r, d in f(r.limitExact, d) },
            .init(column: .number("limit_published", widthHint: 15, latex: "$\(l)$ (published)")) { r, d in f(r.limitPublished, d) },
            .init(column: .number("rel_err_exact", widthHint: 14, latex: "$\(rq)/\(l) - 1$")) { r, d in f(r.relativeErrorExact, d) },
            .init(column: .number("rel_err_published", widthHint: 17, latex: "$\(rq)/\(lp)_{\\mathrm{pub}} - 1$")) { r, d in f(r.relativeErrorPublished, d) },
            .init(column: .number("order_exact", widthHint: 11, latex: "order")) { r, d in order(r.orderExact, d) },
            .init(column: .number("order_published", widthHint: 15, latex: "order (pub.)")) { r, d in order(r.orderPublished, d) },
            .init(column: .number("c1", widthHint: 14, latex: "$c_1$")) { r, d in f(r.c1, d) },
            .init(column: .number("predicted", widthHint: 14, latex: "$\(l) + c_1/M$")) { r, d in f(r.predicted, d) },
            .init(column: .number("rel_err_predicted", widthHint: 17, latex: "$(\(l) + c_1/M)/\(rq) - 1$")) { r, d in f(r.relativeErrorPredicted, d) },
            .init(column: .number("richardson", widthHint: 14, latex: "Richardson")) { r, d in f(r.richardson, d) },
        ]
    }

    /// The symbols of this table's quantity.
    var symbols: QuantitySymbols {
        if firstStep { return .firstStep(approximateLimit: !input.noBias && sigma2.elements.contains { $0.value < BigRational(2) }) }
        return moment.value == 2 ? .dispersion : .moment(moment.value)
    }

    /// The default columns; the 1/M columns (c1, predicted, rel_err_predicted) each cost an
    /// expansion per (σ², λ), so they are opt-in through --columns.
    static let defaultColumns = definitions().map(\.column.name).filter { !["c1", "predicted", "rel_err_predicted"].contains($0) }

    /// The selected columns, in the order given.
    func selectedColumns() throws -> [ColumnDefinition] {
        let definitions = Self.definitions(symbols)
        guard let text = columns else { return definitions.filter { Self.defaultColumns.contains($0.column.name) } }
        let names = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        return try names.map { name in
            guard let d = definitions.first(where: { $0.column.name == name }) else {
                throw ValidationError("--columns: unknown column \(Arguments.quoted(name)); allowed: \(definitions.map(\.column.name).joined(separator: ", "))")
            }
            return d
        }
    }

    static let maximumRows = 10_000_000

    func validate() throws {
        for s in sigma2.elements { try s.checkPositive("--sigma2", maximumMagnitudeDigits: 60) }
        for l in lambda.elements {
            try l.checkPositive("--lambda", maximumMagnitudeDigits: 60)
            guard l.value <= BigRational(50) else { throw ValidationError("--lambda \(Arguments.quoted(l.text)) exceeds 50") }
        }
        for m in widthsGrid.elements { try m.check("--widths-grid entry", 1...1_000_000_000) }
        try precision.check("--precision", 32...4096)
        try digits.check("--digits", 1...1000)
        try richardsonOrder.check("--richardson-order", 1...8)
        try moment.check("--moment", 2...HigherMomentSummary.maximumOrder)
        try maxSeconds.checkMaxSeconds()
        if firstStep && moment.value != 2 { throw ValidationError("give either --first-step or --moment, not both") }
        if firstStep && model != .exact { throw ValidationError("--first-step needs --model exact (E[fQ] is a property of the real network)") }
        _ = try selectedColumns()
        let rowCount = sigma2.elements.count * lambda.elements.count * widthsGrid.elements.count
        guard rowCount <= Self.maximumRows else { throw ValidationError("the grid has \(rowCount) rows (limit \(Self.maximumRows))") }
        for l in lambda.elements {
            for m in widthsGrid.elements where ConvergenceStudy.depth(lambda: l.value, width: m.value) > 1 << 40 {
                throw ValidationError("λ·M = \(l.text)·\(m.value) gives a depth beyond 2^40")
            }
        }
        try sharding.check(merge: nil)
    }

    func study() throws -> ConvergenceStudy {
        let (r, x) = try input.values()
        var study = ConvergenceStudy(sigma2Values: sigma2.elements.map(\.value), lambdaValues: lambda.elements.map(\.value),
                                     widths: widthsGrid.elements.map(\.value), inputRatio: r, inputNorm2: x,
                                     trainableBiases: !input.noBias, model: model, precision: precision.value)
        study.richardsonOrder = richardsonOrder.value
        study.momentOrder = moment.value
        study.firstStep = firstStep
        study.includesFirstCorrection = try selectedColumns().contains { ["c1", "predicted", "rel_err_predicted"].contains($0.column.name) }
        // Refuse before the first row is written: a row that failed later would leave a
        // partial table on stdout.
        try Arguments.checkInputDimensions(study, flag: "--input-ratio", text: input.inputRatio.text)
        return study
    }

    func execute(_ io: CommandIO) throws {
        var study = try study()
        let shardSpec = try sharding.spec()
        let digits = self.digits.value
        let groups = shardSpec.map { study.groups(shard: $0.index, of: $0.count) } ?? study.groups[...]
        // Every limit of a higher normalized moment before the first line: one that cannot be
        // had refuses the table instead of ending it halfway.
        if let note = try TableCost.momentLimitNote(study, groups: groups, maximumSeconds: maxSeconds.doubleValue) {
            io.writeError("ntk: note: \(note)\n")
        }
        let limitProgress = io.progressLine()
        do {
            try study.prepareMomentLimits(for: groups) { done, total in
                limitProgress?.update("ntk table: limit \(done + 1)/\(total) of E[Θ^\(moment.value)]/E[Θ]^\(moment.value) (extrapolated)")
            }
            limitProgress?.finish()
        } catch let error as LimitDomainError {
            limitProgress?.finish()
            throw UsageError("--moment \(moment.value): \(error.description)")
        }
        let writesHeader = shardSpec.map { $0.index == 1 } ?? true

        var writer: AtomicFileWriter? = nil
        if let path = output {
            InterruptCleanup.install()
            do { writer = try AtomicFileWriter(path: path) } catch {
                throw UsageError("--output \(Arguments.quoted(path)): \(error)")
            }
        }
        // Later CSV shards drop the header line, so `cat` of the parts equals the whole table.
        var skippingHeader = !writesHeader && format == .csv
        let sink = format.makeSink { chunk in
            var text = Substring(chunk)
            if skippingHeader {
                guard let newline = text.firstIndex(of: "\n") else { return }
                text = text[text.index(after: newline)...]
                skippingHeader = false
            }
            if let w = writer { try w.append(String(text)) } else { io.write(String(text)) }
        }
        let selected = try selectedColumns()
        let progress = io.progressLine()
        var correctionNotes: [(sigma2: BigRational, lambda: BigRational, width: Int, note: String)] = []
        do {
            try sink.begin(columns: selected.map(\.column))
            var done = 0
            for group in groups {
                for row in try study.rows(for: group) {
                    try sink.row(selected.map { $0.cell(row, digits) })
                    if let note = row.correctionNote { correctionNotes.append((row.sigma2, row.requestedLambda, row.width, note)) }
                }
                done += 1
                progress?.update("ntk table: \(done)/\(groups.count) (σ², λ) groups")
            }
            try sink.end()
            progress?.finish()
            try writer?.commit()
        } catch {
            progress?.finish()
            writer?.abort()
            if error is UsageError { throw error }
            if let path = output, error is AtomicFileError { throw UsageError("--output \(Arguments.quoted(path)): \(error)") }
            throw UsageError("table output failed: \(error)")
        }
        // Said once, after the table: a refusal must stay the only line on stderr.
        if writesHeader {
            // Order and Richardson compare rows of one λ′; say so when λ′ changes from row to row.
            let comparing = selected.contains { ["order_exact", "order_published", "richardson"].contains($0.column.name) }
            io.writeError(unattainableLambdaNote(study, emptiedColumns: comparing
                ? "order and Richardson compare rows of the same λ′ only, so they stay empty where λ′ differs from the row before" : nil))
        }
        io.writeError(correctionNote(correctionNotes, widthCount: study.widths.count))
        let showsPublished = selected.contains { $0.column.name.hasSuffix("published") }
        if writesHeader, showsPublished, moment.value == 2, !firstStep, format == .text || format == .markdown, groups.contains(where: { $0.sigma2 == 2 }), output == nil {
            io.write("note: at σ² = 2 Seleznova & Kutyniok (ICML 2022) give no explicit g(λ, α0); limit_published there is the GI-derived form.\n")
        }
    }
}

/// One stderr line when some requested λ cannot be met (λM not an integer), else "".
/// `where` says where the reader sees λ′: the table's lambda column, or a chart's points.
func unattainableLambdaNote(_ study: ConvergenceStudy, where shown: String = "rows use L = round(λM) and λ′ = L/M (shown in the lambda column)",
                            emptiedColumns: String? = nil) -> String {
    let misses = study.unattainableLambdas
    guard !misses.isEmpty else { return "" }
    var byLambda: [(BigRational, [Int])] = []
    for (l, m) in misses {
        if let i = byLambda.firstIndex(where: { $0.0 == l }) { byLambda[i].1.append(m) } else { byLambda.append((l, [m])) }
    }
    let listed = byLambda.prefix(4).map { "λ = \(exactDecimal($0.0)) at M = \($0.1.prefix(6).map(String.init).joined(separator: ", "))\($0.1.count > 6 ? ", …" : "")" }
    return "ntk: note: λ·M is not an integer for \(listed.joined(separator: "; "))\(byLambda.count > 4 ? "; …" : ""): those \(shown), compared with the limits at λ′"
        + (emptiedColumns.map { "; \($0)" } ?? "") + "\n"
}

/// One stderr line naming the rows whose predicted and rel_err_predicted cells (and c1, when
/// the expansion fails for the whole group) were left empty and why (the expansion's own verdict, `ExpansionValidity`), else "".
func correctionNote(_ notes: [(sigma2: BigRational, lambda: BigRational, width: Int, note: String)], widthCount: Int) -> String {
    guard !notes.isEmpty else { return "" }
    // Rows of one (σ², λ) with the same reason are named together.
    var byReason: [(sigma2: BigRational, lambda: BigRational, widths: [Int], note: String)] = []
    for n in notes {
        if let i = byReason.firstIndex(where: { $0.sigma2 == n.sigma2 && $0.lambda == n.lambda && $0.note == n.note }) {
            byReason[i].widths.append(n.width)
        } else {
            byReason.append((n.sigma2, n.lambda, [n.width], n.note))
        }
    }
    let shown = byReason.prefix(3).map { g -> String in
        let rows = g.widths.count == widthCount ? "every M" : "M = " + g.widths.prefix(6).map(String.init).joined(separator: ", ") + (g.widths.count > 6 ? ", …" : "")
        return "σ² = \(exactDecimal(g.sigma2)), λ = \(exactDecimal(g.lambda)) (\(rows)): \(g.note)"
    }
    let more = byReason.count > 3 ? "; and \(byReason.count - 3) more (σ², λ) groups" : ""
    return "ntk: note: predicted and rel_err_predicted (and c1 where the expansion fails for the whole (σ², λ)) left empty where the 1/M expansion does not hold — \(shown.joined(separator: "; "))\(more)\n"
}

/// The exact decimal of a rational (`2.5`, `0.1`) where there is one; `p/q` otherwise.
func exactDecimal(_ r: BigRational) -> String { r.terminatingDecimal ?? r.fractionString }

/// How a study's networks are fed: n₀ = r·M, ‖x‖², biases. Shared by `table` and `chart`.
struct StudyInputOptions: ParsableArguments {
    @Option(name: .customLong("input-ratio"), parsing: .unconditional, help: "r = n0/M.")
    var inputRatio = RationalArgument(1)

    @Option(name: .customLong("input-norm2"), parsing: .unconditional, help: "‖x‖².")
    var inputNorm2 = RationalArgument(1)

    @Flag(name: .customLong("no-bias"), help: "Weights-only NTK.")
    var noBias = false

    func validate() throws {
        try inputRatio.checkPositive("--input-ratio", maximumMagnitudeDigits: 30)
        // At ‖x‖² = 0 every network is dead and there is nothing to study.
        try inputNorm2.checkPositive("--input-norm2", maximumMagnitudeDigits: 60)
    }

    /// (r, ‖x‖²), both positive.
    func values() throws -> (BigRational, BigRational) { (inputRatio.value, inputNorm2.value) }

    /// α₀ of the limits for these inputs.
    var alpha0: BigRational {
        DispersionLimits.alpha0(inputRatio: inputRatio.value, inputNorm2: inputNorm2.value, trainableBiases: !noBias)
    }
}
