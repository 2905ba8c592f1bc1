import Multiprecision

/// Θ*(x, x′), Σ*(x, x′) and the diagonals for one pair of inputs, in one arithmetic.
public struct KernelValues<Scalar: Sendable>: Sendable {
    /// The infinite-width NTK Θ*(x, x′).
    public var ntk: Scalar
    /// The infinite-width NNGP Σ*(x, x′) = Cov(f(x), f(x′)).
    public var nngp: Scalar
    /// Θ*(x, x) and Θ*(x′, x′).
    public var ntkDiagonal1: Scalar
    public var ntkDiagonal2: Scalar
    /// Θ*(x, x′)/√(Θ*(x, x)Θ*(x′, x′)) (0 when a diagonal is 0).
    public var normalized: Scalar
}

/// The infinite-width NTK and NNGP of the project's network (derivations/09-two-input-kernel.md):
/// the arc-cosine recursion, evaluated in any `KernelArithmetic`.
///
/// With D_j = (σ²/2)^j n_j/n₀, the post-activation Gram entries of layer j are
/// q_j = D_j q, q′_j = D_j q′, c_j = D_j √(qq′) cos φ_j, where the angles follow the universal map
/// φ_j = arccos(J(φ_{j−1})/π), J(φ) = sin φ + (π − φ) cos φ, from φ₀ = ∠(x, x′). Hidden layer k's
/// backward factor is (σ²/2)(1 − φ_{k−1}/π), and
///   Θ* = Σ_{l=1..L} (c_{l−1} + β) Π_{k=l..L−1} (σ²/2)(1 − φ_{k−1}/π),  Σ* = (σ²/n_{L−1}) c_{L−1},
/// evaluated by Horner's rule going up the layers. The angle is carried (not ρ) and computed from
/// well-conditioned formulas (`KernelAngleMap`), so the digits hold near ρ = 1; at φ = 0 exactly
/// the loop performs exactly the operations of the diagonal, so ρ = 1 reproduces Θ*(x, x) bit for
/// bit, and no transcendental function is evaluated once the angle is 0.
///
/// A zero input (q = 0) kills every hidden layer (ReLU′(0) = 0): then Θ* = β and Σ* = 0 for L ≥ 2.
public struct InfiniteWidthKernelRecursion<Arithmetic: KernelArithmetic>: Sendable {
    public typealias Scalar = Arithmetic.Scalar
    public let architecture: Architecture
    public let arithmetic: Arithmetic
    let map: KernelAngleMap<Scalar>
    let zero: Scalar
    let beta: Scalar
    let halfSigma2: Scalar
    let halfSigma2OverPi: Scalar
    /// Per layer segment: the ratio D_j/D_{j−1} = (σ²/2) n_j/n_{j−1} and how many layers use it.
    let segments: [(ratio: Scalar, count: Int)]
    /// σ²/n_{L−1}.
    let nngpScale: Scalar
    /// False sends every layer through the generic loop (tests compare the two paths).
    var usesLayerRunner = true

    public init(architecture: Architecture, arithmetic: Arithmetic) {
        self.architecture = architecture
        self.arithmetic = arithmetic
        let a = arithmetic
        let pi = a.pi
        map = KernelAngleMap(pi: pi, zero: a.constant(0), one: a.constant(1), half: a.constant(BigRational(1, 2)), two: a.constant(2))
        zero = a.constant(0)
        beta = a.constant(BigRational(architecture.beta))
        let half = architecture.sigma2 / BigRational(2)
        halfSigma2 = a.constant(half)
        halfSigma2OverPi = halfSigma2 / pi
        segments = architecture.layerSegments.map { (a.constant(half * BigRational($0.width) / BigRational($0.previous)), $0.count) }
        nngpScale = a.constant(architecture.sigma2 / BigRational(architecture.lastHiddenWidth))
    }

    /// Θ*(x, x′) and Σ*(x, x′) from q = ‖x‖², q′ = ‖x′‖², c = ⟨x, x′⟩, √(qq′) and the angle
    /// φ₀ = ∠(x, x′) ∈ [0, π] (callers compute φ₀ from a well-conditioned form).
    public func offDiagonal(q1: Scalar, q2: Scalar, c: Scalar, rootProduct: Scalar, angle: Scalar) -> (ntk: Scalar, nngp: Scalar) {
        if q1.isExactlyZero || q2.isExactlyZero {
            return architecture.depth == 1 ? (c + beta, nngpScale * c) : (beta, zero)
        }
        var v = KernelLayerState(angle: Scalar.kernelAngleState(angle, constants: map), t: c + beta, scale: rootProduct, correlation: nil)
        // Runs of layers the arithmetic computes faster (certified intervals: the deep layers).
        let runner = !usesLayerRunner ? nil : Scalar.kernelLayerRunner(map: map, halfSigma2: halfSigma2, halfSigma2OverPi: halfSigma2OverPi, beta: beta)
        for segment in segments {
            var remaining = segment.count
            while remaining > 0 {
                if let runner {
                    remaining -= runner(&v, segment.ratio, remaining)
                    if remaining == 0 { break }
                }
                let factor = halfSigma2 - halfSigma2OverPi * Scalar.kernelAngle(v.angle)
                let next = Scalar.kernelAdvance(v.angle, constants: map)
                v.angle = next.state
                v.scale = v.scale * segment.ratio
                v.t = v.t * factor + (v.scale * next.correlation + beta)
                v.correlation = next.correlation
                remaining -= 1
            }
        }
        guard let rho = v.correlation else { return (v.t, nngpScale * c) }
        return (v.t, nngpScale * v.scale * rho)
    }

    /// Θ*(x, x) for ‖x‖² = q: the same loop at φ = 0.
    public func diagonal(q: Scalar) -> Scalar {
        offDiagonal(q1: q, q2: q, c: q, rootProduct: q, angle: zero).ntk
    }

    /// All kernel values for a Gram triple given by scalars and the Gram defect qq′ − c² ≥ 0
    /// (computed by the caller without cancellation, e.g. exactly).
    public func evaluate(q1: Scalar, q2: Scalar, c: Scalar, defect: Scalar) -> KernelValues<Scalar> {
        assemble(evaluatePair(q1: q1, q2: q2, c: c, defect: defect), diagonal(q: q1), diagonal(q: q2))
    }

    /// All kernel values for an exact Gram triple (q, q′, c); requires q, q′ ≥ 0 and c² ≤ qq′.
    public func evaluate(q1: BigRational, q2: BigRational, c: BigRational) throws -> KernelValues<Scalar> {
        try KernelGramError.check(q1: q1, q2: q2, c: c)
        let a = arithmetic
        let s1 = a.constant(q1), s2 = a.constant(q2)
        // Equal norms (two inputs on one sphere, the usual query): one diagonal serves both.
        let d1 = diagonal(q: s1), d2 = q1 == q2 ? d1 : diagonal(q: s2)
        return assemble(evaluatePair(q1: s1, q2: s2, c: a.constant(c), defect: a.constant(q1 * q2 - c * c)), d1, d2)
    }

    func assemble(_ pair: (ntk: Scalar, nngp: Scalar), _ d1: Scalar, _ d2: Scalar) -> KernelValues<Scalar> {
        let norm = (d1 * d2).kernelSquareRoot()
        let normalized = norm.isExactlyZero ? zero : pair.ntk / norm
        return KernelValues(ntk: pair.ntk, nngp: pair.nngp, ntkDiagonal1: d1, ntkDiagonal2: d2, normalized: normalized)
    }
}

/// A Gram triple that no pair of real vectors has.
public struct KernelGramError: Error, CustomStringConvertible, Sendable {
    public let description: String

    static func check(q1: BigRational, q2: BigRational, c: BigRational) throws {
        guard q1.signum >= 0, q2.signum >= 0 else {
            throw KernelGramError(description: "squared norms must not be negative (got \(q1.approximateDouble), \(q2.approximateDouble))")
        }
        guard c * c <= q1 * q2 else {
            throw KernelGramError(description: "the Gram matrix is not positive semidefinite: c² > q·q′ (|⟨x, x′⟩| exceeds ‖x‖·‖x′‖)")
        }
    }
}
