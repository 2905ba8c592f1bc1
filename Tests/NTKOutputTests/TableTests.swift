import Testing
import NTKOutput

/// Collects a sink's output so tests can compare it with hand-written text.
final class TextBuffer {
    var text = ""
    var chunks = 0
    func append(_ chunk: String) {
        text += chunk
        chunks += 1
    }
}

/// Two rows, three columns: a text column whose second cell overflows nothing but needs
/// LaTeX escaping, a narrow number column, and a number column with a width hint, a
/// scientific-notation value and a missing value.
let sampleColumns = [
    TableColumn.text("name", widthHint: 6),
    TableColumn.number("depth"),
    TableColumn.number("moment", widthHint: 10),
]
let sampleRows: [[String?]] = [
    ["relu", "1", "1.2e-05"],
    ["tanh_x", "12", nil],
]

func render(_ format: TableFormat, columns: [TableColumn] = sampleColumns, rows: [[String?]] = sampleRows) throws -> String {
    let buffer = TextBuffer()
    let sink = format.makeSink(writingTo: buffer.append)
    try sink.begin(columns: columns)
    for row in rows { try sink.row(row) }
    try sink.end()
    return buffer.text
}

@Suite struct TableFormatOutputTests {
    @Test func text() throws {
        #expect(try render(.text) == """
            name    depth      moment
            ------  -----  ----------
            relu        1     1.2e-05
            tanh_x     12           -

            """)
    }

    @Test func textLetsLongCellsPushRight() throws {
        let output = try render(.text, rows: [["a_very_long_name", "1", "2"]])
        #expect(output.hasSuffix("a_very_long_name      1           2\n"))
    }

    @Test func markdown() throws {
        #expect(try render(.markdown) == """
            | name   | depth |     moment |
            | ------ | ----: | ---------: |
            | relu   |     1 |    1.2e-05 |
            | tanh_x |    12 |            |

            """)
    }

    @Test func csv() throws {
        #expect(try render(.csv) == "name,depth,moment\nrelu,1,1.2e-05\ntanh_x,12,\n")
    }

    @Test func json() throws {
        #expect(try render(.json) == """
            [
              {"name":"relu","depth":1,"moment":1.2e-05},
              {"name":"tanh_x","depth":12,"moment":null}
            ]

            """)
    }

    @Test func latex() throws {
        #expect(try render(.latex) == #"""
            \begin{tabular}{l r r}
            \toprule
            name & depth & moment \\
            \midrule
            relu & 1 & $1.2\times10^{-5}$ \\
            tanh\_x & 12 & -- \\
            \bottomrule
            \end{tabular}

            """#)
    }

    @Test func jsonOutputOfAnEmptyTableIsAnEmptyArray() throws {
        let output = try render(.json, rows: [])
        #expect(output == "[\n]\n")
        #expect(try JSONParser().parse(output) == .array([]))
    }

    @Test func jsonOutputParsesAsRowObjects() throws {
        let parsed = try JSONParser().parse(try render(.json))
        #expect(parsed.arrayValue?.count == 2)
        #expect(parsed.arrayValue?[1]["name"] == .string("tanh_x"))
        #expect(parsed.arrayValue?[1]["moment"] == .null)
        #expect(parsed.arrayValue?[0]["moment"] == .number("1.2e-05"))
    }

    @Test("JSON: a number no double holds is null, with its digits and log10 (docs/json.md)",
          arguments: ["6.49592e-628", "1e400", "-2.5e-310", "1.2e+176097"])
    func jsonNumberOutsideDoubleRange(text: String) throws {
        let parsed = try JSONParser().parse(try render(.json, rows: [["x", "1", text]]))
        let row = try #require(parsed.arrayValue?.first)
        #expect(row["moment"] == .null)
        #expect(row["moment_decimal"] == .string(text))
        let log10 = try #require(row["moment_log10"]?.numberText.flatMap(Double.init))
        #expect(abs(log10 - (DecimalText.log10Magnitude(text) ?? .nan)) < 1e-12 && abs(log10) > 300)
    }

    @Test("JSON: numbers in double range, and zero, are written verbatim", arguments: ["0", "-0.0", "2.2250738585072014e-308", "1.7976931348623157e308", "0.1"])
    func jsonNumberInDoubleRange(text: String) throws {
        let parsed = try JSONParser().parse(try render(.json, rows: [["x", "1", text]]))
        #expect(parsed.arrayValue?.first?["moment"] == .number(text))
        #expect(parsed.arrayValue?.first?["moment_decimal"] == nil)
    }

    @Test func sinksWriteEachRowAsItArrivesRatherThanBufferingTheTable() throws {
        for format in TableFormat.allCases {
            let buffer = TextBuffer()
            let sink = format.makeSink(writingTo: buffer.append)
            try sink.begin(columns: sampleColumns)
            let afterHeader = buffer.text.count
            try sink.row(sampleRows[0])
            #expect(buffer.text.count > afterHeader, "\(format) held back a row")
        }
    }
}

@Suite struct TableEscapingTests {
    @Test func csvQuotesCommasQuotesAndLineBreaksOnly() {
        #expect(CSVTableSink.field("plain text") == "plain text")
        #expect(CSVTableSink.field("a,b") == "\"a,b\"")
        #expect(CSVTableSink.field("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(CSVTableSink.field("two\nlines") == "\"two\nlines\"")
        #expect(CSVTableSink.field("cr\rlf") == "\"cr\rlf\"")
        #expect(CSVTableSink.field("crlf\r\n") == "\"crlf\r\n\"")
        #expect(CSVTableSink.field("") == "")
    }

    @Test func csvRowsQuoteHeaderAndCellsAndHonourTheLineEnding() throws {
        let buffer = TextBuffer()
        let sink = CSVTableSink(output: buffer.append, lineEnding: "\r\n")
        try sink.begin(columns: [.text("a,b"), .text("c")])
        try sink.row(["x\"y", nil])
        try sink.end()
        #expect(buffer.text == "\"a,b\",c\r\n\"x\"\"y\",\r\n")
    }

    @Test func latexEscapesEverySpecialCharacter() {
        #expect(latexEscaped(##"a_b%c&d#e$f{g}h~i^j\k"##)
            == ##"a\_b\%c\&d\#e\$f\{g\}h\textasciitilde{}i\textasciicircum{}j\textbackslash{}k"##)
        #expect(latexEscaped("plain 1.5 é") == "plain 1.5 é")
    }

    @Test func latexNumbersUseTimesTenToThePower() {
        #expect(latexNumber("1.2e-05") == #"$1.2\times10^{-5}$"#)
        #expect(latexNumber("3E+10") == #"$3\times10^{10}$"#)
        #expect(latexNumber("-2.5e-3") == #"$-2.5\times10^{-3}$"#)
        #expect(latexNumber("7e000") == #"$7\times10^{0}$"#)
        #expect(latexNumber("0.5") == "0.5")
        #expect(latexNumber("-0.5") == "$-0.5$")
    }

    @Test func latexEscapesHeadersAndNonNumericCellsInNumberColumns() throws {
        let output = try render(.latex, columns: [.text("a&b"), .number("x_1")], rows: [["#1", "inf"]])
        #expect(output.contains(#"a\&b & x\_1 \\"#))
        #expect(output.contains(##"\#1 & inf \\"##))
    }

    @Test func markdownEscapesPipesAndLineBreaks() throws {
        let output = try render(.markdown, columns: [.text("a|b")], rows: [["x|y\nz"]])
        #expect(output == "| a\\|b |\n| ---- |\n| x\\|y<br>z |\n")
    }

    @Test func jsonRowsEscapeKeysAndStrings() throws {
        let output = try render(.json, columns: [.text("k\"ey")], rows: [["line\nbreak"]])
        #expect(output == "[\n  {\"k\\\"ey\":\"line\\nbreak\"}\n]\n")
    }
}

@Suite struct TableContractTests {
    @Test func formatsParseByName() throws {
        #expect(try TableFormat(parsing: "latex") == .latex)
        #expect(TableFormat.allCases.map(\.rawValue) == ["text", "markdown", "csv", "json", "latex"])
    }

    @Test func unknownFormatErrorListsTheAllowedNames() {
        #expect(throws: TableError.unknownFormat("html")) { try TableFormat(parsing: "html") }
        #expect(TableError.unknownFormat("html").description
            == #"unknown table format "html"; allowed: text, markdown, csv, json, latex"#)
    }

    @Test(arguments: TableFormat.allCases)
    func wrongCellCountThrows(_ format: TableFormat) throws {
        let sink = format.makeSink(writingTo: { _ in })
        try sink.begin(columns: sampleColumns)
        try sink.row(sampleRows[0])
        #expect(throws: TableError.cellCount(expected: 3, got: 2, row: 2)) { try sink.row(["a", "1"]) }
    }

    @Test(arguments: TableFormat.allCases)
    func callsOutOfOrderThrow(_ format: TableFormat) throws {
        let sink = format.makeSink(writingTo: { _ in })
        #expect(throws: TableError.self) { try sink.row(["a"]) }
        #expect(throws: TableError.self) { try sink.end() }
        #expect(throws: TableError.self) { try sink.begin(columns: []) }
        try sink.begin(columns: [.text("a")])
        #expect(throws: TableError.self) { try sink.begin(columns: [.text("a")]) }
        try sink.end()
        #expect(throws: TableError.self) { try sink.row(["a"]) }
        #expect(throws: TableError.self) { try sink.end() }
    }

    @Test func jsonRefusesNumberCellsThatAreNotJSONNumbers() throws {
        let sink = JSONTableSink(output: { _ in })
        try sink.begin(columns: [.number("x")])
        #expect(throws: TableError.invalidNumber(column: "x", text: "NaN", row: 1)) { try sink.row(["NaN"]) }
    }

    struct DiskFull: Error, Equatable {}

    @Test func outputErrorsPropagateUnchanged() throws {
        let sink = TableFormat.csv.makeSink(writingTo: { _ in throw DiskFull() })
        #expect(throws: DiskFull()) { try sink.begin(columns: [.text("a")]) }
    }
}
