import Testing
import NTKOutput

@Suite struct JSONSerializationTests {
    let sample: JSONValue = .object([
        (key: "depth", value: .number("3")),
        (key: "moments", value: .array([.number("1.2e-05"), .number("-0.5"), .null])),
        (key: "label", value: .string("ReLU \"net\"")),
        (key: "exact", value: .bool(true)),
        (key: "empty", value: .object([])),
        (key: "none", value: .array([])),
    ])

    @Test func compactFormIsExact() {
        #expect(sample.serialized() ==
            #"{"depth":3,"moments":[1.2e-05,-0.5,null],"label":"ReLU \"net\"","exact":true,"empty":{},"none":[]}"#)
    }

    @Test func prettyFormIndentsTwoSpacesAndKeepsKeyOrder() {
        let expected = """
            {
              "depth": 3,
              "moments": [
                1.2e-05,
                -0.5,
                null
              ],
              "label": "ReLU \\"net\\"",
              "exact": true,
              "empty": {},
              "none": []
            }
            """
        #expect(sample.serialized(pretty: true) == expected)
    }

    @Test func prettyOutputParsesBackToTheSameValue() throws {
        let parsed = try JSONParser().parse(sample.serialized(pretty: true))
        #expect(parsed == sample)
        #expect(parsed.serialized() == sample.serialized())
    }

    @Test func numberTextIsKeptVerbatimThroughARoundTrip() throws {
        let digits = "3.14159265358979323846264338327950288419716939937510582097494459e-200"
        let parsed = try JSONParser().parse("[\(digits), 1.0, 1E+2]")
        #expect(parsed == .array([.number(digits), .number("1.0"), .number("1E+2")]))
        #expect(parsed.serialized() == "[\(digits),1.0,1E+2]")
    }

    @Test func stringEscapingCoversQuotesBackslashControlsAndPassesUnicodeThrough() {
        let text = "a\"b\\c/\n\r\t\u{08}\u{0C}\u{01}\u{1F}\u{7F}é😀\u{2028}"
        #expect(jsonQuoted(text) == "\"a\\\"b\\\\c/\\n\\r\\t\\b\\f\\u0001\\u001F\u{7F}é😀\u{2028}\"")
    }

    @Test func escapedStringsParseBackToTheOriginal() throws {
        let text = "a\"b\\c\n\u{01}é😀"
        #expect(try JSONParser().parse(jsonQuoted(text)) == .string(text))
        #expect(try JSONParser().parse(#""\u00e9\ud83d\ude00\/\b""#) == .string("é😀/\u{08}"))
    }

    @Test func accessorsReadObjectsArraysStringsAndNumbers() {
        #expect(sample["depth"]?.numberText == "3")
        #expect(sample["label"]?.stringValue == "ReLU \"net\"")
        #expect(sample["moments"]?.arrayValue?.count == 3)
        #expect(sample["missing"] == nil)
        #expect(JSONValue.string("x")["depth"] == nil)
    }

    @Test(arguments: ["0", "-0", "1", "-12", "0.5", "12.25", "1e5", "1E+5", "1.2e-05", "-0.0e0"])
    func validNumbersAreAccepted(_ text: String) throws {
        #expect(isValidJSONNumber(text))
        #expect(try JSONValue.number(validating: text) == .number(text))
    }

    @Test(arguments: ["", "-", "+1", "01", "1.", ".5", "1e", "1e+", "0x10", "NaN", "inf", "1 ", " 1", "1.2.3", "--1"])
    func invalidNumbersAreRejected(_ text: String) {
        #expect(!isValidJSONNumber(text))
        #expect(throws: JSONNumberError.self) { try JSONValue.number(validating: text) }
    }
}

@Suite struct JSONParserErrorTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let input: String
        let line: Int
        let column: Int
        let reasonFragment: String
        var testDescription: String { jsonQuoted(input) }
    }

    static let cases: [Case] = [
        Case(input: "", line: 1, column: 1, reasonFragment: "end of input"),
        Case(input: "   ", line: 1, column: 4, reasonFragment: "end of input"),
        Case(input: "[1,]", line: 1, column: 4, reasonFragment: "expected a value"),
        Case(input: "[1 2]", line: 1, column: 4, reasonFragment: "expected ',' or ']'"),
        Case(input: "{\"a\" 1}", line: 1, column: 6, reasonFragment: "expected ':'"),
        Case(input: "{\"a\":1,}", line: 1, column: 8, reasonFragment: "string object key"),
        Case(input: "{1:2}", line: 1, column: 2, reasonFragment: "string object key"),
        Case(input: "{\"a\":1 \"b\":2}", line: 1, column: 8, reasonFragment: "expected ',' or '}'"),
        Case(input: "{\"a\":1,\"a\":2}", line: 1, column: 8, reasonFragment: "duplicate object key"),
        Case(input: "01", line: 1, column: 2, reasonFragment: "after the JSON value"),
        Case(input: "1.", line: 1, column: 3, reasonFragment: "malformed number"),
        Case(input: "-", line: 1, column: 2, reasonFragment: "malformed number"),
        Case(input: "\"abc", line: 1, column: 5, reasonFragment: "unterminated string"),
        Case(input: "\"a\tb\"", line: 1, column: 3, reasonFragment: "raw control character"),
        Case(input: "\"\\x\"", line: 1, column: 2, reasonFragment: "invalid escape"),
        Case(input: "\"\\u12G4\"", line: 1, column: 6, reasonFragment: "four hex digits"),
        Case(input: "\"\\ud800\"", line: 1, column: 2, reasonFragment: "high surrogate"),
        Case(input: "\"\\ud800\\u0041\"", line: 1, column: 2, reasonFragment: "not a low surrogate"),
        Case(input: "\"\\udc00\"", line: 1, column: 2, reasonFragment: "lone low surrogate"),
        Case(input: "[\n  tru\n]", line: 2, column: 3, reasonFragment: "expected 'true'"),
        Case(input: "nul", line: 1, column: 1, reasonFragment: "expected 'null'"),
        Case(input: "[1] x", line: 1, column: 5, reasonFragment: "after the JSON value"),
        Case(input: "{\"é\":x}", line: 1, column: 6, reasonFragment: "expected a value"),
        Case(input: "[1,\n2,\n", line: 3, column: 1, reasonFragment: "end of input"),
        Case(input: "// comment\n1", line: 1, column: 1, reasonFragment: "expected a value"),
        Case(input: "'a'", line: 1, column: 1, reasonFragment: "expected a value"),
    ]

    @Test(arguments: cases)
    func malformedInputThrowsWithItsPosition(_ example: Case) {
        do {
            let value = try JSONParser().parse(example.input)
            Issue.record("parsed \(jsonQuoted(example.input)) as \(value.serialized())")
        } catch let error as JSONParseError {
            #expect(error.line == example.line)
            #expect(error.column == example.column)
            #expect(error.reason.contains(example.reasonFragment), "\(error)")
            #expect(error.description.hasPrefix("JSON error at line \(example.line), column \(example.column): "))
        } catch {
            Issue.record("unexpected error type: \(error)")
        }
    }

    @Test func nestingUpToTheCapParses() throws {
        let depth = JSONParser.defaultMaximumDepth
        let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        var value = try JSONParser().parse(text)
        var levels = 1
        while case .array(let elements) = value, let inner = elements.first {
            value = inner
            levels += 1
        }
        #expect(levels == depth)
    }

    @Test func nestingOneBeyondTheCapThrowsAtTheOffendingBracket() {
        let depth = JSONParser.defaultMaximumDepth + 1
        let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        #expect(throws: JSONParseError(line: 1, column: depth, reason: "nesting deeper than 512 levels")) {
            try JSONParser().parse(text)
        }
    }

    @Test func hugeNestingIsRejectedWithoutExhaustingTheStack() {
        let text = String(repeating: "{\"a\":[", count: 200_000)
        #expect(throws: JSONParseError.self) { try JSONParser().parse(text) }
    }

    @Test func aCustomDepthCapIsHonoured() throws {
        #expect(try JSONParser(maximumDepth: 2).parse("[[1]]") == .array([.array([.number("1")])]))
        #expect(throws: JSONParseError.self) { try JSONParser(maximumDepth: 2).parse("[[[1]]]") }
    }
}
