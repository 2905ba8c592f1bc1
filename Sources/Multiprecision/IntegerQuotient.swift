import CMPFR

extension BigFloat {
    /// (Π numeratorFactors · f)/(Π denominatorFactors) for the rational f = `factor`, correctly
    /// rounded in the given direction: the same value as `BigFloat(BigRational(…), …)` of that
    /// quotient (a correctly rounded result is unique), but formed as one MPFR division of two
    /// exact GMP integers, without building and normalising a rational (no gcd). The moment
    /// recursions round their per-layer constants this way. Requires a non-zero denominator.
    public init(quotientOf numeratorFactors: [Int], over denominatorFactors: [Int], times factor: BigRational,
                precision: Int, rounding: RoundingDirection = .nearest) {
        let numerator = MPZBox(), denominator = MPZBox()
        factor.withMPQ { q in
            __gmpz_set(numerator.pointer, ntk_mpq_numref(q))
            __gmpz_set(denominator.pointer, ntk_mpq_denref(q))
        }
        for f in numeratorFactors { __gmpz_mul_si(numerator.pointer, numerator.pointer, f) }
        for f in denominatorFactors { __gmpz_mul_si(denominator.pointer, denominator.pointer, f) }
        precondition(ntk_mpz_sgn(denominator.pointer) != 0, "BigFloat(quotientOf:): zero denominator")
        storage = Storage(precision: precision)
        // The numerator exactly (enough bits for every digit), then one correctly rounded division.
        let bits = max(Int(ntk_mpz_sizeinbase(numerator.pointer, 2)), BigFloat.precisionRange.lowerBound)
        let exactNumerator = Storage(precision: bits)
        mpfr_set_z(exactNumerator.pointer, numerator.pointer, MPFR_RNDN)
        mpfr_div_z(storage.pointer, exactNumerator.pointer, denominator.pointer, rounding.mpfr)
    }
}
