import Multiprecision

/// The six per-layer expectations the transfer matrices are made of, for a hidden layer of
/// width n = n_j fed by width p = n_{j−1}, on the event that the layer is alive (k_j ≥ 1).
///
/// With k ~ Binomial(n, 1/2), t = 2^{−n}, A | k ~ χ²_k, B | k ~ χ²_{k−1} (independent given k),
/// a = (σ²/p)·A and b = (σ²/n)·B (derivations/03-recursion.md):
///
///     E[1] = 1 − t                      E[a]  = σ²·n/(2p)
///     E[b] = σ²·((n−2)/(2n) + t/n)      E[a²] = σ⁴·n(n+5)/(4p²)
///     E[b²] = σ⁴·((n²+n−4)/(4n²) + t/n²) E[ab] = σ⁴·(n−1)/(4p)
///
/// In the gradient-independence model b is replaced by b' = (σ²/n)·χ²_k on the same k:
///
///     E[1] = 1        E[b'] = σ²/2    E[b'²] = σ⁴·(n+5)/(4n)    E[ab'] = σ⁴·(n+1)/(4p)
///
/// The GI model keeps the mean-field bookkeeping of Seleznova & Kutyniok (ICML 2022): every layer's k is an independent
/// Binomial(n, ½), with no alive indicator and hence no separate dead-network term (a k = 0
/// simply zeroes the factors a and b'). This reproduces the reported GI values for width 6
/// (dispersion 1.7948 at depth 3, 5.650 at depth 6; derivations/05).
struct LayerMoments<Scalar: MomentScalar> {
    var one: Scalar
    var a: Scalar
    var b: Scalar
    var aa: Scalar
    var ab: Scalar
    var bb: Scalar

    init<A: MomentArithmetic>(previous p: Int, width n: Int, model: MomentModel, arithmetic: A) where A.Scalar == Scalar {
        // Each constant is c·(σ²)^d·2^{−k} with c a quotient of small integers, rounded once
        // (`constant(quotientOf:…)`: no rational is built, the layer's hot start-up cost).
        func c(_ numerator: [Int], _ denominator: [Int], _ d: Int, _ k: Int = 0) -> Scalar {
            arithmetic.constant(quotientOf: numerator, over: denominator, sigma2Power: d, twoToMinus: k)
        }
        one = model == .exact ? c([1], [1], 0) - c([1], [1], 0, n) : c([1], [1], 0)
        a = c([n], [2, p], 1)
        aa = c([n, n + 5], [4, p, p], 2)
        switch model {
        case .exact:
            if n == 1 {
                // χ²₀ = 0: with one unit the backward factor vanishes identically.
                b = arithmetic.zero
                bb = arithmetic.zero
                ab = arithmetic.zero
            } else {
                b = c([n - 2], [2, n], 1) + c([1], [n], 1, n)
                // n² + n − 4 = n(n + 1) − 4, formed without overflow for any width.
                bb = (n < 1 << 31 ? c([n * n + n - 4], [4, n, n], 2)
                                  : arithmetic.constant((BigRational(n) * BigRational(n + 1) - 4) / (4 * BigRational(n) * BigRational(n)),
                                                        sigma2Power: 2, twoToMinus: 0))
                    + c([1], [n, n], 2, n)
                ab = c([n - 1], [4, p], 2)
            }
        case .gradientIndependence:
            b = c([1], [2], 1)
            bb = c([n + 5], [4, n], 2)
            ab = c([n + 1], [4, p], 2)
        }
    }

    /// E[f·g] for two factors of the same layer.
    func expectation(_ f: PathFactor, _ g: PathFactor) -> Scalar {
        switch (f, g) {
        case (.one, .one): return one
        case (.one, .forward), (.forward, .one): return a
        case (.one, .backward), (.backward, .one): return b
        case (.forward, .forward): return aa
        case (.forward, .backward), (.backward, .forward): return ab
        case (.backward, .backward): return bb
        }
    }

    func expectation(_ f: PathFactor) -> Scalar { expectation(f, .one) }

    /// The six expectations in `FactoredLayerOperator.Expectation` order.
    var values: [Scalar] { [one, a, b, aa, ab, bb] }
}

/// The top of the network: the output layer contributes 1 on every path except those in
/// the injected state, which pick up z = (σ²/n_{L−1})·χ²₁.
struct TopMoments<Scalar: MomentScalar> {
    var z: Scalar
    var zz: Scalar

    init<A: MomentArithmetic>(lastHiddenWidth p: Int, arithmetic: A) where A.Scalar == Scalar {
        let P = BigRational(p)
        z = arithmetic.constant(1 / P, sigma2Power: 1, twoToMinus: 0)
        zz = arithmetic.constant(3 / (P * P), sigma2Power: 2, twoToMinus: 0)
    }
}
