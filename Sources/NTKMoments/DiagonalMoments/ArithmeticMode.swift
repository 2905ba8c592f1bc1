import Multiprecision

/// How the moments are computed, and therefore what the printed numbers guarantee.
public enum ArithmeticMode: Sendable, Equatable {
    /// Exact rationals (GMP): every digit printed is exact.
    case exact
    /// MPFR at the given working precision, rounding to nearest.
    case mpfr(precision: Int)
    /// IEEE double precision with a separate binary scale (no overflow or underflow).
    case double
    /// Interval arithmetic at the given precision: results are rigorous enclosures.
    case certified(precision: Int)

    public var label: String {
        switch self {
        case .exact: return "exact rational (GMP)"
        case .mpfr(let p): return "MPFR, \(p)-bit working precision, round to nearest"
        case .double: return "IEEE double (53-bit) with a binary scale exponent"
        case .certified(let p): return "certified enclosure (MPFR intervals, \(p)-bit, outward rounding)"
        }
    }
}
