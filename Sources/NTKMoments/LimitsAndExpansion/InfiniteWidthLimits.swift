import Multiprecision

/// Closed forms of the infinite-depth-and-width limit of the dispersion R = E[Θ²]/E[Θ]²
/// (constant width M → ∞, depth L with L/M → λ > 0), derived in derivations/04.
///
/// Two different limits are provided and never confused:
/// * the limit of the **exact** recursion (`F_ww`, `F_wb`, `F_bb`);
/// * the limit of the **gradient-independence** approximation, which is the formula
///   published by Seleznova & Kutyniok (2022) (`F_pub`, and `F_wb^GI` for the edge of chaos).
///
/// Accuracy: every function returns its value correctly rounded to nearest at `precision`
/// bits up to a few units in the last place. The closed forms cancel catastrophically for
/// small λ (a numerator O(λ²) built from terms O(1)), so the working precision is raised by
/// ~3·log₂(1/λ) bits plus 64 guard bits before evaluating them.
public enum InfiniteWidthLimits {
    /// Working precision that absorbs the cancellation at small λ and the growth e^{5λ}.
    static func workingPrecision(for lambda: BigFloat, target: Int) -> Int {
        guard let e = lambda.exponent else { return target + 64 }
        let cancellation = e < 0 ? 3 * (-e) : 0
        return target + 64 + cancellation
    }

    static func evaluate(_ lambda: BigRational, precision: Int, _ body: (BigFloat, Int) -> BigFloat) -> BigFloat {
        let rough = BigFloat(lambda, precision: 64)
        let working = workingPrecision(for: rough, target: precision)
        let l = BigFloat(lambda, precision: working)
        return BigFloat(body(l, working), precision: precision)
    }

    /// F_ww(λ) = [(9λ² + 6λ − 1)e^{5λ} + e^{−λ}] / (27λ²): chaotic-phase limit of the exact recursion.
    public static func weightWeight(_ lambda: BigRational, precision: Int) -> BigFloat {
        evaluate(lambda, precision: precision) { l, p in
            let c = { (v: Int) in BigFloat(v, precision: p) }
            let e5 = (c(5) * l).exp()
            let em1 = (-l).exp()
            let numerator = (c(9) * l * l + c(6) * l - c(1)) * e5 + em1
            return numerator / (c(27) * l * l)
        }
    }

    /// F_wb(λ) = [(15λ + 11)e^{5λ} − 45λ − 36 + 25e^{−λ}] / (225λ²): weight–bias cross term.
    public static func weightBias(_ lambda: BigRational, precision: Int) -> BigFloat {
        evaluate(lambda, precision: precision) { l, p in
            let c = { (v: Int) in BigFloat(v, precision: p) }
            let numerator = (c(15) * l + c(11)) * (c(5) * l).exp() - c(45) * l - c(36) + c(25) * (-l).exp()
            return numerator / (c(225) * l * l)
        }
    }

    /// F_bb(λ) = 2(e^{5λ} − 1 − 5λ)/(25λ²): bias–bias term (the same in both models).
    public static func biasBias(_ lambda: BigRational, precision: Int) -> BigFloat {
        evaluate(lambda, precision: precision) { l, p in
            let c = { (v: Int) in BigFloat(v, precision: p) }
            let fiveL = c(5) * l
            return c(2) * (fiveL.expm1() - fiveL) / (c(25) * l * l)
        }
    }

    /// F_pub(λ) = e^{5λ}/(2λ)·(1 − (1 − e^{−4λ})/(4λ)): the published chaotic-phase limit,
    /// which is the limit of the gradient-independence recursion.
    public static func published(_ lambda: BigRational, precision: Int) -> BigFloat {
        evaluate(lambda, precision: precision) { l, p in
            let c = { (v: Int) in BigFloat(v, precision: p) }
            let fourL = c(4) * l
            let bracket = c(1) + (-fourL).expm1() / fourL  // 1 − (1 − e^{−4λ})/(4λ)
            return (c(5) * l).exp() / (c(2) * l) * bracket
        }
    }

    /// F_wb^GI(λ) = [(e^{5λ} − 1 − 5λ)/25 + e^{5λ}((1 − e^{−4λ})/4 − (1 − e^{−5λ})/5)]/λ²:
    /// the weight–bias term of the gradient-independence limit at the edge of chaos.
    public static func weightBiasGradientIndependence(_ lambda: BigRational, precision: Int) -> BigFloat {
        evaluate(lambda, precision: precision) { l, p in
            let c = { (v: Int) in BigFloat(v, precision: p) }
            let fiveL = c(5) * l
            let first = (fiveL.expm1() - fiveL) / c(25)
            let inner = -(-(c(4) * l)).expm1() / c(4) + (-fiveL).expm1() / c(5)
            return (first + fiveL.exp() * inner) / (l * l)
        }
    }

    /// (F_w + 2α₀F_b + α₀²F_bb)/(1 + α₀)².
    static func edgeOfChaosMixture(_ fw: BigFloat, _ fb: BigFloat, _ fbb: BigFloat, alpha0: BigRational, precision: Int) -> BigFloat {
        let a = BigFloat(alpha0, precision: precision + 32)
        let one = BigFloat(1, precision: precision + 32)
        let two = BigFloat(2, precision: precision + 32)
        let numerator = fw + two * a * fb + a * a * fbb
        let denominator = (one + a) * (one + a)
        return BigFloat(numerator / denominator, precision: precision)
    }
}
