/// Plain aligned text for terminals:
///
///     name   depth
///     -----  -----
///     relu       1
///
/// Columns are padded to `max(name.count, widthHint)` and separated by two spaces; a longer
/// cell pushes the rest of its row right. Trailing spaces are trimmed. `nil` renders as `-`.
/// Cells are written verbatim, so a newline inside a cell breaks the layout.
public final class TextTableSink: TableSink {
    private let output: TextOutput
    private var state = TableSinkState()

    public init(output: @escaping TextOutput) { self.output = output }

    public func begin(columns: [TableColumn]) throws {
        try state.begin(columns)
        try output(line(columns.map(\.name)))
        try output(line(columns.map { String(repeating: "-", count: $0.paddedWidth) }))
    }

    public func row(_ cells: [String?]) throws {
        _ = try state.acceptRow(cells)
        try output(line(cells.map { $0 ?? "-" }))
    }

    public func end() throws { try state.end() }

    private func line(_ cells: [String]) -> String {
        let padded = zip(state.columns, cells).map { pad($1, to: $0.paddedWidth, $0.alignment) }
        return trimmingTrailingSpaces(padded.joined(separator: "  ")) + "\n"
    }
}

/// A GitHub-flavoured Markdown pipe table. Right-aligned columns get `---:` in the
/// delimiter row. Cells are padded to `max(3, name.count, widthHint)` (3 being the shortest
/// delimiter), counting the escaped name; `|` in a cell is written `\|` and line breaks as `<br>`. `nil` renders empty.
public final class MarkdownTableSink: TableSink {
    private let output: TextOutput
    private var state = TableSinkState()
    /// Measured on escaped names, which is what appears in the file.
    private var widths: [Int] = []

    public init(output: @escaping TextOutput) { self.output = output }

    public func begin(columns: [TableColumn]) throws {
        try state.begin(columns)
        widths = columns.map { max(3, Self.escape($0.name).count, $0.widthHint) }
        try output(line(columns.map(\.name)))
        let delimiters = zip(columns, widths).map { column, width -> String in
            column.alignment == .right
                ? String(repeating: "-", count: width - 1) + ":"
                : String(repeating: "-", count: width)
        }
        try output("| " + delimiters.joined(separator: " | ") + " |\n")
    }

    public func row(_ cells: [String?]) throws {
        _ = try state.acceptRow(cells)
        try output(line(cells.map { $0 ?? "" }))
    }

    public func end() throws { try state.end() }

    private func line(_ cells: [String]) -> String {
        let padded = zip(zip(state.columns, widths), cells).map { columnAndWidth, cell in
            pad(Self.escape(cell), to: columnAndWidth.1, columnAndWidth.0.alignment)
        }
        return "| " + padded.joined(separator: " | ") + " |\n"
    }

    static func escape(_ cell: String) -> String {
        cell.replacing("|", with: "\\|")
            .replacing("\r\n", with: "<br>")
            .replacing("\n", with: "<br>")
            .replacing("\r", with: "<br>")
    }
}

/// Comma-separated values with RFC 4180 quoting: a field containing `,`, `"`, CR or LF is
/// wrapped in double quotes with inner quotes doubled; other fields are written bare.
/// `nil` renders as an empty field. The header row holds the column names.
/// Records end with `lineEnding` (LF by default; pass `"\r\n"` for strict RFC 4180).
public final class CSVTableSink: TableSink {
    private let output: TextOutput
    private let lineEnding: String
    private var state = TableSinkState()

    public init(output: @escaping TextOutput, lineEnding: String = "\n") {
        self.output = output
        self.lineEnding = lineEnding
    }

    public func begin(columns: [TableColumn]) throws {
        try state.begin(columns)
        try output(columns.map { Self.field($0.name) }.joined(separator: ",") + lineEnding)
    }

    public func row(_ cells: [String?]) throws {
        _ = try state.acceptRow(cells)
        try output(cells.map { Self.field($0 ?? "") }.joined(separator: ",") + lineEnding)
    }

    public func end() throws { try state.end() }

    /// `text` as one RFC 4180 field.
    public static func field(_ text: String) -> String {
        let needsQuotes = text.unicodeScalars.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }
        return needsQuotes ? "\"" + text.replacing("\"", with: "\"\"") + "\"" : text
    }
}

/// A JSON array of row objects keyed by column name, streamed as
/// `[\n`, rows joined by `,\n` (each indented two spaces, written compactly), then `\n]\n`;
/// an empty table is `[\n]\n`. Number columns are written verbatim after checking the JSON
/// number grammar (throwing `TableError.invalidNumber` rather than emitting invalid JSON);
/// text columns become JSON strings; `nil` becomes `null`.
public final class JSONTableSink: TableSink {
    private let output: TextOutput
    private let document: [(key: String, value: JSONValue)]?
    private var state = TableSinkState()

    /// - Parameter document: when given, the rows are the member `rows` of an object whose
    ///   first members these are (a result document with its stamp); otherwise a bare array.
    public init(output: @escaping TextOutput, document: [(key: String, value: JSONValue)]? = nil) {
        self.output = output
        self.document = document
    }

    /// The members that write `text`, a JSON number, as the member `name` under the JSON
    /// contract (docs/json.md): the number itself, or — for a number no double holds (6.5e-628
    /// reads as 0) — null, with its digits and order of magnitude beside it.
    /// - Throws: `TableError.invalidNumber` when `text` is not a JSON number.
    public static func numberMembers(_ name: String, _ text: String, row: Int = 1) throws -> [(key: String, value: JSONValue)] {
        guard isValidJSONNumber(text) else { throw TableError.invalidNumber(column: name, text: text, row: row) }
        guard DecimalText.nearestDouble(text) == nil, let log10 = DecimalText.log10Magnitude(text) else { return [(name, .number(text))] }
        return [(name, .null), (name + "_decimal", .string(text)), (name + "_log10", .number(DecimalText.shortest(log10)))]
    }

    private var indent: String { document == nil ? "  " : "    " }

    public func begin(columns: [TableColumn]) throws {
        try state.begin(columns)
        if let document {
            let head = document.map { "  \(JSONValue.string($0.key).serialized()): \($0.value.serialized())," }.joined(separator: "\n")
            try output("{\n" + head + "\n  \"rows\": [\n")
        } else {
            try output("[\n")
        }
    }

    public func row(_ cells: [String?]) throws {
        let rowNumber = try state.acceptRow(cells)
        var members: [(key: String, value: JSONValue)] = []
        members.reserveCapacity(cells.count)
        for (column, cell) in zip(state.columns, cells) {
            switch (cell, column.content) {
            case (nil, _): members.append((column.name, .null))
            case (let text?, .text): members.append((column.name, .string(text)))
            case (let text?, .number): members += try Self.numberMembers(column.name, text, row: rowNumber)
            }
        }
        try output((rowNumber > 1 ? ",\n" + indent : indent) + JSONValue.object(members).serialized())
    }

    public func end() throws {
        try state.end()
        let close = document == nil ? "]\n" : "  ]\n}\n"
        try output(state.rowsWritten > 0 ? "\n" + close : close)
    }
}

/// A booktabs `tabular` for papers (needs `\usepackage{booktabs}`):
///
///     \begin{tabular}{l r}
///     \toprule
///     name & value \\
///     \midrule
///     relu & $1.2\times10^{-5}$ \\
///     \bottomrule
///     \end{tabular}
///
/// Text is escaped by `latexEscaped(_:)`. Number-column cells that are JSON number text
/// are typeset by `latexNumber(_:)`; other number-column cells (e.g. `inf`) are escaped as
/// text. `nil` renders as `--` (an en dash).
public final class LaTeXTableSink: TableSink {
    private let output: TextOutput
    private var state = TableSinkState()

    public init(output: @escaping TextOutput) { self.output = output }

    public func begin(columns: [TableColumn]) throws {
        try state.begin(columns)
        let spec = columns.map { $0.alignment == .left ? "l" : "r" }.joined(separator: " ")
        try output("\\begin{tabular}{\(spec)}\n\\toprule\n")
        try output(columns.map { $0.latexHeader ?? latexEscaped($0.name) }.joined(separator: " & ") + " \\\\\n\\midrule\n")
    }

    public func row(_ cells: [String?]) throws {
        _ = try state.acceptRow(cells)
        let rendered = zip(state.columns, cells).map { column, cell -> String in
            guard let cell else { return "--" }
            if column.content == .number, isValidJSONNumber(cell) { return latexNumber(cell) }
            return latexEscaped(cell)
        }
        try output(rendered.joined(separator: " & ") + " \\\\\n")
    }

    public func end() throws {
        try state.end()
        try output("\\bottomrule\n\\end{tabular}\n")
    }
}

/// `text` with LaTeX's special characters made literal: `_ % & # $ { }` get a backslash,
/// and `\ ~ ^` become `\textbackslash{}`, `\textasciitilde{}`, `\textasciicircum{}`.
public func latexEscaped(_ text: String) -> String {
    var output = ""
    output.reserveCapacity(text.utf8.count)
    for character in text {
        switch character {
        case "_", "%", "&", "#", "$", "{", "}": output += "\\" + String(character)
        case "\\": output += "\\textbackslash{}"
        case "~": output += "\\textasciitilde{}"
        case "^": output += "\\textasciicircum{}"
        default: output.append(character)
        }
    }
    return output
}

/// Typesets JSON number text for LaTeX. With an exponent, `1.2e-05` becomes
/// `$1.2\times10^{-5}$` (exponent sign `+` and leading zeros dropped; `1e3` → `$1\times10^{3}$`);
/// without one the text is returned unchanged, except that a leading minus is put in math
/// mode (`$-0.5$`) so it prints as a minus rather than a hyphen.
/// Precondition: `isValidJSONNumber(number)`.
public func latexNumber(_ number: String) -> String {
    guard let exponentMarker = number.firstIndex(where: { $0 == "e" || $0 == "E" }) else {
        return number.hasPrefix("-") ? "$\(number)$" : number
    }
    let mantissa = number[..<exponentMarker]
    var exponent = number[number.index(after: exponentMarker)...]
    var negative = false
    if exponent.first == "+" || exponent.first == "-" {
        negative = exponent.first == "-"
        exponent = exponent.dropFirst()
    }
    let digits = exponent.drop(while: { $0 == "0" })
    let exponentText = digits.isEmpty ? "0" : (negative ? "-" : "") + digits
    return "$\(mantissa)\\times10^{\(exponentText)}$"
}
