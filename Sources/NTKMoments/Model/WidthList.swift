/// Parses the compact width notation n₀, n₁, …, n_{L−1} used on the command line and in
/// width files:
///
///     784,100x49,10        784, then 49 layers of width 100, then 10
///     3,(100,101)x1000     3, then 1000 repetitions of the group 100,101
///
/// Grammar (white space is allowed anywhere between tokens, so files may use newlines):
///     list  := item (',' item)*
///     item  := atom ('x' count)?
///     atom  := integer | '(' list ')'
/// The first width is the input dimension n₀; a repeat count may be 0 only inside the
/// hidden part. The result is returned as runs, so `100x1000000000` costs nothing.
public enum WidthList {
    public struct ParseError: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// Upper limit on the number of runs after expanding groups (memory guard).
    public static let maximumRuns = 5_000_000

    /// The contents of a width file: the same notation, but items may also be separated by
    /// white space alone (one width per line), and `#` starts a comment that runs to the end
    /// of the line.
    public static func parseFile(_ text: String) throws -> (inputDimension: Int, hiddenRuns: [WidthRun]) {
        // Drop every '#' … up to (not including) the next newline, byte by byte: one pass,
        // no string per line (files of 10^5–10^6 widths are common).
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var inComment = false
        for byte in text.utf8 {
            if byte == UInt8(ascii: "\n") { inComment = false } else if byte == UInt8(ascii: "#") { inComment = true }
            if !inComment { bytes.append(byte) }
        }
        return try parse(String(decoding: bytes, as: UTF8.self), whiteSpaceSeparates: true)
    }

    public static func parse(_ text: String) throws -> (inputDimension: Int, hiddenRuns: [WidthRun]) {
        try parse(text, whiteSpaceSeparates: false)
    }

    static func parse(_ text: String, whiteSpaceSeparates: Bool) throws -> (inputDimension: Int, hiddenRuns: [WidthRun]) {
        var parser = Parser(bytes: Array(text.utf8), source: text, whiteSpaceSeparates: whiteSpaceSeparates)
        let runs = try parser.parseList()
        parser.skipSpace()
        guard parser.index == parser.bytes.count else { throw parser.error("unexpected '\(parser.currentCharacter)'") }
        guard let first = runs.first else { throw ParseError(description: "the width list is empty") }
        var hidden = runs
        if first.count == 1 {
            hidden.removeFirst()
        } else if first.count > 1 {
            hidden[0].count -= 1
        } else {
            throw ParseError(description: "the width list '\(text)' has no input dimension (first width repeated 0 times)")
        }
        return (first.width, hidden)
    }

    struct Parser {
        let bytes: [UInt8]
        let source: String
        var index = 0
        /// Width files: white space between two items separates them like a comma.
        var whiteSpaceSeparates = false

        var currentCharacter: String {
            index < bytes.count ? String(decoding: [bytes[index]], as: UTF8.self) : "end of input"
        }

        func error(_ message: String) -> ParseError {
            let shown = source.count > 60 ? String(source.prefix(57)) + "..." : source
            return ParseError(description: "width list '\(shown)': \(message) at character \(index + 1); expected e.g. 784,100x49,10 or 3,(100,101)x1000")
        }

        mutating func skipSpace() {
            while index < bytes.count, [9, 10, 13, 32].contains(bytes[index]) { index += 1 }
        }

        mutating func parseInteger(what: String) throws -> Int {
            skipSpace()
            let start = index
            var value = 0
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                let (product, o1) = value.multipliedReportingOverflow(by: 10)
                let (sum, o2) = product.addingReportingOverflow(Int(bytes[index] - 48))
                guard !o1, !o2, sum <= Architecture.maximumWidth else { throw error("\(what) too large (limit 2^50)") }
                value = sum
                index += 1
            }
            guard index > start else { throw error("expected a \(what)") }
            return value
        }

        mutating func parseList() throws -> [WidthRun] {
            var runs: [WidthRun] = []
            repeat {
                let item = try parseItem()
                for run in item {
                    if let last = runs.last, last.width == run.width {
                        runs[runs.count - 1].count += run.count
                    } else {
                        runs.append(run)
                    }
                }
                guard runs.count <= WidthList.maximumRuns else { throw error("more than \(WidthList.maximumRuns) runs after expanding groups") }
                skipSpace()
                if index < bytes.count, bytes[index] == UInt8(ascii: ",") {
                    index += 1
                } else if whiteSpaceSeparates, index > 0, [9, 10, 13, 32].contains(bytes[index - 1]), index < bytes.count,
                          bytes[index] == UInt8(ascii: "(") || (bytes[index] >= 48 && bytes[index] <= 57) {
                    continue  // white space alone separates items in a file
                } else {
                    break
                }
            } while true
            return runs
        }

        mutating func parseItem() throws -> [WidthRun] {
            skipSpace()
            var atom: [WidthRun]
            if index < bytes.count, bytes[index] == UInt8(ascii: "(") {
                index += 1
                atom = try parseList()
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ")") else { throw error("missing ')'") }
                index += 1
            } else {
                let width = try parseInteger(what: "width")
                guard width >= 1 else { throw error("width 0 is not allowed (widths are positive integers)") }
                atom = [WidthRun(width: width, count: 1)]
            }
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "x") || bytes[index] == UInt8(ascii: "X") {
                index += 1
                let count = try parseInteger(what: "repeat count")
                if atom.count == 1 {
                    let (c, overflow) = atom[0].count.multipliedReportingOverflow(by: count)
                    guard !overflow, c < Architecture.maximumDepth else { throw error("too many layers (limit 2^50)") }
                    atom[0].count = c
                } else {
                    guard atom.count.multipliedReportingOverflow(by: count).partialValue <= WidthList.maximumRuns,
                          !atom.count.multipliedReportingOverflow(by: count).overflow else {
                        throw error("group repeated into more than \(WidthList.maximumRuns) runs")
                    }
                    var expanded: [WidthRun] = []
                    expanded.reserveCapacity(atom.count * count)
                    for _ in 0..<count { expanded.append(contentsOf: atom) }
                    atom = expanded
                }
            }
            return atom
        }
    }
}
