import Multiprecision

/// Extrapolation of finite-width values to infinite width (Richardson's method in h = 1/M).
///
/// Finite-width quantities of the recursion expand as R(M) = c₀ + c₁/M + c₂/M² + … (up to
/// terms exponentially small in M, derivations/04), so the polynomial in 1/M through n values
/// R(M₁), …, R(M_n) evaluated at 1/M = 0 removes the first n − 1 corrections: its error is
/// O(c_n/(M₁⋯M_n)).
public enum WidthExtrapolation {
    /// Why the extrapolation cannot be formed.
    public struct InvalidSamples: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// The value at 1/M = 0 of the polynomial in 1/M of degree n − 1 through the n points
    /// (M_i, R_i), by Neville's scheme P_{i,k} = (M_{i+k}P_{i+1,k−1} − M_iP_{i,k−1})/(M_{i+k} − M_i).
    /// Exact (up to the rounding of `precision`) when R is such a polynomial.
    /// Throws unless there is at least one point, the widths are positive and distinct, and the
    /// values are finite.
    public static func limit(widths: [Int], values: [BigFloat], precision: Int) throws -> BigFloat {
        guard !widths.isEmpty, widths.count == values.count else {
            throw InvalidSamples(description: "need as many values as widths, at least one")
        }
        guard widths.allSatisfy({ $0 > 0 }), Set(widths).count == widths.count else {
            throw InvalidSamples(description: "widths must be positive and distinct")
        }
        guard values.allSatisfy(\.isFinite) else { throw InvalidSamples(description: "values must be finite") }
        let p = precision + 32
        let m = widths.map { BigFloat($0, precision: p) }
        var column = values.map { BigFloat($0, precision: p) }
        for k in stride(from: 1, to: widths.count, by: 1) {
            column = (0..<(widths.count - k)).map { i in
                (m[i + k] * column[i + 1] - m[i] * column[i]) / (m[i + k] - m[i])
            }
        }
        return BigFloat(column[0], precision: precision)
    }
}
