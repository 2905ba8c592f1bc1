import Multiprecision
import NTKMoments
import NTKOutput

/// How a `MomentValue` is shown: every string says, by its form or its JSON key, whether it is
/// exact, certified or rounded, and a rounded or certified value shows only digits that its
/// enclosure guarantees.
struct FormattedValue {
    /// Decimal rendering at the requested digits: exact values rounded to nearest; enclosures
    /// and bounded rounded values only the digits every point of the enclosure rounds to (nil
    /// when not even one digit is shared).
    var decimal: String?
    /// "p/q" for exact values.
    var fraction: String?
    /// For enclosures and bounded values: lower bound rounded down, upper bound rounded up.
    var lower: String?
    var upper: String?
    /// Significant digits in `decimal` that are guaranteed (nil for exact values, 0 when none).
    var shownDigits: Int?
    /// True for certified enclosures, whose bounds text output always shows.
    var isCertified = false

    init(_ value: MomentValue, digits: Int) {
        switch value {
        case .exact(let r):
            fraction = r.fractionString
            decimal = r.isZero ? "0" : BigFloat(r, precision: digitsToBits(digits) + 16).formatted(significantDigits: digits)
        case .rounded(_, let e?), .enclosure(let e):
            if case .enclosure = value { isCertified = true }
            lower = e.lower.formatted(significantDigits: digits, rounding: .down)
            upper = e.upper.formatted(significantDigits: digits, rounding: .up)
            // Never a midpoint or the rounded value itself: a wide interval must not
            // masquerade as a precise number.
            let shared = e.certifiedDigits(maximumDigits: digits)
            decimal = shared.hasPrefix("[") ? nil : shared
            shownDigits = decimal.map(significantDigitCount) ?? 0
        case .rounded(_, nil):
            shownDigits = 0
        case .undefined:
            break
        }
    }

    /// The one string a human reads in text output.
    var display: String {
        if let decimal, let lower, let upper { return isCertified ? "\(decimal)   in [\(lower), \(upper)]" : decimal }
        if let lower, let upper { return "no digit guaranteed: in [\(lower), \(upper)]" }
        if shownDigits == 0 { return "no digit guaranteed (the rounding-error bound exceeds 1/2)" }
        if let decimal, let fraction, fraction != decimal { return "\(decimal)   = \(fraction)" }
        return decimal ?? "undefined (E[Θ] = 0)"
    }
}

/// Significant digits of a rendered decimal such as "-0.001230" or "1.25e-30".
func significantDigitCount(_ text: String) -> Int {
    let mantissa = text.prefix { $0 != "e" && $0 != "E" }
    let digits = mantissa.filter(\.isNumber).drop { $0 == "0" }
    return max(1, digits.count)
}

/// A JSON number (readable by any float parser) for an exact rational: its exact decimal
/// expansion when that is short, otherwise 17 significant digits without trailing zeros.
func decimalNumber(_ r: BigRational) -> String {
    let exact = exactDecimal(r)
    if !exact.contains("/"), exact.count <= 40 { return exact }
    let s = BigFloat(r, precision: 256).formatted(significantDigits: 17)
    var mantissa = Substring(s), exponent = Substring("")
    if let e = s.firstIndex(where: { $0 == "e" || $0 == "E" }) { mantissa = s[..<e]; exponent = s[e...] }
    if mantissa.contains(".") {
        while mantissa.hasSuffix("0") { mantissa.removeLast() }
        if mantissa.hasSuffix(".") { mantissa.removeLast() }
    }
    return String(mantissa) + String(exponent).replacingOccurrences(of: "e+", with: "e")
}

func digitsToBits(_ digits: Int) -> Int { Int((Double(digits) * 3.3219280948873626).rounded(.up)) + 8 }

extension JSONValue {
    static func stringOrNull(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }
}

/// A JSON number for a double (17 significant digits), or null when it is not finite.
func jsonNumber(_ x: Double) -> JSONValue {
    x.isFinite ? .number(BigFloat(x, precision: 53).formatted(significantDigits: 17).replacingOccurrences(of: "e+", with: "e")) : .null
}

/// The architecture every JSON report echoes: widths (n0 too, when asked), depth, σ² and ‖x‖²
/// as numbers with their exact rationals, biases.
func architectureMembers(_ a: Architecture, inputDimension: Bool = false) -> [(key: String, value: JSONValue)] {
    var members: [(key: String, value: JSONValue)] = [("widths", .string(compactWidths(a)))]
    if inputDimension { members.append(("input_dim", .number("\(a.inputDimension)"))) }
    return members + [
        ("depth", .number("\(a.depth)")),
        ("sigma2", .number(decimalNumber(a.sigma2))),
        ("sigma2_exact", .string(a.sigma2.fractionString)),
        ("input_norm2", .number(decimalNumber(a.inputNorm2))),
        ("input_norm2_exact", .string(a.inputNorm2.fractionString)),
        ("biases", .bool(a.trainableBiases)),
    ]
}

/// A Monte Carlo figure in text: `digits` significant digits of the double, "undefined" where
/// there is none (NaN: no samples, or a ratio of zeros), and "inf"/"-inf" spelled out.
func estimateText(_ x: Double, _ digits: Int = 6) -> String {
    x.isFinite ? BigFloat(x, precision: 53).formatted(significantDigits: digits) : (x.isNaN ? "undefined" : (x > 0 ? "inf" : "-inf"))
}

/// A z-score in text: two decimals, or "undefined" where it is not finite (fewer than 2
/// samples, or a zero standard error).
func zScoreText(_ z: Double) -> String { z.isFinite ? String(format: "%.2f", z) : "undefined" }
