import Foundation
import Multiprecision
import NTKMoments
import NTKOutput

/// A real quantity as every front end reports it — the JSON contract (docs/json.md).
///
/// In a JSON object a quantity named `q` is written as sibling members:
/// - `q`: the nearest double to the reported value, when that lies in double range (normal
///   or zero); otherwise `null`. Any JSON parser reads it without loss of meaning.
/// - `q_decimal`: the guaranteed significant digits as a string, for every value computed in
///   exact or multiprecision arithmetic (absent for Monte Carlo estimates, which are doubles).
/// - `q_exact`: the rational `p/q` (or integer), when the value is exact.
/// - `q_log10`: log₁₀|value|, only when the value is outside double range.
/// - `q_lower`, `q_upper` (doubles rounded outward, so they still bound the value) and
///   `q_lower_decimal`, `q_upper_decimal`, when the value comes with an enclosure.
/// - `q_digits`: how many significant digits of `q_decimal` are guaranteed, for enclosures.
/// A value that does not exist (a ratio with a zero denominator) is `q: null` and nothing else.
public struct ReportedReal: Sendable, Equatable {
    /// Guaranteed decimal digits (nil for plain-double estimates and for undefined values).
    public var decimal: String?
    /// The exact rational, as `p/q` text (nil unless exact).
    public var exact: String?
    /// Outward-rounded decimal bounds of an enclosure.
    public var lower: String?
    public var upper: String?
    /// Significant digits of `decimal` the enclosure guarantees (nil for exact values).
    public var guaranteedDigits: Int?
    /// True for certified enclosures (whose bounds text output always shows).
    public var isCertified = false
    /// The value as a double, for estimates computed in double (nil otherwise).
    public var estimate: Double?

    public init(decimal: String? = nil, exact: String? = nil, lower: String? = nil, upper: String? = nil,
                guaranteedDigits: Int? = nil, isCertified: Bool = false, estimate: Double? = nil) {
        self.decimal = decimal
        self.exact = exact
        self.lower = lower
        self.upper = upper
        self.guaranteedDigits = guaranteedDigits
        self.isCertified = isCertified
        self.estimate = estimate
    }

    /// A Monte Carlo or double-precision estimate (NaN: undefined).
    public static func estimate(_ x: Double) -> ReportedReal { x.isNaN ? .undefined : ReportedReal(estimate: x) }

    /// A value that does not exist (written as `q: null` and nothing else).
    public static let undefined = ReportedReal()

    /// An exact rational, with `digits` significant digits in its decimal rendering.
    public static func exact(_ r: BigRational, digits: Int = 20) -> ReportedReal {
        ReportedReal(value: .exact(r), digits: digits)
    }

    /// A computed moment: exact values rounded to nearest at `digits`; enclosures and bounded
    /// rounded values only with the digits every point of the enclosure rounds to.
    public init(value: MomentValue, digits: Int) {
        switch value {
        case .exact(let r):
            exact = r.fractionString
            decimal = r.isZero ? "0" : BigFloat(r, precision: DecimalDigits.bits(forDigits: digits) + 16).formatted(significantDigits: digits)
        case .rounded(_, let e?), .enclosure(let e):
            if case .enclosure = value { isCertified = true }
            lower = e.lower.formatted(significantDigits: digits, rounding: .down)
            upper = e.upper.formatted(significantDigits: digits, rounding: .up)
            // Never a midpoint or the rounded value itself: a wide interval must not
            // masquerade as a precise number.
            let shared = e.certifiedDigits(maximumDigits: digits)
            decimal = shared.hasPrefix("[") ? nil : shared
            guaranteedDigits = decimal.map(DecimalDigits.significantDigitCount) ?? 0
        case .rounded(_, nil):
            guaranteedDigits = 0
        case .undefined:
            break
        }
    }

    /// The nearest double to the reported value, nil outside double range or when undefined.
    public var nearestDouble: Double? {
        if let estimate { return estimate.isFinite ? estimate : nil }
        guard let text = decimal ?? exactDecimalText else { return nil }
        return DecimalText.nearestDouble(text)
    }

    /// True when nothing is known: undefined, or an enclosure too wide for one digit.
    public var isUndefined: Bool { estimate == nil && decimal == nil && exact == nil && lower == nil }

    private var exactDecimalText: String? {
        guard let exact, let r = BigRational(exact) else { return nil }
        return BigFloat(r, precision: 64).formatted(significantDigits: 19)
    }


    /// log₁₀|value| from the decimal text's mantissa and exponent (nil for zero).
    var log10Magnitude: Double? { decimal.flatMap(DecimalText.log10Magnitude) }

    /// True when the decimal's value is a double (then the number member says it all).
    static func isExactlyDouble(_ text: String) -> Bool {
        guard let x = DecimalText.nearestDouble(text), let r = try? BigRational(parsing: text) else { return false }
        return BigRational(exactly: x) == r
    }

    /// A decimal bound as a double rounded toward the outside of the enclosure.
    static func bound(_ text: String, rounding: RoundingDirection) -> Double? {
        // Parsed at 53 bits in the bound's own direction: one directed rounding, no double
        // rounding that could cross the decimal bound.
        guard let f = try? BigFloat(parsing: text, precision: 53, rounding: rounding) else { return nil }
        let x = f.doubleValue(rounding: rounding)
        return x.isFinite ? x : nil
    }
}

extension ReportedReal: JSONSiblingFields {
    public func jsonMembers(named q: String) -> [(key: String, value: JSONValue)] {
        func number(_ x: Double?) -> JSONValue { x.map { try! JSONValueEncoder().encode($0) } ?? .null }
        var members: [(key: String, value: JSONValue)] = [(q, number(nearestDouble))]
        if let decimal, !Self.isExactlyDouble(decimal) { members.append(("\(q)_decimal", .string(decimal))) }
        if let exact { members.append(("\(q)_exact", .string(exact))) }
        if nearestDouble == nil, let l = log10Magnitude { members.append(("\(q)_log10", number(l))) }
        if let lower, let upper {
            members += [("\(q)_lower", number(Self.bound(lower, rounding: .down))),
                        ("\(q)_upper", number(Self.bound(upper, rounding: .up))),
                        ("\(q)_lower_decimal", .string(lower)), ("\(q)_upper_decimal", .string(upper))]
                .filter { !$0.key.hasSuffix("_decimal") || !Self.isExactlyDouble($0.value.stringValue ?? "") }
        }
        if let guaranteedDigits, lower != nil || guaranteedDigits == 0 { members.append(("\(q)_digits", .number("\(guaranteedDigits)"))) }
        if isCertified { members.append(("\(q)_certified", .bool(true))) }
        return members
    }

    public static func jsonMemberNames(named q: String) -> [String] {
        [q, "\(q)_decimal", "\(q)_exact", "\(q)_lower_decimal", "\(q)_digits"]
    }

    public init(jsonMembers member: (String) -> JSONValue?, named q: String) throws {
        var found: [String: JSONValue] = [:]
        for suffix in ["", "_decimal", "_exact", "_lower", "_upper", "_lower_decimal", "_upper_decimal", "_digits", "_certified"] {
            if let v = member(q + suffix) { found[suffix] = v }
        }
        let digits = found["_digits"]?.numberText.flatMap { Int($0) }
        let exact = found["_exact"]?.stringValue
        // A `_decimal` is left out when the number member holds the value exactly.
        func decimal(_ suffix: String) -> String? {
            found[suffix + "_decimal"]?.stringValue ?? ((exact != nil || digits != nil) ? found[suffix]?.numberText : nil)
        }
        let hasBounds = found["_lower"] != nil
        self.init(decimal: decimal(""), exact: exact,
                  lower: hasBounds ? decimal("_lower") : nil, upper: hasBounds ? decimal("_upper") : nil,
                  guaranteedDigits: digits,
                  isCertified: found["_certified"]?.boolValue ?? false)
        if self.decimal == nil, self.exact == nil, self.lower == nil, self.guaranteedDigits == nil {
            switch found[""] {
            case .number(let t)?: estimate = Double(t)
            case .null?, nil: break
            default: throw JSONValueDecoder.Failure(path: q, reason: "expected a number or null")
            }
        }
    }
}

/// Digit and bit counts of decimal renderings.
public enum DecimalDigits {
    /// Bits that carry `digits` significant decimal digits, with 8 guard bits.
    public static func bits(forDigits digits: Int) -> Int { Int((Double(digits) * 3.3219280948873626).rounded(.up)) + 8 }

    /// Decimal digits a `bits`-bit binary significand carries in full (at least 1, at most 20:
    /// the default number of digits printed).
    public static func digits(forBits bits: Int) -> Int { max(1, min(20, Int(Double(bits) * 0.30103) - 1)) }

    /// Significant digits of a rendered decimal such as "-0.001230" or "1.25e-30".
    public static func significantDigitCount(_ text: String) -> Int {
        let mantissa = text.prefix { $0 != "e" && $0 != "E" }
        let digits = mantissa.filter(\.isNumber).drop { $0 == "0" }
        return max(1, digits.count)
    }
}

/// Outside a parent object (an array element, a foreign coder) a real is an object with the
/// same members under the base name `value`: `{"value": 1.5, "value_exact": "3/2", …}`.
extension ReportedReal: Codable {
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: JSONKey.self)
        for (key, value) in jsonMembers(named: "value") { try container.encode(value, forKey: JSONKey(key)) }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: JSONKey.self)
        var members: [String: JSONValue] = [:]
        for key in container.allKeys { members[key.stringValue] = try container.decode(JSONValue.self, forKey: key) }
        try self.init(jsonMembers: { members[$0] }, named: "value")
    }
}
