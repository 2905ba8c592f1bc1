import MonteCarlo

/// The sample mean of x^k = (Θ/E[Θ])^k against the exact E[Θ^k]/E[Θ]^k, with a standard error
/// and, where that error is trustworthy, a z-score.
public struct DistributionMomentComparison: Sendable, Equatable {
    /// Where the standard error comes from.
    public enum StandardErrorKind: String, Sendable, Codable {
        /// From the exact E[x^{2k}]: honest for any tail (k = 1, 2).
        case exact
        /// From the sample's own E[x^{2k}], which heavy tails make optimistic (k = 3, 4).
        case sample
    }

    public var order: Int
    public var estimate: Double
    public var standardError: Double
    public var standardErrorKind: StandardErrorKind
    public var exact: Double
    /// (estimate − exact)/standardError; NaN for a sample standard error.
    public var z: Double

    public init(order: Int, estimate: Double, standardError: Double, standardErrorKind: StandardErrorKind, exact: Double, z: Double) {
        self.order = order
        self.estimate = estimate
        self.standardError = standardError
        self.standardErrorKind = standardErrorKind
        self.exact = exact
        self.z = z
    }

    /// k = 1 … 4. For k = 1, 2 the standard error is the exact one, √((E[x^{2k}] − E[x^k]²)/N)
    /// from the exact normalized moments; for k = 3, 4 it is the sample's, since the exact one
    /// would need E[x⁶], E[x⁸], whose recursion costs minutes at width 1000 — and as heavy
    /// tails make the sample's optimistic, no z-score is formed from it (derivations/06).
    /// - Parameter normalizedExact: E[Θ^k]/E[Θ]^k for k = 1 … 4.
    public static func comparisons(_ distribution: ThetaDistribution, normalizedExact: [Double]) -> [DistributionMomentComparison] {
        (1...4).map { k in
            let m = distribution.moment(k)
            let exact = normalizedExact[k - 1]
            guard k <= 2 else {
                return DistributionMomentComparison(order: k, estimate: m.mean, standardError: m.standardError, standardErrorKind: .sample,
                                                    exact: exact, z: .nan)
            }
            let second = normalizedExact[2 * k - 1]
            let se = (max(0, second - exact * exact) / Double(max(distribution.count, 1))).squareRoot()
            return DistributionMomentComparison(order: k, estimate: m.mean, standardError: se, standardErrorKind: .exact,
                                                exact: exact, z: (m.mean - exact) / se)
        }
    }
}
