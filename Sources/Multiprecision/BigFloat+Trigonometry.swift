import CMPFR

/// Circular functions of `BigFloat`, each MPFR's correctly rounded result in the given
/// direction: the bound a directed rounding returns is a rigorous one-sided bound of the exact
/// value, which is what the certified infinite-width kernel builds its enclosures from.
extension BigFloat {
    /// π rounded in the given direction.
    public static func pi(precision: Int, rounding: RoundingDirection = .nearest) -> BigFloat {
        make(precision: precision) { _ = mpfr_const_pi($0, rounding.mpfr) }
    }

    public func sine(precision: Int? = nil, rounding: RoundingDirection = .nearest) -> BigFloat { unary(mpfr_sin, precision, rounding) }
    public func cosine(precision: Int? = nil, rounding: RoundingDirection = .nearest) -> BigFloat { unary(mpfr_cos, precision, rounding) }
    /// arcsin, in [−π/2, π/2] (NaN outside [−1, 1]).
    public func arcsine(precision: Int? = nil, rounding: RoundingDirection = .nearest) -> BigFloat { unary(mpfr_asin, precision, rounding) }
    /// arccos, in [0, π] (NaN outside [−1, 1]).
    public func arccosine(precision: Int? = nil, rounding: RoundingDirection = .nearest) -> BigFloat { unary(mpfr_acos, precision, rounding) }

    /// sin and cos of `self` together (one MPFR call, cheaper than two), both rounded in the
    /// given direction.
    public func sineAndCosine(precision: Int? = nil, rounding: RoundingDirection = .nearest) -> (sin: BigFloat, cos: BigFloat) {
        let p = precision ?? self.precision
        let s = Storage(precision: p), c = Storage(precision: p)
        _ = withMPFR { mpfr_sin_cos(s.pointer, c.pointer, $0, rounding.mpfr) }
        return (BigFloat(storage: s), BigFloat(storage: c))
    }

    /// The angle of the point (x, y) = (`x`, `y`), in (−π, π], correctly rounded
    /// (atan2(y, x)).
    public static func arctangent2(y: BigFloat, x: BigFloat, precision: Int? = nil, rounding: RoundingDirection = .nearest) -> BigFloat {
        binary(mpfr_atan2, y, x, precision, rounding)
    }

    /// The next representable value below (toward −∞), at the same precision.
    public func nextDown() -> BigFloat {
        var r = BigFloat(self, precision: precision)
        r.makeUnique()
        mpfr_nextbelow(r.storage.pointer)
        return r
    }

    /// The next representable value above (toward +∞), at the same precision.
    public func nextUp() -> BigFloat {
        var r = BigFloat(self, precision: precision)
        r.makeUnique()
        mpfr_nextabove(r.storage.pointer)
        return r
    }
}
