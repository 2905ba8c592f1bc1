/// Why a piece of text could not be read as a number.
///
/// Every parser in this module throws this error instead of trapping, and its message
/// always quotes the offending text, so a command-line front end can show it verbatim.
public struct NumberParsingError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Reason: Equatable, Sendable {
        case empty
        case malformed
        case zeroDenominator
        case exponentOutOfRange(limit: Int)
        case notFinite
    }

    public let text: String
    public let reason: Reason

    public init(text: String, reason: Reason) {
        self.text = text
        self.reason = reason
    }

    public var description: String {
        let quoted = "'\(text)'"
        switch reason {
        case .empty: return "empty number"
        case .malformed:
            return "\(quoted) is not a number (expected an integer, a decimal such as 2.5 or 1e-3, or a fraction p/q)"
        case .zeroDenominator: return "\(quoted) has a zero denominator"
        case .exponentOutOfRange(let limit): return "\(quoted) has a decimal exponent beyond ±\(limit)"
        case .notFinite: return "\(quoted) is not a finite number"
        }
    }
}
