import Multiprecision

/// An a-priori bound on the relative rounding error of the moment recursion run in a
/// rounded arithmetic (MPFR at p bits, or `Double` with p = 53), derivations/03.
///
/// Every quantity the recursion forms is a sum of products of non-negative numbers, so
/// rounding errors cannot cancel against anything: a computed value carries a factor
/// (1 + θ) with |θ| ≤ γ_K = K·u/(1 − K·u), u = 2^{−p}, where K counts the roundings on the
/// longest chain of operations that feeds it (Higham, *Accuracy and Stability of Numerical
/// Algorithms*, §3.1: a product adds the counts of its factors plus one, a sum takes the
/// larger count plus one). The chains are counted on the engine's own operation structure:
///
/// * layer constants: correctly rounded rationals, at most one further sum (K ≤ 2);
/// * one layer applied as a factored operator (`FactoredLayerOperator`): for each target,
///   the largest source group minus one addition, one product, and one addition per other
///   group writing the target;
/// * one layer applied as a matrix, and runs of equal layers by repeated squaring: a matrix
///   product adds at most T + 1 to the sum of its factors' counts (T = the most terms any
///   product entry has), so a run of r layers adds at most r·(K_layer + T + 1);
/// * start vector (K ≤ 3), top weights and final dot product (≤ 13), the dead-network term
///   (MPFR: correctly rounded transcendental functions, K ≤ 2; `Double`: libm's log1p and
///   expm1, assumed within 2 ulp, K ≤ 3R + 10 for R distinct hidden widths).
///
/// Hence K ≤ (L − 1)·D + 3R + 40 with D the largest per-layer count of either evaluation
/// order. The bound also covers `layerContributions` (at most 9 roundings per layer on its
/// prefix and suffix chains, and D ≥ 9).
///
/// Assumption for `Double`: σ² and ‖x‖² lie in `DoubleArithmetic.supportedRange`, so that no
/// per-layer constant under- or overflows; vectors and matrices are rescaled by exact powers
/// of two, and an entry that the shared scale would push below 2^{−1022} is more than 2^{766}
/// below the largest one (the engine's spread guard), far below this bound's resolution.
public struct RoundingErrorBound: Sendable, Equatable {
    /// K, the number of roundings on the longest chain.
    public let roundings: Int
    /// p, the significand bits of the arithmetic (u = 2^{−p}).
    public let significandBits: Int

    /// Roundings a single hidden layer can add, in the worst of the engine's evaluation orders.
    public static let perLayerRoundings: Int = {
        func factoredIncrement(_ op: FactoredLayerOperator) -> Int {
            var groupsPerTarget: [Int: Int] = [:], largestGroup: [Int: Int] = [:]
            for g in op.groups {
                groupsPerTarget[g.target, default: 0] += 1
                largestGroup[g.target] = max(largestGroup[g.target] ?? 0, g.sources.count)
            }
            // (largest group − 1) additions + constant (2) + its product (1) + other groups' additions.
            return groupsPerTarget.keys.map { (largestGroup[$0]! - 1) + 3 + (groupsPerTarget[$0]! - 1) }.max() ?? 0
        }
        let operators = [FactoredLayerOperator.exactMean, .exactPair, .giMean, .giPair]
        let factored = operators.map(factoredIncrement).max() ?? 0
        let terms = [Patterns.mean, Patterns.pair].flatMap { $0.productTerms.map(\.count) }.max() ?? 0
        // A layer matrix entry sums at most two correctly rounded constants (K ≤ 3); applying it
        // or multiplying by it adds T + 1.
        let matrix = 3 + terms + 1
        return max(factored, matrix, 9)
    }()

    /// The bound for the moments of `architecture` computed with `significandBits`-bit
    /// rounding to nearest. `libmDeadProbability` is true for `Double`, whose P(dead) comes
    /// from libm's log1p and expm1 instead of MPFR's correctly rounded ones.
    public init(architecture: Architecture, significandBits: Int, libmDeadProbability: Bool) {
        let distinctWidths = architecture.hiddenWidthTotals.count
        let dead = libmDeadProbability ? 3 * distinctWidths + 10 : 2
        // Saturate: depth ≤ 2^50 and D < 2^8 keep this far from overflow anyway.
        self.roundings = architecture.hiddenLayerCount * Self.perLayerRoundings + dead + 40
        self.significandBits = significandBits
    }

    /// A bound of K roundings at p significand bits.
    public init(roundings: Int, significandBits: Int) {
        self.roundings = roundings
        self.significandBits = significandBits
    }

    /// γ_K = K·2^{−p}/(1 − K·2^{−p}), rounded up; nil when K·2^{−p} ≥ 1/2 (no useful bound).
    public var relative: BigFloat? {
        let p = 64
        let ku = BigFloat.product(BigFloat(roundings, precision: p), BigFloat.powerOfTwo(-significandBits, precision: p),
                                  precision: p, rounding: .up)
        guard ku < BigFloat(1, precision: p).timesPowerOfTwo(-1) else { return nil }
        let denominator = BigFloat.difference(BigFloat(1, precision: p), ku, precision: p, rounding: .down)
        return BigFloat.quotient(ku, denominator, precision: p, rounding: .up)
    }

    /// An interval that contains the exact value of which `computed` (≥ 0) is the rounded
    /// result; nil when the bound is useless.
    public func enclosure(of computed: BigFloat) -> Enclosure? {
        guard let gamma = relative else { return nil }
        if computed.isZero { return Enclosure(exactly: computed) }
        let p = computed.precision + 8
        let one = BigFloat(1, precision: p)
        let low = BigFloat.product(computed, BigFloat.difference(one, gamma, precision: p, rounding: .down),
                                   precision: p, rounding: .down)
        let high = BigFloat.product(computed, BigFloat.sum(one, gamma, precision: p, rounding: .up),
                                    precision: p, rounding: .up)
        return computed.signum < 0 ? Enclosure(lower: high, upper: low) : Enclosure(lower: low, upper: high)
    }

    /// The smallest working precision p ≥ `minimum` at which this bound guarantees `digits`
    /// significant decimal digits: 2^{−p}·K·(1 + margin) well below 10^{−digits−1}.
    public static func precision(guaranteeing digits: Int, architecture: Architecture, minimum: Int) -> Int {
        let k = Self(architecture: architecture, significandBits: 64, libmDeadProbability: false).roundings
        let bitsForCount = Int.bitWidth - k.leadingZeroBitCount
        let bitsForDigits = Int((Double(digits + 2) * 3.3219280948873626).rounded(.up))
        return max(minimum, bitsForDigits + bitsForCount + 4)
    }
}
