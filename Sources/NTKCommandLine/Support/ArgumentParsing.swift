import ArgumentParser
import Experiments
import Foundation
import NTKOutput
import Multiprecision
import NTKMoments

/// Reading numbers from flags, with messages that name the flag, quote the value and say
/// what is allowed.
enum Arguments {
    /// Numbers beyond 10^±digits would make every later step pointlessly expensive.
    static func checkMagnitude(_ value: BigRational, text: String, flag: String, digits: Int) throws {
        if !magnitudeFits(value, digits: digits) {
            throw UsageError("\(flag) \(quoted(text)) is too large or too finely divided (limit: about \(digits) digits in numerator and denominator)")
        }
    }

    /// True when numerator and denominator together hold at most about `digits` digits.
    static func magnitudeFits(_ value: BigRational, digits: Int) -> Bool {
        value.bitSize <= Int(Double(digits) * 3.33) + 64
    }

    /// The value in quotes, shortened to 60 characters. Long values keep their end, where a
    /// file path carries its name.
    static func quoted(_ text: String) -> String {
        var shown = text.count > 60 ? "..." + String(text.suffix(57)) : text
        shown = shown.replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\r", with: "\\r")
        return "'" + shown + "'"
    }
}

// MARK: - Typed argument values

/// An exact rational read from the command line: `2`, `5/2`, `2.5`, `1e-1` (decimal input is
/// taken exactly, never through a binary float). Range checks happen in each command's
/// `validate()`, so that a negative value is reported as out of range.
struct RationalArgument: ExpressibleByArgument, Sendable, CustomStringConvertible {
    let value: BigRational
    /// The text as given, for messages.
    let text: String

    init?(argument: String) {
        guard argument.count <= 1000, let v = try? BigRational(parsing: argument) else { return nil }
        value = v
        text = argument
    }

    init(_ value: BigRational) {
        self.value = value
        text = value.displayText
    }

    init(_ value: Int) { self.init(BigRational(value)) }

    var description: String { text }
    var defaultValueDescription: String { text }
}

/// A whole number that may be written in scientific notation (`1000`, `1e3`, `2.5e3`), but
/// must be an integer (`1.5` is refused). Range checks happen in `validate()`.
struct IntegerArgument: ExpressibleByArgument, Sendable, CustomStringConvertible {
    /// The integer exactly (seeds go up to 2^64 − 1, beyond `Int`).
    let exact: BigRational
    let text: String

    init?(argument: String) {
        let trimmed = argument.trimmingCharacters(in: .whitespaces)
        guard trimmed.range(of: #"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$"#, options: .regularExpression) != nil,
              trimmed.count <= 60, let r = try? BigRational(parsing: trimmed), r.isInteger else { return nil }
        exact = r
        text = argument
    }

    init(_ value: Int) {
        exact = BigRational(value)
        text = "\(value)"
    }

    /// The value as an `Int`, saturated at the ends of its range (check first).
    var value: Int { exact.exactInt ?? (exact.signum > 0 ? Int.max : Int.min) }

    /// The value when it lies in `range`.
    func value(in range: ClosedRange<Int>) -> Int? {
        guard exact.bitSize <= 128, let v = exact.exactInt, range.contains(v) else { return nil }
        return v
    }

    var description: String { text }
    var defaultValueDescription: String { text }

    /// Throws a one-line message unless the value lies in `range`.
    func check(_ flag: String, _ range: ClosedRange<Int>) throws {
        guard value(in: range) != nil else {
            throw ValidationError("\(flag) \(Arguments.quoted(text)) is out of range: an integer from \(range.lowerBound) to \(range.upperBound)")
        }
    }
}

extension RationalArgument {
    var doubleValue: Double { BigFloat(value, precision: 53).doubleValue() }

    /// `checkPositive` for `--max-seconds`, which every command bounds at a year
    /// (`RunTimeLimit.maximumSeconds`).
    func checkMaxSeconds() throws {
        try checkPositive("--max-seconds", maximum: BigRational(exactly: RunTimeLimit.maximumSeconds)!, maximumMagnitudeDigits: 12)
    }

    /// Throws a one-line message unless 0 < value (≤ `maximum`), with at most about
    /// `maximumMagnitudeDigits` digits in numerator and denominator.
    func checkPositive(_ flag: String, maximum: BigRational? = nil, maximumMagnitudeDigits: Int = 1000) throws {
        guard value.signum > 0 else {
            throw ValidationError("\(flag) \(Arguments.quoted(text)) is out of range: must be positive; allowed: a positive number such as 2, 5/2, 2.5 or 1e-1")
        }
        try Arguments.checkMagnitude(value, text: text, flag: flag, digits: maximumMagnitudeDigits)
        if let maximum, maximum < value {
            throw ValidationError("\(flag) \(Arguments.quoted(text)) is out of range: at most \(maximum.displayText)")
        }
    }

    /// Throws a one-line message unless the value is ≥ 0.
    func checkNonNegative(_ flag: String, maximumMagnitudeDigits: Int = 1000) throws {
        guard value.signum >= 0 else {
            throw ValidationError("\(flag) \(Arguments.quoted(text)) is out of range: must not be negative; allowed: a number ≥ 0 such as 1, 1/2, 0.5 or 1e-3")
        }
        try Arguments.checkMagnitude(value, text: text, flag: flag, digits: maximumMagnitudeDigits)
    }
}

/// A value type whose lists may contain ranges `a:b` or `a:b:step` (b included when the steps
/// meet it exactly).
protocol RangeExpandable: ExpressibleByArgument, Sendable {
    static func expandRange(from: Self, to: Self, step: Self?) -> [Self]?
}

/// A comma-separated list of values of one argument type (`1.5,2,2.5`), whose entries may be
/// ranges (`0.01:0.49:0.01`, `1:49`); at most 100000 values in all.
struct ArgumentList<Element: RangeExpandable>: ExpressibleByArgument, Sendable {
    let elements: [Element]
    let text: String

    static var maximumCount: Int { 100_000 }

    init?(argument: String) {
        let items = argument.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard !items.isEmpty, !items.contains(where: \.isEmpty) else { return nil }
        var parsed: [Element] = []
        for item in items {
            let parts = item.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            if parts.count == 1 {
                guard let e = Element(argument: item) else { return nil }
                parsed.append(e)
            } else {
                guard parts.count <= 3, let a = Element(argument: parts[0]), let b = Element(argument: parts[1]) else { return nil }
                let step = parts.count == 3 ? Element(argument: parts[2]) : nil
                if parts.count == 3 && step == nil { return nil }
                guard let range = Element.expandRange(from: a, to: b, step: step) else { return nil }
                parsed += range
            }
            guard parsed.count <= Self.maximumCount else { return nil }
        }
        elements = parsed
        text = argument
    }

    init(_ text: String) {
        self.init(argument: text)!
    }

    var defaultValueDescription: String { text }
}

extension RationalArgument: RangeExpandable {
    static func expandRange(from a: RationalArgument, to b: RationalArgument, step: RationalArgument?) -> [RationalArgument]? {
        let s = step?.value ?? 1
        guard s.signum > 0, a.value <= b.value else { return nil }
        guard let count = ((b.value - a.value) / s).floor.exactInt, count < 100_000 else { return nil }
        return (0...count).map { RationalArgument(a.value + BigRational(count == 0 ? 0 : $0) * s) }
    }
}

extension IntegerArgument: RangeExpandable {
    static func expandRange(from a: IntegerArgument, to b: IntegerArgument, step: IntegerArgument?) -> [IntegerArgument]? {
        let s = step?.value ?? 1
        guard s > 0, a.value <= b.value, (b.value - a.value) / s < 100_000 else { return nil }
        return stride(from: a.value, through: b.value, by: s).map { IntegerArgument($0) }
    }
}

extension MomentModel: ExpressibleByArgument {
    public init?(argument: String) {
        switch argument.lowercased() {
        case "exact": self = .exact
        case "gi", "gradient-independence": self = .gradientIndependence
        default: return nil
        }
    }
    public static var allValueStrings: [String] { ["exact", "gi"] }
}

extension TableFormat: ExpressibleByArgument {}
