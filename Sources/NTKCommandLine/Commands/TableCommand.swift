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

    @OptionGroup var output: OutputOptions<TableFormat>

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

    @OptionGroup var runTime: RunTimeLimitOption<TableRunTime>

    @Option(help: "Comma list of columns to print, in this order (default: all but c1, predicted, rel_err_predicted; see the discussion for the names).")
    var columns: String?

    /// Every column the table can print: name, LaTeX header, cell.
    struct ColumnDefinition: Sendable {
        let column: TableColumn
        let cell: @Sendable (TableResult.Row) -> String?
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
        // A quotient in a denominator or numerator gets parentheses; R_M does not need them.
        let r = q.finite, l = q.limit, rq = r.contains("/") ? "(\(r))" : r, lp = l.contains("_") ? "{\(l)}" : l
        return [
            .init(column: .number("sigma2", widthHint: 6, latex: "$\\sigma^2$")) { decimalNumber($0.sigma2) },
            .init(column: .number("lambda", widthHint: 6, latex: "$\\lambda$")) { decimalNumber($0.lambda) },
            .init(column: .number("M", widthHint: 7, latex: "$M$")) { "\($0.width)" },
            .init(column: .number("L", widthHint: 7, latex: "$L$")) { "\($0.depth)" },
            .init(column: .number("n0", widthHint: 7, latex: "$n_0$")) { "\($0.inputDimension)" },
            .init(column: .number("ratio", widthHint: 14, latex: "$\(r)$")) { $0.ratio.decimal },
            .init(column: .number("limit_exact", widthHint: 14, latex: "$\(l)$ (exact\(q.limitNote))")) { $0.limitExact.decimal },
            .init(column: .number("limit_published", widthHint: 15, latex: "$\(l)$ (published)")) { $0.limitPublished.decimal },
            .init(column: .number("rel_err_exact", widthHint: 14, latex: "$\(rq)/\(l) - 1$")) { $0.relativeErrorExact.decimal },
            .init(column: .number("rel_err_published", widthHint: 17, latex: "$\(rq)/\(lp)_{\\mathrm{pub}} - 1$")) { $0.relativeErrorPublished.decimal },
            .init(column: .number("order_exact", widthHint: 11, latex: "order")) { $0.orderExact.decimal },
            .init(column: .number("order_published", widthHint: 15, latex: "order (pub.)")) { $0.orderPublished.decimal },
            .init(column: .number("c1", widthHint: 14, latex: "$c_1$")) { $0.c1.decimal },
            .init(column: .number("predicted", widthHint: 14, latex: "$\(l) + c_1/M$")) { $0.predicted.decimal },
            .init(column: .number("rel_err_predicted", widthHint: 17, latex: "$(\(l) + c_1/M)/\(rq) - 1$")) { $0.relativeErrorPredicted.decimal },
            .init(column: .number("richardson", widthHint: 14, latex: "Richardson")) { $0.richardson.decimal },
        ]
    }

    /// The symbols of this table's quantity.
    func symbols(_ request: TableRequest) -> QuantitySymbols {
        if request.firstStep { return .firstStep(approximateLimit: request.hasApproximateLimit) }
        return request.moment == 2 ? .dispersion : .moment(request.moment)
    }

    /// The 1/M columns, each of which costs an expansion per (σ², λ).
    static let correctionColumns = ["c1", "predicted", "rel_err_predicted"]

    /// The default columns; the 1/M columns are opt-in through --columns.
    static let defaultColumns = definitions().map(\.column.name).filter { !correctionColumns.contains($0) }

    /// The selected columns, in the order given.
    func selectedColumns(_ q: QuantitySymbols = .dispersion) throws -> [ColumnDefinition] {
        let definitions = Self.definitions(q)
        guard let text = columns else { return definitions.filter { Self.defaultColumns.contains($0.column.name) } }
        let names = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        return try names.map { name in
            guard let d = definitions.first(where: { $0.column.name == name }) else {
                throw ValidationError("--columns: unknown column \(Arguments.quoted(name)); allowed: \(definitions.map(\.column.name).joined(separator: ", "))")
            }
            return d
        }
    }

    func validate() throws {
        // Syntax only; the ranges are the request's (`TableRequest.check`).
        for s in sigma2.elements { try s.checkPositive("--sigma2", maximumMagnitudeDigits: 60) }
        for l in lambda.elements { try l.checkPositive("--lambda", maximumMagnitudeDigits: 60) }
        _ = try selectedColumns()
        try sharding.check(merge: nil)
    }

    /// The typed request these options describe.
    func request() throws -> TableRequest {
        let (r, x) = try input.values()
        return TableRequest(sigma2: sigma2.elements.map(\.value), lambda: lambda.elements.map(\.value),
                            widths: widthsGrid.elements.map(\.value), inputRatio: r, inputNorm2: x, biases: !input.noBias,
                            model: model, precision: precision.value, digits: digits.value, richardsonOrder: richardsonOrder.value,
                            moment: moment.value, firstStep: firstStep,
                            firstCorrection: try selectedColumns().contains { Self.correctionColumns.contains($0.column.name) },
                            shard: try sharding.spec(), maximumSeconds: runTime.seconds)
    }

    func execute(_ io: CommandIO) throws {
        let request = try request()
        // Refused before the first line: a row that failed later would leave a partial table.
        try request.check()
        if let note = try request.costNote() { io.writeError("ntk: note: \(note)\n") }

        let selected = try selectedColumns(symbols(request))
        var correctionNotes: [(sigma2: BigRational, lambda: BigRational, width: Int, note: String)] = []
        try output.writing(io) { out in
            // Later CSV shards drop the header line, so `cat` of the parts equals the whole table.
            var skippingHeader = !request.isFirstPart && output.format == .csv
            // JSON: the rows of the result document (`TableResult`), under its stamp.
            let sink = output.format.makeSink(writingTo: { chunk in
                var text = Substring(chunk)
                if skippingHeader {
                    guard let newline = text.firstIndex(of: "\n") else { return }
                    text = text[text.index(after: newline)...]
                    skippingHeader = false
                }
                out.write(String(text))
            }, document: TableResult.documentMembers(request))
            do {
                // The header waits for the first rows: the run may still refuse before them.
                var begun = false
                func begin() throws {
                    if !begun { try sink.begin(columns: selected.map(\.column)) }
                    begun = true
                }
                try out.withContext { context in
                    try request.run(context) { rows in
                        try begin()
                        for row in rows {
                            try sink.row(selected.map { $0.cell(row) })
                            if let note = row.correctionNote { correctionNotes.append((row.sigma2, row.requestedLambda, row.width, note)) }
                        }
                    }
                }
                try begin()
                try sink.end()
            } catch let error as TableError {
                throw UsageError("table output failed: \(error)")
            }
        }
        // Said once, after the table: a refusal must stay the only line on stderr.
        if request.isFirstPart {
            // Order and Richardson compare rows of one λ′; say so when λ′ changes from row to row.
            let comparing = selected.contains { ["order_exact", "order_published", "richardson"].contains($0.column.name) }
            if let note = request.study.unattainableLambdaNote(emptiedColumns: comparing
                ? "order and Richardson compare rows of the same λ′ only, so they stay empty where λ′ differs from the row before" : nil) {
                io.writeError("ntk: note: \(note)\n")
            }
        }
        io.writeError(correctionNote(correctionNotes, widthCount: request.widths.count))
        let showsPublished = selected.contains { $0.column.name.hasSuffix("published") }
        // Below a table meant for reading (not in CSV, JSON or a file a program reads).
        if let note = request.publishedLimitNote, showsPublished, output.format == .text || output.format == .markdown, output.file == nil {
            io.write("note: \(note)\n")
        }
    }
}

/// What `--max-seconds` of `ntk table` limits.
enum TableRunTime: RunTimeLimitSubject {
    static let help = "Refuse, before the first row, when the limits that --moment extrapolates are estimated to take longer than this (seconds; at most one year)."
}
