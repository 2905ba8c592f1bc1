import Foundation
import Multiprecision

/// Limits of the normalized moments R_p = E[Θ^p]/E[Θ]^p as M → ∞ with L/M → λ (constant width,
/// n₀ = M), derivations/08.
///
/// Closed forms (derived like the dispersion's, from the multiset generator, in derivations/08;
/// each tied to the extrapolated recursion by the test normalized-moment-limits):
/// * weights only (any σ²) and chaotic with biases: F3_www, F4_wwww;
/// * edge of chaos with biases, α = 1/X₀: R_3 → Σ_q C(3,q) α^q F3_q/(1 + α)³ with the four
///   components F3_www, F3_wwb, F3_wbb, F3_bbb;
/// * ordered with biases: 1.
/// Where no closed form is known (p = 4 at the edge of chaos, p ≥ 5, the GI model) the limit
/// is the c₀ of `FiniteWidthExpansion`: the exact recursion extrapolated in 1/M, labelled as
/// such with its self-consistent error estimate; where that expansion does not hold
/// (`ExpansionValidity`) the initializer throws with the reason.
public struct NormalizedMomentLimit: Sendable {
    public enum Source: Sendable, Equatable {
        case closedForm
        /// Extrapolated from the exact recursion; the associated value is the error estimate.
        case extrapolated(BigFloat)
    }

    public let order: Int
    public let value: BigFloat
    public let source: Source

    /// The limit of R_p for n₀ = rM (closed forms need r = 1) and ‖x‖² = X₀.
    public init(order p: Int, sigma2: BigRational, lambda: BigRational, inputNorm2 x0: BigRational = 1,
                inputRatio r: BigRational = 1, trainableBiases: Bool = true, model: MomentModel = .exact,
                precision: Int) throws {
        guard p >= 1, p <= HigherMomentSummary.maximumOrder else {
            throw LimitDomainError(description: "moment order \(p) outside 1…\(HigherMomentSummary.maximumOrder)")
        }
        guard lambda.signum > 0, sigma2.signum > 0, x0.signum > 0, r.signum > 0 else {
            throw LimitDomainError(description: "σ², λ, r and ‖x‖² must be positive")
        }
        self.order = p
        if p == 1 {
            value = BigFloat(1, precision: precision)
            source = .closedForm
            return
        }
        if p == 2 {
            let limits = try DispersionLimits(sigma2: sigma2, lambda: lambda, trainableBiases: trainableBiases,
                                              alpha0: DispersionLimits.alpha0(inputRatio: r, inputNorm2: x0, trainableBiases: trainableBiases),
                                              precision: precision)
            value = model == .exact ? limits.exact : limits.gradientIndependence
            source = .closedForm
            return
        }
        let phase = Phase(sigma2: sigma2)
        if model == .exact {
            if trainableBiases && phase == .ordered {
                value = BigFloat(1, precision: precision)
                source = .closedForm
                return
            }
            let weightsOnly = !trainableBiases || phase == .chaotic
            if weightsOnly, let f = Self.weightComponent(order: p, lambda: lambda, precision: precision) {
                value = f
                source = .closedForm
                return
            }
            if p == 3, r == 1, let mixed = Self.edgeOfChaosThird(lambda: lambda, alpha: BigRational(1) / x0, precision: precision) {
                value = mixed
                source = .closedForm
                return
            }
        }
        // The expansion carries at most 200 digits; beyond that the extrapolated value is
        // limited by its own error estimate, not by the working precision.
        let digits = min(FiniteWidthExpansion.maximumDigits, max(10, Int(Double(precision) * 0.30103) - 2))
        let expansion = try FiniteWidthExpansion(
            family: .init(sigma2: sigma2, lambda: lambda, inputRatio: r, inputNorm2: x0, trainableBiases: trainableBiases, model: model),
            order: 1, digits: digits, points: 10, momentOrder: p)
        if let reason = expansion.validity.reason {
            throw LimitDomainError(description: "the limit of E[Θ^\(p)]/E[Θ]^\(p) has no closed form here and the 1/M expansion it would be extrapolated from does not hold: \(reason)")
        }
        value = BigFloat(expansion.normalizedMoment.coefficients[0], precision: precision)
        source = .extrapolated(expansion.normalizedMoment.errors[0])
    }

    /// Evaluates a closed form with guard bits for the cancellation at small λ.
    /// Whether `init` has a closed form for these parameters; otherwise it extrapolates the
    /// exact recursion in 1/M, which costs `extrapolationSeconds`. (The same decisions as
    /// `init`, in the same order; a test ties the two together.)
    public static func hasClosedForm(order p: Int, sigma2: BigRational, inputRatio r: BigRational = 1,
                                     trainableBiases: Bool = true, model: MomentModel = .exact) -> Bool {
        if p <= 2 { return true }
        guard model == .exact else { return false }
        let phase = Phase(sigma2: sigma2)
        if trainableBiases && phase == .ordered { return true }
        if (!trainableBiases || phase == .chaotic) && (p == 3 || p == 4) { return true }
        return p == 3 && r == 1
    }

    /// Estimated wall seconds of one extrapolated limit of order p on one core. Measured with
    /// the release build on the project's 2-core machine at 128 bits (`make bench` prints the
    /// estimate next to the measured time): the exact recursion runs at constant widths on
    /// C(p+3, 3) states, so the cost grows about 3–4× per order; it hardly depends on λ, and
    /// grows slowly with the precision up to the expansion's 200 digits (about 670 bits).
    public static func extrapolationSeconds(order p: Int, precision: Int) -> Double {
        let atDefaultPrecision: [Int: Double] = [3: 0.06, 4: 0.18, 5: 0.45, 6: 1.1, 7: 3.0, 8: 6.7]
        let bits = Double(min(max(precision, 128), 670))
        return (atDefaultPrecision[p] ?? 0) * pow(bits / 128, 0.3)
    }

    static func evaluate(_ lambda: BigRational, precision: Int, _ body: (BigFloat, Int) -> BigFloat) -> BigFloat {
        let rough = BigFloat(lambda, precision: 64)
        let cancellation = (rough.exponent ?? 0) < 0 ? 5 * -(rough.exponent ?? 0) : 0
        let p = precision + 64 + cancellation
        return BigFloat(body(BigFloat(lambda, precision: p), p), precision: precision)
    }

    /// F3_www (p = 3) and F4_wwww (p = 4): the weights-only limits.
    public static func weightComponent(order p: Int, lambda: BigRational, precision: Int) -> BigFloat? {
        switch p {
        case 3:
            // [(375λ³ + 150λ² + 105λ − 24)e^{15λ} + (135λ + 24)e^{5λ}]/(3125λ³)
            return evaluate(lambda, precision: precision) { l, w in
                let c = { (v: Int) in BigFloat(v, precision: w) }
                let l2 = l * l, l3 = l2 * l
                let numerator = (c(375) * l3 + c(150) * l2 + c(105) * l - c(24)) * (c(15) * l).exp() + (c(135) * l + c(24)) * (c(5) * l).exp()
                return numerator / (c(3125) * l3)
            }
        case 4:
            // [(40516875λ⁴ + 13891500λ³ + 4696650λ² + 3163860λ − 787293)e^{30λ}
            //  + (13340250λ² + 12799500λ − 36250)e^{16λ} + 823543·e^{10λ}]/(926485875λ⁴)
            return evaluate(lambda, precision: precision) { l, w in
                let c = { (v: Int) in BigFloat(v, precision: w) }
                let l2 = l * l, l3 = l2 * l, l4 = l2 * l2
                let a = (c(40_516_875) * l4 + c(13_891_500) * l3 + c(4_696_650) * l2 + c(3_163_860) * l - c(787_293)) * (c(30) * l).exp()
                let b = (c(13_340_250) * l2 + c(12_799_500) * l - c(36_250)) * (c(16) * l).exp()
                return (a + b + c(823_543) * (c(10) * l).exp()) / (c(926_485_875) * l4)
            }
        default:
            return nil
        }
    }

    /// The edge-of-chaos limit of R_3 with biases, α = 1/X₀ (n₀ = M):
    /// (F3_www + 3αF3_wwb + 3α²F3_wbb + α³F3_bbb)/(1 + α)³.
    public static func edgeOfChaosThird(lambda: BigRational, alpha: BigRational, precision: Int) -> BigFloat? {
        guard let www = weightComponent(order: 3, lambda: lambda, precision: precision + 32) else { return nil }
        let w = precision + 32
        // F3_wwb = [(8100λ² + 3240λ + 1917)e^{15λ} − (80100λ² + 41160λ − 1208)e^{5λ} − 3125e^{−λ}]/(675000λ³)
        let wwb = evaluate(lambda, precision: w) { l, q in
            let c = { (v: Int) in BigFloat(v, precision: q) }
            let l2 = l * l, l3 = l2 * l
            let n = (c(8100) * l2 + c(3240) * l + c(1917)) * (c(15) * l).exp() - (c(80100) * l2 + c(41160) * l - c(1208)) * (c(5) * l).exp()
                - c(3125) * (-l).exp()
            return n / (c(675_000) * l3)
        }
        // F3_wbb = [(60λ + 49)e^{15λ} − (420λ + 320)e^{5λ} + 600λ + 896 − 625e^{−λ}]/(22500λ³)
        let wbb = evaluate(lambda, precision: w) { l, q in
            let c = { (v: Int) in BigFloat(v, precision: q) }
            let l3 = l * l * l
            let n = (c(60) * l + c(49)) * (c(15) * l).exp() - (c(420) * l + c(320)) * (c(5) * l).exp() + c(600) * l + c(896) - c(625) * (-l).exp()
            return n / (c(22500) * l3)
        }
        // F3_bbb = [e^{15λ} − 9e^{5λ} + 30λ + 8]/(375λ³)
        let bbb = evaluate(lambda, precision: w) { l, q in
            let c = { (v: Int) in BigFloat(v, precision: q) }
            return ((c(15) * l).exp() - c(9) * (c(5) * l).exp() + c(30) * l + c(8)) / (c(375) * l * l * l)
        }
        let a = BigFloat(alpha, precision: w), one = BigFloat(1, precision: w), three = BigFloat(3, precision: w)
        let mixture = (www + three * a * wwb + three * a * a * wbb + a * a * a * bbb) / ((one + a) * (one + a) * (one + a))
        return BigFloat(mixture, precision: precision)
    }
}
