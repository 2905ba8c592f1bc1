import Multiprecision
import NTKMoments

/// The closed forms of c₁ and c₂ (derivations/07; known for n₀ = M) next to the fitted ones:
/// their difference checks the fit and the closed forms against each other.
public struct ExpandClosedForms: Sendable, Equatable {
    public var c1: ReportedReal
    /// numerical c₁ − closed-form c₁, rounded up to 2 digits.
    public var c1Difference: ReportedReal
    /// c₂ and its difference, when the expansion goes to order 2 or more.
    public var c2: ReportedReal?
    public var c2Difference: ReportedReal?

    public init(c1: ReportedReal, c1Difference: ReportedReal, c2: ReportedReal? = nil, c2Difference: ReportedReal? = nil) {
        self.c1 = c1
        self.c1Difference = c1Difference
        self.c2 = c2
        self.c2Difference = c2Difference
    }

    /// The closed forms for `expansion`'s family against its fitted dispersion (nil for the GI
    /// model, and where no closed form is known: n₀ ≠ M).
    init?(_ expansion: FiniteWidthExpansion, order: Int, digits: Int) throws {
        let family = expansion.family
        guard family.model == .exact else { return nil }
        guard let closed = try ExpansionClosedForms.dispersion(sigma2: family.sigma2, lambda: family.lambda, inputNorm2: family.inputNorm2,
                                                          trainableBiases: family.trainableBiases, inputRatio: family.inputRatio,
                                                          precision: expansion.precision) else { return nil }
        let fitted = expansion.dispersion.coefficients
        c1 = ExpandSeries.printed(closed.c1, digits: digits)
        c1Difference = ReportedReal(decimal: ExpandSeries.roundedUp(fitted[1] - closed.c1))
        if order >= 2 {
            c2 = ExpandSeries.printed(closed.c2, digits: digits)
            c2Difference = ReportedReal(decimal: ExpandSeries.roundedUp(fitted[2] - closed.c2))
        }
    }
}

/// The closed-form limit of E[fQ]/E[Θ]² (derivations/11) next to the fitted F of that series.
public struct ExpandFirstStepLimit: Sendable, Equatable {
    public var limit: ReportedReal
    /// F − limit, rounded up to 2 digits. Text report only: the document does not carry it
    /// (nil when decoded).
    public var difference: ReportedReal?

    public init(limit: ReportedReal, difference: ReportedReal? = nil) {
        self.limit = limit
        self.difference = difference
    }

    /// The limit for `family` against the fitted F; nil where no closed form applies.
    init?(_ family: FiniteWidthExpansion.Family, fittedLimit: BigFloat, precision: Int, digits: Int) {
        guard let l = try? FirstStepLimits(sigma2: family.sigma2, lambda: family.lambda, trainableBiases: family.trainableBiases,
                                           alpha0: family.alpha0, precision: precision).limit else { return nil }
        limit = ExpandSeries.printed(l, digits: digits)
        difference = ReportedReal(decimal: ExpandSeries.roundedUp(fittedLimit - l))
    }
}
