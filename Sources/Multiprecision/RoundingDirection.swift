import CMPFR

/// How a result that is not representable is rounded. Every operation in this module that
/// can round takes one explicitly or documents that it rounds to nearest.
public enum RoundingDirection: Sendable, CaseIterable {
    /// To nearest, ties to even (IEEE default).
    case nearest
    /// Toward −∞: the result is ≤ the exact value.
    case down
    /// Toward +∞: the result is ≥ the exact value.
    case up
    /// Toward zero (truncation).
    case towardZero

    var mpfr: mpfr_rnd_t {
        switch self {
        case .nearest: return MPFR_RNDN
        case .down: return MPFR_RNDD
        case .up: return MPFR_RNDU
        case .towardZero: return MPFR_RNDZ
        }
    }
}
