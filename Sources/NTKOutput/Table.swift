/// Where streamed text goes: stdout, an `AtomicFileWriter`, a test's buffer.
/// It may throw (a full disk, a closed pipe); table sinks pass the error through unchanged.
public typealias TextOutput = (String) throws -> Void

/// One column of a streamed table.
public struct TableColumn: Sendable, Equatable {
    public enum Alignment: Sendable, Equatable {
        case left, right
    }

    /// What the cells hold. `number` cells are JSON number text (the caller formats them);
    /// they are written unquoted in JSON and typeset as numbers in LaTeX.
    public enum Content: Sendable, Equatable {
        case text, number
    }

    public var name: String
    public var alignment: Alignment
    /// Expected cell width in characters. Streaming formats cannot measure the whole column
    /// first, so text and Markdown pad to `max(name.count, widthHint)`; longer cells overflow.
    public var widthHint: Int
    public var content: Content
    /// The header LaTeX output typesets (raw LaTeX, e.g. `$c_1$`); nil: the escaped name.
    public var latexHeader: String?

    public init(name: String, alignment: Alignment = .left, widthHint: Int = 0, content: Content = .text, latexHeader: String? = nil) {
        self.name = name
        self.alignment = alignment
        self.widthHint = widthHint
        self.content = content
        self.latexHeader = latexHeader
    }

    /// A right-aligned column of preformatted numbers.
    public static func number(_ name: String, widthHint: Int = 0, latex: String? = nil) -> TableColumn {
        TableColumn(name: name, alignment: .right, widthHint: widthHint, content: .number, latexHeader: latex)
    }

    /// A left-aligned column of free text.
    public static func text(_ name: String, widthHint: Int = 0) -> TableColumn {
        TableColumn(name: name, alignment: .left, widthHint: widthHint, content: .text)
    }

    /// The padded width used by the aligned formats.
    var paddedWidth: Int { max(name.count, widthHint) }
}

/// A table writer that emits each row as it arrives, so memory does not grow with row count.
///
/// Call order: `begin(columns:)` once, `row(_:)` any number of times, `end()` once.
/// Each row must have exactly one cell per column; `nil` means "no value" and is rendered
/// per format (documented on each sink). Errors from the output closure propagate as-is.
public protocol TableSink: AnyObject {
    /// - Throws: `TableError.misuse` if called twice or with no columns.
    func begin(columns: [TableColumn]) throws
    /// - Throws: `TableError.misuse` before `begin` / after `end`, `TableError.cellCount`
    ///   on a wrong number of cells, `TableError.invalidNumber` where a format needs a
    ///   number column's cell to be JSON number text and it is not.
    func row(_ cells: [String?]) throws
    /// - Throws: `TableError.misuse` if `begin` was not called or `end` already was.
    func end() throws
}

public enum TableError: Error, CustomStringConvertible, Equatable {
    case misuse(String)
    case cellCount(expected: Int, got: Int, row: Int)
    case invalidNumber(column: String, text: String, row: Int)
    case unknownFormat(String)

    public var description: String {
        switch self {
        case .misuse(let what): return "table sink misuse: \(what)"
        case .cellCount(let expected, let got, let row):
            return "table row \(row) has \(got) cells, expected \(expected)"
        case .invalidNumber(let column, let text, let row):
            return "table row \(row), column \(jsonQuoted(column)): \(jsonQuoted(text)) is not a JSON number"
        case .unknownFormat(let name):
            return "unknown table format \(jsonQuoted(name)); allowed: \(TableFormat.allCases.map(\.rawValue).joined(separator: ", "))"
        }
    }
}

/// The output formats, named as on the command line.
public enum TableFormat: String, CaseIterable, Sendable {
    case text, markdown, csv, json, latex

    /// Parses a format name exactly as listed in `allCases` (case-sensitive).
    /// - Throws: `TableError.unknownFormat`, whose description lists the allowed names.
    public init(parsing name: String) throws {
        guard let format = TableFormat(rawValue: name) else { throw TableError.unknownFormat(name) }
        self = format
    }

    /// A fresh sink of this format writing to `output`; JSON rows go into an object that starts
    /// with `document` when it is given (see `JSONTableSink`).
    public func makeSink(writingTo output: @escaping TextOutput, document: [(key: String, value: JSONValue)]? = nil) -> any TableSink {
        switch self {
        case .text: return TextTableSink(output: output)
        case .markdown: return MarkdownTableSink(output: output)
        case .csv: return CSVTableSink(output: output)
        case .json: return JSONTableSink(output: output, document: document)
        case .latex: return LaTeXTableSink(output: output)
        }
    }
}

/// Shared begin/row/end bookkeeping so every format enforces the same call contract.
struct TableSinkState {
    private(set) var columns: [TableColumn] = []
    private(set) var rowsWritten = 0
    private var phase = Phase.notBegun
    private enum Phase { case notBegun, open, ended }

    mutating func begin(_ columns: [TableColumn]) throws {
        guard phase == .notBegun else { throw TableError.misuse("begin(columns:) called twice") }
        guard !columns.isEmpty else { throw TableError.misuse("a table needs at least one column") }
        self.columns = columns
        phase = .open
    }

    /// Validates a row and returns its 1-based index.
    mutating func acceptRow(_ cells: [String?]) throws -> Int {
        guard phase == .open else {
            throw TableError.misuse(phase == .notBegun ? "row(_:) before begin(columns:)" : "row(_:) after end()")
        }
        guard cells.count == columns.count else {
            throw TableError.cellCount(expected: columns.count, got: cells.count, row: rowsWritten + 1)
        }
        rowsWritten += 1
        return rowsWritten
    }

    mutating func end() throws {
        guard phase == .open else {
            throw TableError.misuse(phase == .notBegun ? "end() before begin(columns:)" : "end() called twice")
        }
        phase = .ended
    }
}

func pad(_ text: String, to width: Int, _ alignment: TableColumn.Alignment) -> String {
    let fill = String(repeating: " ", count: max(0, width - text.count))
    return alignment == .left ? text + fill : fill + text
}

func trimmingTrailingSpaces(_ line: String) -> String {
    var line = Substring(line)
    while line.last == " " { line.removeLast() }
    return String(line)
}
