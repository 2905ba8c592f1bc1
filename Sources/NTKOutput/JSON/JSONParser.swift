/// A malformed-JSON report that points at the offending character.
public struct JSONParseError: Error, CustomStringConvertible, Equatable {
    /// 1-based line number; lines are separated by LF.
    public let line: Int
    /// 1-based column, counted in Unicode scalars from the start of the line.
    public let column: Int
    public let reason: String

    public init(line: Int, column: Int, reason: String) {
        self.line = line
        self.column = column
        self.reason = reason
    }

    public var description: String { "JSON error at line \(line), column \(column): \(reason)" }
}

/// Strict RFC 8259 parser producing `JSONValue`.
///
/// Contract: accepts exactly one JSON value surrounded by optional whitespace; rejects
/// everything else (trailing commas, comments, single quotes, leading zeros, `NaN`, raw
/// control characters in strings, lone surrogate escapes, duplicate object keys, trailing
/// text) by throwing `JSONParseError`. Never traps on any input. Nesting deeper than
/// `maximumDepth` is rejected; the parser keeps its own container stack instead of
/// recursing, so depth never threatens the thread's stack.
public struct JSONParser {
    /// Default nesting limit: far beyond any shard file, small enough to bound memory per level.
    public static let defaultMaximumDepth = 512

    public let maximumDepth: Int

    public init(maximumDepth: Int = JSONParser.defaultMaximumDepth) {
        self.maximumDepth = maximumDepth
    }

    /// Parses `text` into a `JSONValue`. Number text is kept verbatim.
    /// - Throws: `JSONParseError` naming the line and column where parsing failed.
    public func parse(_ text: String) throws -> JSONValue {
        var cursor = Cursor(bytes: Array(text.utf8))
        return try cursor.parseDocument(maximumDepth: maximumDepth)
    }
}

private enum OpenContainer {
    case array([JSONValue])
    case object(members: [(key: String, value: JSONValue)], seenKeys: Set<String>, pendingKey: String)
}

private struct Cursor {
    let bytes: [UInt8]
    var position = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    var peek: UInt8? { position < bytes.count ? bytes[position] : nil }

    mutating func parseDocument(maximumDepth: Int) throws -> JSONValue {
        var stack: [OpenContainer] = []
        skipWhitespace()
        while true {
            // Either read a scalar, or open a container and loop to read its first element.
            var value: JSONValue
            guard let byte = peek else { throw error("unexpected end of input, expected a value") }
            switch byte {
            case UInt8(ascii: "["):
                try checkDepth(stack.count, maximumDepth)
                position += 1
                skipWhitespace()
                if peek == UInt8(ascii: "]") {
                    position += 1
                    value = .array([])
                } else {
                    stack.append(.array([]))
                    continue
                }
            case UInt8(ascii: "{"):
                try checkDepth(stack.count, maximumDepth)
                position += 1
                skipWhitespace()
                if peek == UInt8(ascii: "}") {
                    position += 1
                    value = .object([])
                } else {
                    let key = try parseMemberKey(seenKeys: [])
                    stack.append(.object(members: [], seenKeys: [key], pendingKey: key))
                    continue
                }
            case UInt8(ascii: "\""):
                value = .string(try parseString())
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                value = .number(try parseNumber())
            case UInt8(ascii: "t"): try expectLiteral("true"); value = .bool(true)
            case UInt8(ascii: "f"): try expectLiteral("false"); value = .bool(false)
            case UInt8(ascii: "n"): try expectLiteral("null"); value = .null
            default:
                throw error("unexpected character \(describe(byte)), expected a value")
            }

            // Attach the finished value to its parent; keep closing parents that end here.
            while true {
                guard let parent = stack.popLast() else {
                    skipWhitespace()
                    if let extra = peek { throw error("unexpected \(describe(extra)) after the JSON value") }
                    return value
                }
                skipWhitespace()
                switch parent {
                case .array(var elements):
                    elements.append(value)
                    if peek == UInt8(ascii: ",") {
                        position += 1
                        skipWhitespace()
                        stack.append(.array(elements))
                    } else if peek == UInt8(ascii: "]") {
                        position += 1
                        value = .array(elements)
                        continue
                    } else {
                        throw error(peek.map { "unexpected \(describe($0)) in array, expected ',' or ']'" }
                            ?? "unexpected end of input in array, expected ',' or ']'")
                    }
                case .object(var members, var seenKeys, let pendingKey):
                    members.append((key: pendingKey, value: value))
                    if peek == UInt8(ascii: ",") {
                        position += 1
                        skipWhitespace()
                        let key = try parseMemberKey(seenKeys: seenKeys)
                        seenKeys.insert(key)
                        stack.append(.object(members: members, seenKeys: seenKeys, pendingKey: key))
                    } else if peek == UInt8(ascii: "}") {
                        position += 1
                        value = .object(members)
                        continue
                    } else {
                        throw error(peek.map { "unexpected \(describe($0)) in object, expected ',' or '}'" }
                            ?? "unexpected end of input in object, expected ',' or '}'")
                    }
                }
                break
            }
        }
    }

    private func checkDepth(_ openContainers: Int, _ maximumDepth: Int) throws {
        if openContainers >= maximumDepth {
            throw error("nesting deeper than \(maximumDepth) levels")
        }
    }

    /// Reads `"key"` `:` and the whitespace after it, leaving the cursor on the member's value.
    private mutating func parseMemberKey(seenKeys: Set<String>) throws -> String {
        guard peek == UInt8(ascii: "\"") else {
            throw error(peek.map { "unexpected \(describe($0)), expected a string object key" }
                ?? "unexpected end of input, expected a string object key")
        }
        let keyStart = position
        let key = try parseString()
        if seenKeys.contains(key) {
            throw error("duplicate object key \(jsonQuoted(key))", at: keyStart)
        }
        skipWhitespace()
        guard peek == UInt8(ascii: ":") else {
            throw error(peek.map { "unexpected \(describe($0)) after object key, expected ':'" }
                ?? "unexpected end of input after object key, expected ':'")
        }
        position += 1
        skipWhitespace()
        return key
    }

    private mutating func parseNumber() throws -> String {
        var scanner = JSONNumberScanner(bytes: bytes, start: position)
        guard let end = scanner.scan() else {
            throw error("malformed number", at: max(scanner.position, position))
        }
        let text = String(decoding: bytes[position..<end], as: UTF8.self)
        position = end
        return text
    }

    private mutating func expectLiteral(_ literal: String) throws {
        let start = position
        for expected in literal.utf8 {
            guard peek == expected else {
                throw error("invalid literal, expected '\(literal)'", at: start)
            }
            position += 1
        }
    }

    private mutating func parseString() throws -> String {
        position += 1  // opening quote
        var utf8: [UInt8] = []
        while true {
            guard let byte = peek else { throw error("unterminated string") }
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                // Input came from a Swift String, so the bytes between quotes are valid UTF-8.
                return String(decoding: utf8, as: UTF8.self)
            case UInt8(ascii: "\\"):
                position += 1
                guard let escape = peek else { throw error("unterminated string") }
                position += 1
                switch escape {
                case UInt8(ascii: "\""): utf8.append(UInt8(ascii: "\""))
                case UInt8(ascii: "\\"): utf8.append(UInt8(ascii: "\\"))
                case UInt8(ascii: "/"): utf8.append(UInt8(ascii: "/"))
                case UInt8(ascii: "b"): utf8.append(0x08)
                case UInt8(ascii: "f"): utf8.append(0x0C)
                case UInt8(ascii: "n"): utf8.append(0x0A)
                case UInt8(ascii: "r"): utf8.append(0x0D)
                case UInt8(ascii: "t"): utf8.append(0x09)
                case UInt8(ascii: "u"):
                    let scalar = try parseUnicodeEscape()
                    utf8.append(contentsOf: Array(String(Character(scalar)).utf8))
                default:
                    throw error("invalid escape '\\\(describeRaw(escape))'", at: position - 2)
                }
            case 0x00..<0x20:
                throw error("raw control character \(describe(byte)) in string; it must be escaped")
            default:
                utf8.append(byte)
                position += 1
            }
        }
    }

    /// Called just after `\u`; combines a surrogate pair into one scalar.
    private mutating func parseUnicodeEscape() throws -> Unicode.Scalar {
        let escapeStart = position - 2
        let first = try parseHex4()
        if (0xD800...0xDBFF).contains(first) {
            guard peek == UInt8(ascii: "\\"), position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: "u") else {
                throw error("high surrogate \\u\(hex(first)) not followed by a low surrogate", at: escapeStart)
            }
            position += 2
            let second = try parseHex4()
            guard (0xDC00...0xDFFF).contains(second) else {
                throw error("high surrogate \\u\(hex(first)) followed by \\u\(hex(second)), not a low surrogate", at: escapeStart)
            }
            let combined = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            return Unicode.Scalar(combined)!  // always in 0x10000...0x10FFFF
        }
        guard let scalar = Unicode.Scalar(first) else {
            throw error("lone low surrogate \\u\(hex(first))", at: escapeStart)
        }
        return scalar
    }

    private mutating func parseHex4() throws -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = peek, let digit = hexDigitValue(byte) else {
                throw error("expected four hex digits after \\u")
            }
            value = value * 16 + digit
            position += 1
        }
        return value
    }

    private func hexDigitValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(byte - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }

    private func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    private mutating func skipWhitespace() {
        while let byte = peek, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 {
            position += 1
        }
    }

    private func describe(_ byte: UInt8) -> String {
        if byte < 0x20 || byte == 0x7F { return "U+" + hex(UInt32(byte)) }
        if byte >= 0x80 { return "non-ASCII character" }
        return "'\(describeRaw(byte))'"
    }

    private func describeRaw(_ byte: UInt8) -> String {
        byte >= 0x20 && byte < 0x7F ? String(UnicodeScalar(byte)) : "U+" + hex(UInt32(byte))
    }

    private func error(_ reason: String) -> JSONParseError { error(reason, at: position) }

    private func error(_ reason: String, at offset: Int) -> JSONParseError {
        var line = 1
        var column = 1
        for byte in bytes[0..<min(offset, bytes.count)] {
            if byte == 0x0A {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {  // count scalars, not UTF-8 continuation bytes
                column += 1
            }
        }
        return JSONParseError(line: line, column: column, reason: reason)
    }
}
