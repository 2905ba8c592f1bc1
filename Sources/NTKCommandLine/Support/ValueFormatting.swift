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

/// A JSON number (readable by any float parser) for an exact rational (`LegacyJSON`).
func decimalNumber(_ r: BigRational) -> String { LegacyJSON.decimalNumber(r) }

func digitsToBits(_ digits: Int) -> Int { DecimalDigits.bits(forDigits: digits) }

extension JSONValue {
    static func stringOrNull(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }
}

/// A JSON number for a double (17 significant digits), or null when it is not finite.
func jsonNumber(_ x: Double) -> JSONValue { LegacyJSON.number(x) }

/// The architecture every JSON report echoes (`LegacyJSON.architectureMembers`).
func architectureMembers(_ a: Architecture, inputDimension: Bool = false) -> [(key: String, value: JSONValue)] {
    LegacyJSON.architectureMembers(a, inputDimension: inputDimension)
}

/// A Monte Carlo figure in text: `digits` significant digits of the double, "undefined" where
/// there is none (NaN: no samples, or a ratio of zeros), and "inf"/"-inf" spelled out.
func estimateText(_ x: Double, _ digits: Int = 6) -> String { MonteCarloEstimate.text(x, digits: digits) }

/// A z-score in text: two decimals, or "undefined" where it is not finite (fewer than 2
/// samples, or a zero standard error).
func zScoreText(_ z: Double) -> String { z.isFinite ? String(format: "%.2f", z) : "undefined" }
