import Multiprecision

/// One printed quantity in whatever form the arithmetic produced it.
public enum MomentValue: Sendable {
    case exact(BigRational)
    /// A rounded value together with a rigorous enclosure of the true value (from the
    /// a-priori bound `RoundingErrorBound`, or nil where no bound is useful): only the digits
    /// every point of the enclosure rounds to may be printed.
    case rounded(BigFloat, enclosure: Enclosure?)
    case enclosure(Enclosure)
    /// Does not exist (the dispersion when E[Θ] = 0).
    case undefined

    /// Nearest BigFloat at `precision` bits (midpoint for enclosures); nil when undefined.
    public func approximation(precision: Int) -> BigFloat? {
        switch self {
        case .exact(let r): return BigFloat(r, precision: precision)
        case .rounded(let f, _): return BigFloat(f, precision: precision)
        case .enclosure(let e):
            let p = precision + 8
            return BigFloat((BigFloat(e.lower, precision: p) + BigFloat(e.upper, precision: p)).timesPowerOfTwo(-1), precision: precision)
        case .undefined: return nil
        }
    }

    /// The interval known to contain the true value: a point for exact values, nil when
    /// nothing is guaranteed or the value is undefined.
    public var guaranteedEnclosure: Enclosure? {
        switch self {
        case .exact(let r):
            let bits = max(64, r.bitSize + 64)
            return Enclosure(r, precision: bits)
        case .rounded(_, let e): return e
        case .enclosure(let e): return e
        case .undefined: return nil
        }
    }
}

/// E[Θ], E[Θ²], Var[Θ], the dispersion E[Θ²]/E[Θ]² and P(dead) for one architecture.
///
/// In the rounded arithmetics (MPFR, `Double`) every value comes with a rigorous enclosure
/// built from `RoundingErrorBound`: E[Θ], E[Θ²] and P(dead) are the computed values ± the
/// a-priori bound, and Var[Θ] and the dispersion are evaluated in interval arithmetic from
