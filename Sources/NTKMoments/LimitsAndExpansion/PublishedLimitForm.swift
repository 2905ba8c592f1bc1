import Multiprecision

/// What the `published` member of `DispersionLimits` is, so that no front end presents one
/// limit as another.
public enum PublishedLimitForm: String, Sendable {
    /// The ordered-phase statement R → 1 of Seleznova & Kutyniok (ICML 2022), with trainable biases.
    case orderedOne = "ordered-one"
    /// F_pub(λ), the paper's chaotic-phase formula (= the GI limit with biases, σ² > 2).
    case chaoticFormula = "chaotic-formula"
    /// Edge of chaos with biases: the paper leaves g(λ, α₀) implicit; this is the GI-derived
    /// (F_pub + 2α₀F_wb^GI + α₀²F_bb)/(1+α₀)².
    case edgeOfChaosGIDerived = "edge-of-chaos-gi-derived"
    /// Without biases σ² scales out of Θ, so the paper's formula F_pub(λ) is the GI limit in
    /// every phase.
    case weightsOnlyFormula = "weights-only-formula"

    /// One line saying what the published value is.
    public var note: String {
        switch self {
        case .orderedOne: return "the ordered-phase result of Seleznova & Kutyniok (ICML 2022), R → 1"
        case .chaoticFormula: return "F_pub(λ), the chaotic-phase formula of Seleznova & Kutyniok (ICML 2022) (= the GI limit)"
        case .edgeOfChaosGIDerived:
            return "GI-derived: Seleznova & Kutyniok (ICML 2022) leave g(λ, α0) implicit; this is (F_pub + 2α0·F_wb^GI + α0²·F_bb)/(1+α0)²"
        case .weightsOnlyFormula:
            return "F_pub(λ): without biases σ² scales out of Θ, so the formula of Seleznova & Kutyniok (ICML 2022) is the GI limit in every phase"
        }
    }
}
