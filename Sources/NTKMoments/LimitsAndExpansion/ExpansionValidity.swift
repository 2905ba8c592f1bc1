import Multiprecision

/// Whether the 1/M expansion read off the exact recursion holds at a family's setting, and
/// why not (derivations/07, "Where the expansion holds").
///
/// The expansion R(M) = c₀ + c₁/M + c₂/M² + … is asymptotic and not uniform in σ², λ, ‖x‖²:
/// * **crossover**: with biases and σ² ≠ 2 the exact R(M) carries terms of order
///   e^{−M/M×}, M× = 1/(λ·|ln(σ²/2)|) — the factor (2/σ²)^L or (σ²/2)^L that ends the
///   geometric sums of the bias paths. For M ≲ M× a network looks like the edge of chaos,
///   and a fit through such widths reads off the edge-of-chaos expansion, not this one.
/// * **growth**: c_{k+1}/c_k grows like g(λ)·σ²/(σ² − 2) near σ² = 2⁺ (g(1) ≈ 15.7 at
///   ‖x‖² = 1, g ≈ 15λ at large λ), 5σ⁴/(4 − σ⁴) in the ordered phase, ~ 30/λ at small λ and
///   c₁/F → −12.5λ at large λ; the series is asymptotic only for M well above
///   G = max_k |c_{k+1}/c_k|.
///
/// The verdict holds when the smallest width of the fitted window is at least
/// `crossoverMargin`·M× and `growthMargin`·G, every kept coefficient of the tabulated
/// quantity is resolved (its error bound below a tenth of itself), the fitted c₀, c₁, c₂ lie
/// within their error bounds of the closed forms where those exist, and c₀ — a dispersion or a
/// normalized moment — is not below 1.
public struct ExpansionValidity: Sendable {
    /// Why the expansion does not hold; nil when it does.
    public let reason: String?
    /// M× = 1/(λ|ln(σ²/2)|) with biases and σ² ≠ 2, else nil (no crossover).
    public let crossoverWidth: BigFloat?
    /// G = max_k |c_{k+1}/c_k| over the resolved coefficients of the tabulated quantity, nil
    /// when fewer than two are resolved.
    public let growthWidth: BigFloat?

    public var holds: Bool { reason == nil }

    /// The width from which the series is asymptotic: max(M×, G). Below it the first omitted
    /// term is not smaller than the last kept one, or the crossover terms are not small.
    public var asymptoticWidth: BigFloat {
        let one = BigFloat(1, precision: 64)
        return max(crossoverWidth ?? one, growthWidth ?? one)
    }

    /// The smallest fitted width must be at least this multiple of M×: the crossover terms
    /// are then below e^{−32} ≈ 10⁻¹⁴ of the correction they ride on, and they shrink by
    /// e^{−32} again in the check window, so the window-to-window difference measures them.
    public static let crossoverMargin = 32
    /// The smallest fitted width must be at least this multiple of G: each omitted order is
    /// then at most a quarter of the previous one, so the truncation error is dominated by its
    /// leading term, which at least halves when the widths double, and twice the
    /// window-to-window difference bounds it.
    public static let growthMargin = 4
    /// Margins the window is moved up to when the widths allow (more digits).
    public static let idealCrossoverMargin = 128
    public static let idealGrowthMargin = 64

    init(reason: String?, crossoverWidth: BigFloat?, growthWidth: BigFloat?) {
        self.reason = reason
        self.crossoverWidth = crossoverWidth
        self.growthWidth = growthWidth
    }

    /// M× = 1/(λ|ln(σ²/2)|) for a family with biases and σ² ≠ 2; nil otherwise (without
    /// biases the dispersion does not depend on σ², derivations/04).
    public static func crossoverWidth(of family: FiniteWidthExpansion.Family) -> BigFloat? {
        guard family.trainableBiases, family.sigma2 != BigRational(2) else { return nil }
        let p = 64
        // ln(σ²/2) = log1p((σ² − 2)/2), accurate however close σ² is to 2.
        let logRatio = BigFloat((family.sigma2 - 2) / 2, precision: p).log1p().magnitude()
        return BigFloat(1, precision: p) / (BigFloat(family.lambda, precision: p) * logRatio)
    }

    /// G = max_k |c_{k+1}/c_k| over consecutive coefficients c_0 … c_top that are resolved
    /// (|main − check| below a tenth of |main|).
    static func growthWidth(main: [BigFloat], check: [BigFloat], top: Int) -> BigFloat? {
        func resolved(_ j: Int) -> Bool {
            let c = main[j].magnitude()
            return !c.isZero && (main[j] - check[j]).magnitude() * BigFloat(10, precision: 64) < c
        }
        var largest: BigFloat? = nil
        for j in 0..<min(top, main.count - 1) where resolved(j) && resolved(j + 1) {
            let ratio = (main[j + 1] / main[j]).magnitude()
            if largest.map({ ratio > $0 }) ?? true { largest = ratio }
        }
        return largest.map { BigFloat($0, precision: 64) }
    }

    /// Why the prediction `value` = c₀ + c₁/M + … at width M is not to be printed, or nil:
    /// the expansion fails, M is below the asymptotic width, or the value is below `minimum`
    /// (1 for a dispersion or normalized moment; nil for quantities without a range).
    public func predictionFailure(width M: Int, value: BigFloat, minimum: BigFloat?) -> String? {
        if let reason { return reason }
        let w = asymptoticWidth
        if BigFloat(M, precision: 64) < w {
            return "M = \(M) is below the width \(Self.short(w)) from which the 1/M series is asymptotic (max of the crossover width and the coefficients' growth |c_{k+1}/c_k|)"
        }
        if let minimum, value < minimum {
            return "F + c1/M = \(Self.short(value)) at M = \(M) is below \(Self.short(minimum)), impossible for this quantity"
        }
        return nil
    }

    /// The verdict for a window whose smallest width is `smallestWidth` (at most
    /// `highestStart` at this λ and r), in the order: crossover, growth, resolution,
    /// closed forms, range.
    static func assess(family: FiniteWidthExpansion.Family, smallestWidth: Int, highestStart: Int,
                       crossoverWidth: BigFloat?, growthWidth: BigFloat?,
                       dispersion: FiniteWidthExpansion.Series, normalizedMoment: FiniteWidthExpansion.Series?,
                       momentOrder: Int, precision: Int) throws -> ExpansionValidity {
        func verdict(_ reason: String?) -> ExpansionValidity {
            ExpansionValidity(reason: reason, crossoverWidth: crossoverWidth, growthWidth: growthWidth)
        }
        let mMin = BigFloat(smallestWidth, precision: 64)
        let reach = "the smallest width of the fitted window can be at most \(short(BigFloat(highestStart, precision: 64))) here (widths, depths and n0 stay within 2^50)"
        if let crossover = crossoverWidth, mMin < crossover * BigFloat(crossoverMargin, precision: 64) {
            let distance = BigFloat(family.sigma2 - 2, precision: 64).magnitude()
            let side = Phase(sigma2: family.sigma2) == .chaotic ? "chaotic" : "ordered"
            return verdict("σ² is \(short(distance)) from the phase boundary σ² = 2: R(M) crosses over from edge-of-chaos to \(side) behaviour around M× = 1/(λ·|ln(σ²/2)|) = \(short(crossover)), and the 1/M expansion needs widths of at least \(crossoverMargin)·M×, but \(reach)")
        }
        if let growth = growthWidth, mMin < growth * BigFloat(growthMargin, precision: 64) {
            return verdict("the coefficients grow like |c_{k+1}/c_k| ≈ \(short(growth)) (the expansion is not uniform near σ² = 2, at small λ and at large λ), so the 1/M series needs widths of at least \(growthMargin) times that, but \(reach)")
        }
        let quantities = [("R = E[Θ²]/E[Θ]²", dispersion)] + (normalizedMoment.map { [("E[Θ^\(momentOrder)]/E[Θ]^\(momentOrder)", $0)] } ?? [])
        for (name, series) in quantities {
            for (j, (c, e)) in zip(series.coefficients, series.errors).enumerated() where !(e * BigFloat(10, precision: 64) < c.magnitude()) {
                return verdict("c\(j) of \(name) is not resolved: \(short(c)) ± \(short(e)) (the coefficients move by more than a tenth of themselves when the widths double)")
            }
        }
        let limits = try DispersionLimits(sigma2: family.sigma2, lambda: family.lambda, trainableBiases: family.trainableBiases,
                                          alpha0: family.alpha0, precision: precision)
        var closed: [(String, BigFloat)] = [("F", family.model == .exact ? limits.exact : limits.gradientIndependence)]
        if family.model == .exact, let c = try ExpansionClosedForms.dispersion(sigma2: family.sigma2, lambda: family.lambda, inputNorm2: family.inputNorm2,
                                                                             trainableBiases: family.trainableBiases, inputRatio: family.inputRatio,
                                                                             precision: precision) {
            closed += [("c1", c.c1), ("c2", c.c2)]
        }
        for (j, (name, value)) in closed.enumerated() where j < dispersion.coefficients.count {
            let difference = (dispersion.coefficients[j] - value).magnitude()
            if difference > dispersion.errors[j] {
                return verdict("the fitted \(name) = \(short(dispersion.coefficients[j])) differs from its closed form \(short(value)) by \(short(difference)), more than its error bound \(short(dispersion.errors[j]))")
            }
        }
        let one = BigFloat(1, precision: 64)
        for (name, series) in quantities where series.coefficients[0] + series.errors[0] < one {
            return verdict("the limit of \(name) comes out as \(short(series.coefficients[0])), below 1, which no such ratio can be")
        }
        return verdict(nil)
    }

    /// The verdict for printing the closed-form c₁, c₂ of `family` (n₀ = rM) on their own, as
    /// `limit --corrections` does: the verdict of the expansion read off the recursion where
    /// it can be formed (the closed forms then are among its checks); where it cannot (λ or r
    /// with a denominator beyond 2^20) the crossover rule alone, with widths up to 2^50.
    public static func ofClosedForms(_ family: FiniteWidthExpansion.Family) -> ExpansionValidity {
        do {
            return try FiniteWidthExpansion(family: family, order: 2, digits: 12, points: 8).validity
        } catch {
            let crossover = crossoverWidth(of: family)
            guard let crossover, BigFloat(1 << 50, precision: 64) < crossover * BigFloat(crossoverMargin, precision: 64) else {
                return ExpansionValidity(reason: nil, crossoverWidth: crossover, growthWidth: nil)
            }
            return ExpansionValidity(reason: "σ² is \(short(BigFloat(family.sigma2 - 2, precision: 64).magnitude())) from the phase boundary σ² = 2: R(M) crosses over around M× = 1/(λ·|ln(σ²/2)|) = \(short(crossover)), and the 1/M expansion needs widths of at least \(crossoverMargin)·M×, beyond 2^50",
                                     crossoverWidth: crossover, growthWidth: nil)
        }
    }

    /// A few significant digits, for reasons.
    static func short(_ x: BigFloat) -> String { x.formatted(significantDigits: 3) }
}
