import Multiprecision
import NTKMoments
import NTKOutput
import Experiments

extension ReportedReal {
    /// The one string a human reads in text output.
    var display: String {
        if let decimal, let lower, let upper { return isCertified ? "\(decimal)   in [\(lower), \(upper)]" : decimal }
        if let lower, let upper { return "no digit guaranteed: in [\(lower), \(upper)]" }
        if guaranteedDigits == 0 { return "no digit guaranteed (the rounding-error bound exceeds 1/2)" }
        if let decimal, let exact, exact != decimal { return "\(decimal)   = \(exact)" }
        return decimal ?? "undefined (E[Θ] = 0)"
    }
}

/// Significant digits of a rendered decimal such as "-0.001230" or "1.25e-30".
func significantDigitCount(_ text: String) -> Int { DecimalDigits.significantDigitCount(text) }

/// A JSON number (readable by any float parser) for an exact rational (`LegacyJSON`).
func decimalNumber(_ r: BigRational) -> String { LegacyJSON.decimalNumber(r) }

/// A Monte Carlo figure in text: `digits` significant digits of the double, "undefined" where
/// there is none (NaN: no samples, or a ratio of zeros), and "inf"/"-inf" spelled out.
func estimateText(_ x: Double, _ digits: Int = 6) -> String { MonteCarloEstimate.text(x, digits: digits) }

/// A z-score in text: two decimals, or "undefined" where it is not finite (fewer than 2
/// samples, or a zero standard error).
func zScoreText(_ z: Double) -> String { z.isFinite ? String(format: "%.2f", z) : "undefined" }

/// The shortest decimal that reads back as x (0.1 → "0.1", 1 → "1").
func shortestDecimal(_ x: Double) -> String { LegacyJSON.shortestDecimal(x) }
