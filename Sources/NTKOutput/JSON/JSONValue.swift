/// A JSON document tree whose numbers are kept as the caller's preformatted text.
///
/// Numbers are strings because the values come from arbitrary-precision arithmetic:
/// converting them to `Double` on the way out would silently drop digits.
/// Object members keep their insertion order so output is deterministic and diffable.
public enum JSONValue: Sendable {
    case null
    case bool(Bool)
    /// JSON number text emitted verbatim. The caller guarantees it satisfies the JSON
    /// number grammar; use `JSONValue.number(validating:)` when that is not already known.
    case number(String)
    case string(String)
    case array([JSONValue])
    /// Members in output order. Duplicate keys are representable but never produced by
    /// `JSONParser`, which rejects them.
    case object([(key: String, value: JSONValue)])

    /// Returns `.number(text)` after checking `text` against the JSON number grammar.
    /// - Throws: `JSONNumberError` when `text` is not a JSON number (e.g. `"1."`, `"NaN"`, `"+1"`).
    public static func number(validating text: String) throws -> JSONValue {
        guard isValidJSONNumber(text) else { throw JSONNumberError(text: text) }
        return .number(text)
    }

    /// The value of the first member named `key` when `self` is an object; otherwise nil.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first(where: { $0.key == key })?.value
    }

    /// The elements when `self` is an array; otherwise nil.
    public var arrayValue: [JSONValue]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    /// The text when `self` is a string; otherwise nil.
    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// The value when `self` is `true` or `false`; otherwise nil.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The verbatim number text when `self` is a number; otherwise nil.
    public var numberText: String? {
        if case .number(let text) = self { return text }
        return nil
    }
}

extension JSONValue: Equatable {
    /// Structural equality; object members must match in order, and numbers compare
    /// by text (`"1.0"` ≠ `"1"`), because text is what gets written.
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.number(let a), .number(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: return false
        }
    }
}

/// Thrown by `JSONValue.number(validating:)`.
public struct JSONNumberError: Error, CustomStringConvertible {
    public let text: String
    public var description: String { "not a JSON number: \"\(text)\"" }
}

/// True when `text` matches the JSON number grammar of RFC 8259:
/// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?` with nothing before or after.
public func isValidJSONNumber(_ text: String) -> Bool {
    var scanner = JSONNumberScanner(bytes: Array(text.utf8), start: 0)
    return scanner.scan() == text.utf8.count
}

/// Recognises the longest JSON number prefix starting at `start`; shared with the parser
/// so validation and parsing can never disagree about the grammar.
struct JSONNumberScanner {
    let bytes: [UInt8]
    var position: Int

    init(bytes: [UInt8], start: Int) {
        self.bytes = bytes
        self.position = start
    }

    /// Returns the end offset of a well-formed number, or nil if the text at `start` is not one.
    mutating func scan() -> Int? {
        if peek == UInt8(ascii: "-") { position += 1 }
        guard let first = peek, isDigit(first) else { return nil }
        position += 1
        if first != UInt8(ascii: "0") { skipDigits() }
        if peek == UInt8(ascii: ".") {
            position += 1
            guard let digit = peek, isDigit(digit) else { return nil }
            skipDigits()
        }
        if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
            position += 1
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { position += 1 }
            guard let digit = peek, isDigit(digit) else { return nil }
            skipDigits()
        }
        return position
    }

    private var peek: UInt8? { position < bytes.count ? bytes[position] : nil }
    private mutating func skipDigits() {
        while let byte = peek, isDigit(byte) { position += 1 }
    }
    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
}

// MARK: - Serialization

extension JSONValue {
    /// Deterministic JSON text for this value, without a trailing newline.
    ///
    /// - Parameter pretty: false gives the compact form (`{"a":[1,2]}`); true puts each
    ///   array element and object member on its own line, indented by two spaces per level,
    ///   with `": "` after keys. Empty containers are always written as `[]` and `{}`.
    /// Number text is written verbatim; strings are escaped by `jsonQuoted(_:)`.
    public func serialized(pretty: Bool = false) -> String {
        var output = ""
        write(to: &output, pretty: pretty, depth: 0)
        return output
    }

    private func write(to output: inout String, pretty: Bool, depth: Int) {
        switch self {
        case .null: output += "null"
        case .bool(let flag): output += flag ? "true" : "false"
        case .number(let text): output += text
        case .string(let text): output += jsonQuoted(text)
        case .array(let elements):
            guard !elements.isEmpty else { output += "[]"; return }
            output += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { output += "," }
                if pretty { newline(&output, depth: depth + 1) }
                element.write(to: &output, pretty: pretty, depth: depth + 1)
            }
            if pretty { newline(&output, depth: depth) }
            output += "]"
        case .object(let members):
            guard !members.isEmpty else { output += "{}"; return }
            output += "{"
            for (index, member) in members.enumerated() {
                if index > 0 { output += "," }
                if pretty { newline(&output, depth: depth + 1) }
                output += jsonQuoted(member.key)
                output += pretty ? ": " : ":"
                member.value.write(to: &output, pretty: pretty, depth: depth + 1)
            }
            if pretty { newline(&output, depth: depth) }
            output += "}"
        }
    }

    private func newline(_ output: inout String, depth: Int) {
        output += "\n"
        output += String(repeating: "  ", count: depth)
    }
}

/// `text` as a JSON string literal, quotes included.
///
/// Escapes `"` and `\`, writes U+0008/09/0A/0C/0D as `\b \t \n \f \r`, other control
/// characters below U+0020 as `\u00XX`, and passes every other scalar (including non-ASCII
/// and U+007F) through unchanged, since the output is UTF-8.
public func jsonQuoted(_ text: String) -> String {
    var output = "\""
    output.reserveCapacity(text.utf8.count + 2)
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": output += "\\\""
        case "\\": output += "\\\\"
        case "\u{08}": output += "\\b"
        case "\u{0C}": output += "\\f"
        case "\n": output += "\\n"
        case "\r": output += "\\r"
        case "\t": output += "\\t"
        case let control where control.value < 0x20:
            let hex = String(control.value, radix: 16, uppercase: true)
            output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        default:
            output.unicodeScalars.append(scalar)
        }
    }
    output += "\""
    return output
}
