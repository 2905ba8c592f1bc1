import ArgumentParser
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
        Columns: the finite dispersion (exact recursion, MPFR), both limits, the relative errors \
        finite/limit − 1, the observed order between consecutive M, and a Richardson estimate of \
        the limit from this row's M and the previous one. With no arguments: the default study.
        """)

    @Option(help: "Comma list of σ² values (default 1.5,2,2.5).")
    var sigma2: String = "1.5,2,2.5"

    @Option(help: "Comma list of λ = L/M values (default 0.1,0.5,1).")
    var lambda: String = "0.1,0.5,1"

    @Option(name: .customLong("widths-grid"), help: "Comma list of hidden widths M (default 10,100,1000,10000,100000).")
    var widthsGrid: String = "10,100,1000,10000,100000"

    @OptionGroup var input: StudyInputOptions

    @Option(help: "Finite values from the exact recursion (exact) or the GI approximation (gi).")
    var model: String = "exact"

    @Option(help: "MPFR working precision in bits (default 128).")
    var precision: String = "128"

    @Option(help: "Significant digits (default 8).")
    var digits: String = "8"

    @Option(help: "text, markdown, csv, json or latex.")
    var format: String = "text"

    @Option(help: "Write to FILE atomically instead of stdout.")
    var output: String?

    @Option(help: "k/N: compute only the k-th of N contiguous blocks of (σ², λ) groups; shard 1 carries the header.")
    var shard: String?

    static let columns: [TableColumn] = [
        .number("sigma2", widthHint: 6), .number("lambda", widthHint: 6), .number("M", widthHint: 7),
        .number("L", widthHint: 7), .number("n0", widthHint: 7), .number("ratio", widthHint: 14),
        .number("limit_exact", widthHint: 14), .number("limit_published", widthHint: 15),
        .number("rel_err_exact", widthHint: 14), .number("rel_err_published", widthHint: 17),
        .number("order_exact", widthHint: 11), .number("order_published", widthHint: 15),
        .number("richardson", widthHint: 14),
    ]

    static let maximumRows = 10_000_000

    func study() throws -> (ConvergenceStudy, TableFormat, Int, (Int, Int)?) {
        let sigmas = try Arguments.list(sigma2, flag: "--sigma2") { try Arguments.positiveRational($0, flag: "--sigma2", maximumMagnitudeDigits: 60) }
        let lambdas = try Arguments.list(lambda, flag: "--lambda") { text -> BigRational in
            let l = try Arguments.positiveRational(text, flag: "--lambda", maximumMagnitudeDigits: 60)
            guard l <= BigRational(50) else { throw UsageError("--lambda \(Arguments.quoted(text)) exceeds 50") }
            return l
        }
        let widths = try Arguments.list(widthsGrid, flag: "--widths-grid") {
            try Arguments.integer($0, flag: "--widths-grid entry", range: 1...1_000_000_000)
        }
        let (r, x) = try input.values()
        let bits = try Arguments.integer(precision, flag: "--precision", range: 32...4096)
        let digits = try Arguments.integer(self.digits, flag: "--digits", range: 1...1000)
        let model = try parseModel(self.model)
        let format: TableFormat
        do { format = try TableFormat(parsing: self.format) } catch {
            throw UsageError("--format \(Arguments.quoted(self.format)): allowed: text, markdown, csv, json, latex")
        }
        let rowCount = sigmas.count * lambdas.count * widths.count
        guard rowCount <= Self.maximumRows else { throw UsageError("the grid has \(rowCount) rows (limit \(Self.maximumRows))") }
        for l in lambdas {
            for M in widths where ConvergenceStudy.depth(lambda: l, width: M) > 1 << 40 {
                throw UsageError("λ·M = \(l)·\(M) gives a depth beyond 2^40")
            }
        }
        var shardSpec: (Int, Int)? = nil
        if let s = shard {
            let parts = s.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]), n >= 1, n <= 1_000_000, k >= 1, k <= n else {
                throw UsageError("--shard \(Arguments.quoted(s)): expected k/N with 1 ≤ k ≤ N ≤ 1000000, e.g. 2/8")
            }
            shardSpec = (k, n)
        }
        let study = ConvergenceStudy(sigma2Values: sigmas, lambdaValues: lambdas, widths: widths, inputRatio: r,
                                     inputNorm2: x, trainableBiases: !input.noBias, model: model, precision: bits)
        // Refuse before the first row is written: a row that failed later would leave a
        // partial table on stdout.
        try Arguments.checkInputDimensions(study, flag: "--input-ratio", text: input.inputRatio)
        return (study, format, digits, shardSpec)
    }

    /// n0 = round(r·M) must be a valid layer width for every M of the grid.

    func execute(_ io: CommandIO) throws {
        let (study, format, digits, shardSpec) = try study()
        let groups = shardSpec.map { study.groups(shard: $0.0, of: $0.1) } ?? study.groups[...]
        let writesHeader = shardSpec.map { $0.0 == 1 } ?? true

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
        let progress = io.standardErrorIsTerminal ? ProgressLine() : nil
        do {
            try sink.begin(columns: Self.columns)
            var done = 0
            for group in groups {
                for row in try study.rows(for: group) {
                    try sink.row(cells(row, digits: digits))
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
        if writesHeader, format == .text || format == .markdown, groups.contains(where: { $0.sigma2 == 2 }), output == nil {
            io.write("note: at σ² = 2 the seed gives no explicit g(λ, α0); limit_published there is the GI-derived form.\n")
        }
    }

    func cells(_ row: ConvergenceStudy.Row, digits: Int) -> [String?] {
        let f = { (x: BigFloat?) -> String? in x.map { $0.formatted(significantDigits: digits) } }
        return [exactDecimal(row.sigma2), exactDecimal(row.lambda), "\(row.width)", "\(row.depth)", "\(row.inputDimension)",
                f(row.dispersion), f(row.limitExact), f(row.limitPublished), f(row.relativeErrorExact),
                f(row.relativeErrorPublished), row.orderExact.map { $0.formatted(significantDigits: min(digits, 4)) },
                row.orderPublished.map { $0.formatted(significantDigits: min(digits, 4)) }, f(row.richardson)]
    }
}

/// The exact decimal expansion of a rational whose denominator has only the prime factors
/// 2 and 5 (e.g. `2.5`, `0.1`); `p/q` otherwise.
func exactDecimal(_ r: BigRational) -> String {
    var scale = 0
    var scaled = r
    while !scaled.isInteger && scale < 60 {
        scaled = scaled * BigRational(10)
        scale += 1
    }
    guard scaled.isInteger else { return r.fractionString }
    var digits = scaled.numeratorString
    let negative = digits.hasPrefix("-")
    if negative { digits.removeFirst() }
    if scale == 0 { return (negative ? "-" : "") + digits }
    if digits.count <= scale { digits = String(repeating: "0", count: scale - digits.count + 1) + digits }
    let point = digits.index(digits.endIndex, offsetBy: -scale)
    return (negative ? "-" : "") + digits[..<point] + "." + digits[point...]
}

/// How a study's networks are fed: n₀ = r·M, ‖x‖², biases. Shared by `table` and `chart`.
struct StudyInputOptions: ParsableArguments {
    @Option(name: .customLong("input-ratio"), help: "r = n0/M (default 1).")
    var inputRatio: String = "1"

    @Option(name: .customLong("input-norm2"), help: "‖x‖² (default 1).")
    var inputNorm2: String = "1"

    @Flag(name: .customLong("no-bias"), help: "Weights-only NTK.")
    var noBias = false

    /// (r, ‖x‖²), both positive: at ‖x‖² = 0 every network is dead and there is nothing to study.
    func values() throws -> (BigRational, BigRational) {
        let r = try Arguments.positiveRational(inputRatio, flag: "--input-ratio", maximumMagnitudeDigits: 30)
        let x = try Arguments.nonNegativeRational(inputNorm2, flag: "--input-norm2", maximumMagnitudeDigits: 60)
        guard x.signum > 0 else { throw UsageError("--input-norm2 must be positive here (at ‖x‖² = 0 the network is dead)") }
        return (r, x)
    }
}
