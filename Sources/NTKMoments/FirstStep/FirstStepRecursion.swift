import Multiprecision

/// The six states of path 2 in the E[f·Q] recursion (derivations/11-first-step.md). Path 1
/// (the factor f² = z·X_{L−1}) takes a_j at every hidden layer and z at the top.
enum FirstStepState: Int, CaseIterable {
    /// Weight term of the prefix X_{l−1} (factor a_j), before the outer layer l.
    case prefixWeight
    /// Bias term of the prefix (factor 1).
    case prefixBias
    /// Backward product b_l ⋯ b_{j−1} between l and the inner index j.
    case innerBackward
    /// Between j and m: the ratio X_{m−1}/X_j, factor a.
    case upward
    /// Backward product from m on (inside Δ_m): factor b.
    case backward
    /// After Δ_m's injection layer: factor a, z at the top.
    case injected
}

/// The state space of E[f·Q] (derivations/11): pairs (path 1 always 'a', path 2 in one of
/// six states), so a layer edge with path-2 factor '1', 'a', 'b' has weight E[a], E[a²], E[a·b].
final class FirstStepStateSpace: TransferStateSpace {
    static let shared = FirstStepStateSpace()

    let edges: [TransferEdge]
    let pattern: TransferPattern
    var stateCount: Int { FirstStepState.allCases.count }
    var maximumDegree: Int { 2 }

    private init() {
        typealias S = FirstStepState
        let one = (forward: 1, backward: 0, count: 1)      // path 2 takes 1
        let forward = (forward: 2, backward: 0, count: 1)  // path 2 takes a
        let backward = (forward: 1, backward: 1, count: 1) // path 2 takes b
        let list: [(S, S, (forward: Int, backward: Int, count: Int))] = [
            (.prefixWeight, .prefixWeight, forward), (.prefixBias, .prefixBias, one),
            (.prefixWeight, .innerBackward, backward), (.prefixBias, .innerBackward, backward),
            (.prefixWeight, .upward, one), (.prefixBias, .upward, one),
            (.innerBackward, .innerBackward, backward), (.innerBackward, .upward, one),
            (.upward, .upward, forward), (.upward, .backward, backward), (.upward, .injected, one),
            (.backward, .backward, backward), (.backward, .injected, one), (.injected, .injected, forward),
        ]
        edges = list.map { TransferEdge(source: $0.0.rawValue, target: $0.1.rawValue, terms: [$0.2]) }
        pattern = TransferPattern(size: S.allCases.count, oneStep: Set(list.map { [$0.0.rawValue, $0.1.rawValue] }))
    }
}

/// E[f·Q], Q = ⟨∇Θ(x,x), ∇f(x)⟩ at fixed activation patterns, by the transfer-matrix recursion
/// of derivations/11 in any arithmetic: −η·E[f·Q] is the smooth first-order mean change of the
/// NTK diagonal under one gradient-descent step on ½(f − y)² (independent of y).
///
///     E[fQ] = 4‖x‖²·[(v_UP + v_B)·σ²/n_{L−1} + v_U·3σ⁴/n²_{L−1}],  v = (‖x‖², β, 0, …)·Π_j M_j.
///
/// Dead networks contribute 0 (f = 0); L = 1 has Θ = ‖x‖² + β constant in the parameters, so
/// Q = 0; ‖x‖² = 0 gives f = 0. Cost as for E[Θ^p]: O(L), O(log L) per run of equal widths.
public struct FirstStepRecursion<Arithmetic: MomentArithmetic>: Sendable {
    public typealias Scalar = Arithmetic.Scalar
    public let arithmetic: Arithmetic

    public init(arithmetic: Arithmetic) { self.arithmetic = arithmetic }

    /// E[f·Q] (times 2^scale for `Double`).
    // Specialized for the rounded arithmetics so that callers in other modules (the
    // experiments, the bench) do not run the engine through generic metadata and witness
    // tables, which cost as much as the layers themselves (perf: 11 % in metadata lookups).
    @_specialize(where Arithmetic == MPFRArithmetic)
    @_specialize(where Arithmetic == DoubleArithmetic)
    @_specialize(where Arithmetic == EnclosureArithmetic)
    public func expectation(of architecture: Architecture) -> ScaledScalar<Scalar> {
        let zero = arithmetic.zero
        if architecture.depth == 1 || architecture.inputNorm2.isZero { return ScaledScalar(zero) }
        let x = arithmetic.inputNorm2
        let beta = arithmetic.constant(BigRational(architecture.beta))
        var start = Array(repeating: zero, count: FirstStepState.allCases.count)
        start[FirstStepState.prefixWeight.rawValue] = x
        start[FirstStepState.prefixBias.rawValue] = beta
        let engine = TransferRecursionEngine(arithmetic: arithmetic, model: .exact, space: FirstStepStateSpace.shared)
        let vector = engine.propagate(start, through: architecture)
        let n = BigRational(architecture.lastHiddenWidth)
        let z = arithmetic.constant(4 / n, sigma2Power: 1, twoToMinus: 0) * x
        let zz = arithmetic.constant(12 / (n * n), sigma2Power: 2, twoToMinus: 0) * x
        var top = Array(repeating: zero, count: FirstStepState.allCases.count)
        top[FirstStepState.upward.rawValue] = z
        top[FirstStepState.backward.rawValue] = z
        top[FirstStepState.injected.rawValue] = zz
        let (value, scale) = vector.dot(top, zero: zero)
        return ScaledScalar(value, binaryScale: scale)
    }

    /// The a-priori rounding-error bound for `expectation(of:)` in a rounded arithmetic.
    public static func roundingErrorBound(architecture: Architecture, significandBits: Int) -> RoundingErrorBound {
        FirstStepStateSpace.shared.roundingBound(architecture: architecture, significandBits: significandBits,
                                                 libmDeadProbability: false, extra: 8)
    }
}
