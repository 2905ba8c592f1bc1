import CMPFR

/// One-sided (directed) bounds of 1 − cos x, sin x − x cos x and arcsin x for small x ≥ 0 by
/// their Taylor series, several times cheaper than MPFR's sin_cos (at raised precision, to
/// survive the cancellation of sin x − x cos x) and asin (through atan) — the deep layers of
/// the certified infinite-width kernel, where the angle is tiny.
///
/// Rigour: every term t_k is enclosed by two sequences computed with downward and upward
/// rounding. For the alternating series (terms strictly decreasing while x < 1), a partial sum
/// ending with a subtracted term is a lower bound and one ending with an added term an upper
/// bound; the lower bound sums the added terms' lower and the subtracted terms' upper bounds,
/// rounding the sums down, and conversely. For arcsin (positive terms, ratio ≤ x²) the lower
/// bound is a partial sum rounded down; the upper bound adds the tail bound 2·t_N·x² (the tail
/// is at most t_N·x²/(1 − x²)). Terms are summed until they fall below 2^-(p+16) of the first.
extension BigFloat {
    /// The arguments these series accept: 0 ≤ x ≤ 2^-8.
    public static let smallArgumentLimitExponent = -8

    /// True when 0 ≤ self ≤ 2^-8.
    public var isSmallSeriesArgument: Bool {
        guard signum >= 0 else { return false }
        guard let e = exponent else { return true }  // zero
        return e <= Self.smallArgumentLimitExponent  // |x| < 2^e ≤ 2^-8
    }

    /// 1 − cos x = Σ_{k≥0} (−1)^k x^{2k+2}/(2k+2)!, bounded in the direction `rounding`
    /// (.down or .up) at this value's precision. Requires `isSmallSeriesArgument`.
    public func oneMinusCosineBound(rounding: RoundingDirection) -> BigFloat {
        // t_0 = x²/2, t_k = t_{k−1}·x²/((2k+1)(2k+2)).
        alternatingSeriesBound(rounding: rounding, firstPower: 2, firstDivisor: 2) { k in (2 * k + 1) * (2 * k + 2) }
    }

    /// sin x − x cos x = Σ_{k≥0} (−1)^k (2k+2) x^{2k+3}/(2k+3)!, bounded in the direction
    /// `rounding` (.down or .up). Requires `isSmallSeriesArgument`.
    public func sineMinusXCosineBound(rounding: RoundingDirection) -> BigFloat {
        // t_0 = x³/3, t_k/t_{k−1} = x²·(2k+2)/(2k·(2k+2)(2k+3)) = x²/(2k(2k+3)).
        alternatingSeriesBound(rounding: rounding, firstPower: 3, firstDivisor: 3) { k in (2 * k) * (2 * k + 3) }
    }

    /// Checks the argument and direction and widens the exponent range; the result for x = 0.
    private func seriesZero(rounding: RoundingDirection) -> BigFloat? {
        precondition(isSmallSeriesArgument, "small-argument series: argument outside [0, 2^-8]")
        precondition(rounding == .down || rounding == .up, "a one-sided bound rounds down or up")
        BigFloat.ensureWidestExponentRange()
        return isZero ? BigFloat(precision: precision) : nil
    }

    /// Σ (−1)^k t_k with t_0 = x^firstPower/firstDivisor and t_k = t_{k−1}·x²/ratioDivisor(k).
    private func alternatingSeriesBound(rounding: RoundingDirection, firstPower: Int, firstDivisor: Int,
                                        ratioDivisor: (Int) -> Int) -> BigFloat {
        if let zero = seriesZero(rounding: rounding) { return zero }
        let p = precision
        let x = storage.pointer
        let x2Low = Storage(precision: p), x2High = Storage(precision: p)
        mpfr_sqr(x2Low.pointer, x, MPFR_RNDD)
        mpfr_sqr(x2High.pointer, x, MPFR_RNDU)
        let low = Storage(precision: p), high = Storage(precision: p)  // t_k enclosed
        let added = Storage(precision: p), subtracted = Storage(precision: p)
        // t_0 = x^firstPower / firstDivisor.
        mpfr_pow_ui(low.pointer, x, UInt(firstPower), MPFR_RNDD)
        mpfr_pow_ui(high.pointer, x, UInt(firstPower), MPFR_RNDU)
        mpfr_div_ui(low.pointer, low.pointer, UInt(firstDivisor), MPFR_RNDD)
        mpfr_div_ui(high.pointer, high.pointer, UInt(firstDivisor), MPFR_RNDU)
        let lower = rounding == .down
        // Sums of the added (even k) and subtracted (odd k) terms, each rounded so that
        // added − subtracted moves in the bound's direction.
        mpfr_set(added.pointer, lower ? low.pointer : high.pointer, lower ? MPFR_RNDD : MPFR_RNDU)
        mpfr_set_zero(subtracted.pointer, 1)
        let cutoff = (ntk_mpfr_get_exp(high.pointer) - mpfr_exp_t(p + 16))
        var k = 1
        while true {
            let divisor = UInt(ratioDivisor(k))
            mpfr_mul(low.pointer, low.pointer, x2Low.pointer, MPFR_RNDD)
            mpfr_div_ui(low.pointer, low.pointer, divisor, MPFR_RNDD)
            mpfr_mul(high.pointer, high.pointer, x2High.pointer, MPFR_RNDU)
            mpfr_div_ui(high.pointer, high.pointer, divisor, MPFR_RNDU)
            let odd = k % 2 == 1
            if odd {
                // Subtracted: its upper bound for the lower bound, its lower bound for the upper.
                mpfr_add(subtracted.pointer, subtracted.pointer, lower ? high.pointer : low.pointer, lower ? MPFR_RNDU : MPFR_RNDD)
            } else {
                mpfr_add(added.pointer, added.pointer, lower ? low.pointer : high.pointer, lower ? MPFR_RNDD : MPFR_RNDU)
            }
            // Stop after a subtracted term (lower bound) or an added one (upper bound), once
            // the terms are negligible.
            if odd == lower && (mpfr_zero_p(high.pointer) != 0 || ntk_mpfr_get_exp(high.pointer) < cutoff) { break }
            k += 1
        }
        return BigFloat.make(precision: p) { out in
            mpfr_sub(out, added.pointer, subtracted.pointer, rounding.mpfr)
        }
    }

    /// arcsin x = Σ_{n≥0} c_n x^{2n+1}, c_0 = 1, c_n = c_{n−1}(2n−1)²/(2n(2n+1)), bounded in the
    /// direction `rounding` (.down or .up). Requires `isSmallSeriesArgument`.
    public func arcsineBound(rounding: RoundingDirection) -> BigFloat {
        if let zero = seriesZero(rounding: rounding) { return zero }
        let p = precision
        let r = rounding.mpfr
        let x = storage.pointer
        let x2 = Storage(precision: p), term = Storage(precision: p), sum = Storage(precision: p)
        mpfr_sqr(x2.pointer, x, r)
        mpfr_set(term.pointer, x, r)
        mpfr_set(sum.pointer, x, r)
        let cutoff = ntk_mpfr_get_exp(x) - mpfr_exp_t(p + 16)
        var n = 1
        while mpfr_zero_p(term.pointer) == 0 && ntk_mpfr_get_exp(term.pointer) >= cutoff {
            mpfr_mul(term.pointer, term.pointer, x2.pointer, r)
            mpfr_mul_ui(term.pointer, term.pointer, UInt((2 * n - 1) * (2 * n - 1)), r)
            mpfr_div_ui(term.pointer, term.pointer, UInt((2 * n) * (2 * n + 1)), r)
            mpfr_add(sum.pointer, sum.pointer, term.pointer, r)
            n += 1
        }
        if rounding == .up {
            // Tail after the last term t_N: at most t_N·x²/(1 − x²) ≤ 2·t_N·x².
            mpfr_mul(term.pointer, term.pointer, x2.pointer, MPFR_RNDU)
            mpfr_mul_2ui(term.pointer, term.pointer, 1, MPFR_RNDU)
            mpfr_add(sum.pointer, sum.pointer, term.pointer, MPFR_RNDU)
        }
        return BigFloat(storage: sum)
    }
}
