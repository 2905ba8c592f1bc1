import Multiprecision
import NTKMoments
import NTKOutput
import Experiments

/// How a `MomentValue` is shown: the library's `ReportedReal` (the digit rules live there).
typealias FormattedValue = ReportedReal

extension ReportedReal {
    init(_ value: MomentValue, digits: Int) { self.init(value: value, digits: digits) }

    /// "p/q" for exact values.
    var fraction: String? { exact }
    /// Significant digits in `decimal` that are guaranteed (nil for exact values, 0 when none).
    var shownDigits: Int? { guaranteedDigits }

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
func significantDigitCount(_ text: String) -> Int { DecimalDigits.significantDigitCount(text) }

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

func digitsToBits(_ digits: Int) -> Int { DecimalDigits.bits(forDigits: digits) }

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
