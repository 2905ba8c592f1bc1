import Multiprecision

/// Closed forms of the first two finite-width corrections of the dispersion,
/// R(M) = F(λ) + c₁(λ)/M + c₂(λ)/M² + … (constant width M, L = λM, n₀ = M, ‖x‖² = X₀),
/// derivations/07. They hold up to terms exponentially small in M.
///
/// * no biases (any σ², any X₀): c₁ = c₁ʷʷ(λ), c₂ = c₂ʷʷ(λ);
/// * chaotic with biases: c₁ʷʷ, c₂ʷʷ plus terms in x = 1/X₀ and ρ = σ²/(σ² − 2), which blow
///   up as σ² → 2⁺ (the edge of chaos is not the limit of the chaotic expansion);
/// * edge of chaos with biases (α = 1/X₀): a mixture like the limit's;
/// * ordered with biases: R = 1/(1 − c/M), c = 5σ⁴/(4 − σ⁴), so c_k = c^k.
///
/// Every form is evaluated with the working precision raised for the cancellation at small λ
/// (as `InfiniteWidthLimits` does) and returned correctly rounded up to a few ulps.
public enum ExpansionClosedForms {
    /// (c₁, c₂) of the dispersion for n₀ = M; nil for n₀ ≠ M (no closed form is known there).
    public static func dispersion(sigma2: BigRational, lambda: BigRational, inputNorm2 x0: BigRational,
                                  trainableBiases: Bool, inputRatio: BigRational = 1,
                                  precision: Int) throws -> (c1: BigFloat, c2: BigFloat)? {
        guard lambda.signum > 0, x0.signum > 0, sigma2.signum > 0 else {
            throw LimitDomainError(description: "σ², λ and ‖x‖² must be positive")
        }
        guard inputRatio == 1 else { return nil }
        let rough = BigFloat(lambda, precision: 64)
        // Numerators O(λ^k) built from O(1) terms: up to 4·log₂(1/λ) bits cancel.
        let cancellation = (rough.exponent ?? 0) < 0 ? 4 * -(rough.exponent ?? 0) : 0
        let p = precision + 64 + cancellation
        let l = BigFloat(lambda, precision: p)
        func c(_ v: Int) -> BigFloat { BigFloat(v, precision: p) }
        func q(_ r: BigRational) -> BigFloat { BigFloat(r, precision: p) }
        let e5 = (c(5) * l).exp(), em1 = (-l).exp()
        let l2 = l * l, l3 = l2 * l, l4 = l2 * l2

        // c₁ʷʷ = −[(225λ³ + 240λ² + 11λ − 2)e^{5λ} + (λ + 2)e^{−λ}]/(54λ²)
        let c1ww = -((c(225) * l3 + c(240) * l2 + c(11) * l - c(2)) * e5 + (l + c(2)) * em1) / (c(54) * l2)
        // c₂ʷʷ = [(16875λ³ + 33750λ² + 14925λ + 860)e^{5λ} + (3λ + 4)e^{−λ}]/(648λ)
        let c2ww = ((c(16875) * l3 + c(33750) * l2 + c(14925) * l + c(860)) * e5 + (c(3) * l + c(4)) * em1) / (c(648) * l)
        func done(_ a: BigFloat, _ b: BigFloat) -> (BigFloat, BigFloat) {
            (BigFloat(a, precision: precision), BigFloat(b, precision: precision))
        }
        if !trainableBiases { return done(c1ww, c2ww) }

        switch Phase(sigma2: sigma2) {
        case .ordered:
            let s2 = sigma2 * sigma2
            let cc = q(BigRational(5) * s2 / (BigRational(4) - s2))
            return done(cc, cc * cc)
        case .chaotic:
            let x = q(BigRational(1) / x0)
            let rho = q(sigma2 / (sigma2 - 2))
            // c₁ = c₁ʷʷ + xρ·2[(1 − 3λ)e^{5λ} − (1 + 3λ)e^{−λ}]/(27λ³)
            let c1 = c1ww + x * rho * c(2) * ((c(1) - c(3) * l) * e5 - (c(1) + c(3) * l) * em1) / (c(27) * l3)
            // P₁ = ρ[(165λ² + 5λ − 2)e^{5λ} + (3λ² + 7λ + 2)e^{−λ}]/(27λ³) − 2ρ²[(15λ − 1)e^{5λ} + e^{−λ}]/(9λ²)
            let p1 = rho * ((c(165) * l2 + c(5) * l - c(2)) * e5 + (c(3) * l2 + c(7) * l + c(2)) * em1) / (c(27) * l3)
                - c(2) * rho * rho * ((c(15) * l - c(1)) * e5 + em1) / (c(9) * l2)
            // P₂ = ρ²[(6λ² + 2λ − 1)e^{5λ} + (4λ + 1)e^{−λ}]/(9λ⁴)
            let p2 = rho * rho * ((c(6) * l2 + c(2) * l - c(1)) * e5 + (c(4) * l + c(1)) * em1) / (c(9) * l4)
            return done(c1, c2ww + x * p1 + x * x * p2)
        case .edgeOfChaos:
            let a = q(BigRational(1) / x0)
            // B_wb = [(−15λ² − 11λ + 2)e^{5λ} − (λ + 2)e^{−λ}]/18, B_bb = [(1 − 5λ)e^{5λ} − 1]/5
            let bwb = ((c(2) - c(15) * l2 - c(11) * l) * e5 - (l + c(2)) * em1) / c(18)
            let bbb = ((c(1) - c(5) * l) * e5 - c(1)) / c(5)
            // D_wb = λ[(1125λ² + 1425λ + 140)e^{5λ} + (3λ + 4)e^{−λ}]/216, D_bb = 5λ(15λ + 2)e^{5λ}/12
            let dwb = l * ((c(1125) * l2 + c(1425) * l + c(140)) * e5 + (c(3) * l + c(4)) * em1) / c(216)
            let dbb = c(5) * l * (c(15) * l + c(2)) * e5 / c(12)
            let denominator = l2 * (c(1) + a) * (c(1) + a)
            let c1 = (l2 * c1ww + c(2) * a * bwb + a * a * bbb) / denominator
            let c2 = (l2 * c2ww + c(2) * a * dwb + a * a * dbb) / denominator
            return done(c1, c2)
        }
    }
}
