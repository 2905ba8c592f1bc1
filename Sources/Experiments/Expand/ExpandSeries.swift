import Multiprecision
import NTKMoments

/// One fitted series F + c₁/M + c₂/M² + … as reported: each coefficient to the requested
/// digits with the bound on the distance of that printed number from the truth.
public struct ExpandSeries: Sendable, Equatable {
    /// F, c₁, …, c_order to `digits` significant digits.
    public var coefficients: [ReportedReal]
    /// The error estimate of each coefficient plus half a unit in its last printed digit
    /// (`printedBound`), rounded up to 2 digits.
    public var errors: [ReportedReal]
    /// The first terms (F, c₁, c₂ as far as computed) for the one-line summaries of E[Θ]/Θ* and
    /// E[Θ²]/Θ*², at most 12 digits, "0" where `isResolvedZero` holds. Text report only: the
    /// document does not carry it (nil when decoded).
    public var leadingTerms: [String]?
    /// The largest zero bound among the terms shown as 0, rounded up to 2 digits (nil when no
    /// term is). Text report only, like `leadingTerms`.
    public var zeroBound: String?

    public init(coefficients: [ReportedReal], errors: [ReportedReal], leadingTerms: [String]? = nil, zeroBound: String? = nil) {
        self.coefficients = coefficients
        self.errors = errors
        self.leadingTerms = leadingTerms
        self.zeroBound = zeroBound
    }

    /// `series` reported to `digits` digits; with `summary`, also its leading terms under the
    /// zero rule at `precision` bits.
    init(_ series: FiniteWidthExpansion.Series, digits: Int, precision: Int, summary: Bool = false) {
        coefficients = series.coefficients.map { ExpandSeries.printed($0, digits: digits) }
        errors = series.coefficients.indices.map { j in
            ReportedReal(decimal: ExpandSeries.roundedUp(ExpandSeries.printedBound(series, j, digits: digits)))
        }
        guard summary else { return }
        var zeroBounds: [BigFloat] = []
        leadingTerms = (0...min(series.coefficients.count - 1, 2)).map { j in
            let bound = ExpandSeries.zeroBound(series.errors[j], precision: precision)
            if j > 0 && series.coefficients[j].magnitude() <= bound {
                zeroBounds.append(bound)
                return "0"
            }
            return series.coefficients[j].formatted(significantDigits: min(digits, 12))
        }
        zeroBound = zeroBounds.max().map(ExpandSeries.roundedUp)
    }

    /// A coefficient to `digits` significant digits (rounded to nearest).
    static func printed(_ x: BigFloat, digits: Int) -> ReportedReal { ReportedReal(decimal: x.formatted(significantDigits: digits)) }

    /// An error bound as reported: 2 digits, rounded up so that it still bounds.
    static func roundedUp(_ x: BigFloat) -> String { x.formatted(significantDigits: 2, rounding: .up) }

    /// The ± of coefficient j printed to `digits` digits: its error estimate plus the rounding
    /// to those digits (half a unit in the last place, at most |c|·10^{1−digits}/2), so that it
    /// bounds the distance of the printed number, not of the full-precision one, from the truth.
    public static func printedBound(_ series: FiniteWidthExpansion.Series, _ j: Int, digits: Int) -> BigFloat {
        let halfUnit = BigFloat(BigRational(1, 2) / BigRational(10).power(digits - 1), precision: 64)
        return series.errors[j] + series.coefficients[j].magnitude() * halfUnit
    }

    /// Below this magnitude a coefficient of E[Θ]/Θ* or E[Θ²]/Θ*² is shown as 0: within 16
    /// error estimates of 0 it is not resolved from 0, and below 2^(−precision/2) (half the
    /// working precision) the cancellation in the fit leaves no digit to trust.
    public static func zeroBound(_ error: BigFloat, precision: Int) -> BigFloat {
        max(error * BigFloat(16, precision: 64), BigFloat.powerOfTwo(-precision / 2, precision: 64))
    }
}
