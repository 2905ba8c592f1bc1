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
        let P = BigRational(p), N = BigRational(n)
        one = model == .exact
            ? arithmetic.constant(1) - arithmetic.constant(1, sigma2Power: 0, twoToMinus: n)
            : arithmetic.constant(1)
        a = arithmetic.constant(N / (2 * P), sigma2Power: 1, twoToMinus: 0)
        aa = arithmetic.constant(N * (N + 5) / (4 * P * P), sigma2Power: 2, twoToMinus: 0)
        switch model {
        case .exact:
            if n == 1 {
                // χ²₀ = 0: with one unit the backward factor vanishes identically.
                b = arithmetic.zero
                bb = arithmetic.zero
                ab = arithmetic.zero
            } else {
                b = arithmetic.constant((N - 2) / (2 * N), sigma2Power: 1, twoToMinus: 0)
                    + arithmetic.constant(1 / N, sigma2Power: 1, twoToMinus: n)
                bb = arithmetic.constant((N * N + N - 4) / (4 * N * N), sigma2Power: 2, twoToMinus: 0)
                    + arithmetic.constant(1 / (N * N), sigma2Power: 2, twoToMinus: n)
                ab = arithmetic.constant((N - 1) / (4 * P), sigma2Power: 2, twoToMinus: 0)
            }
        case .gradientIndependence:
            b = arithmetic.constant(BigRational(1, 2), sigma2Power: 1, twoToMinus: 0)
            bb = arithmetic.constant((N + 5) / (4 * N), sigma2Power: 2, twoToMinus: 0)
            ab = arithmetic.constant((N + 1) / (4 * P), sigma2Power: 2, twoToMinus: 0)
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
