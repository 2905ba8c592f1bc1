import Foundation

/// Exact samplers of the binomial and chi-square laws the reduced model of Θ needs
/// (derivations/08), driven by one `Xoshiro256PlusPlus` stream.
struct RandomVariates {
    var generator: Xoshiro256PlusPlus
    let gaussian = ZigguratGaussian.shared

    init(key: UInt64) { generator = Xoshiro256PlusPlus(key: key) }

    @inline(__always) mutating func uniform() -> Double { generator.nextOpenClosedUnit() }
    @inline(__always) mutating func normal() -> Double { gaussian.next(using: &generator) }

    /// k ~ Binomial(n, 1/2), exactly: the number of set bits of n random bits for n ≤ 1024,
    /// Hörmann's transformed rejection with squeeze (BTRS, 1993) beyond, where n/2 ≥ 10.
    mutating func binomialHalf(_ n: Int) -> Int {
        if n <= 1024 {
            var count = 0
            var remaining = n
            while remaining >= 64 {
                count += generator.next().nonzeroBitCount
                remaining -= 64
            }
            if remaining > 0 { count += (generator.next() & ((1 << UInt64(remaining)) - 1)).nonzeroBitCount }
            return count
        }
        return binomialBTRS(n: Double(n), p: 0.5)
    }

    /// BTRS for n·min(p, 1 − p) ≥ 10 (W. Hörmann, "The generation of binomial random variates",
    /// J. Stat. Comput. Simul. 46, 1993): a transformed-rejection envelope with a quick
    /// acceptance region and an exact acceptance test through Stirling's series.
    mutating func binomialBTRS(n: Double, p: Double) -> Int {
        let q = 1 - p
        let spq = (n * p * q).squareRoot()
        let b = 1.15 + 2.53 * spq
        let a = -0.0873 + 0.0248 * b + 0.01 * p
        let c = n * p + 0.5
        let vr = 0.92 - 4.2 / b
        let r = p / q
        let alpha = (2.83 + 5.1 / b) * spq
        let m = ((n + 1) * p).rounded(.down)
        while true {
            let u = uniform() - 0.5
            var v = uniform()
            let us = 0.5 - abs(u)
            let k = ((2 * a / us + b) * u + c).rounded(.down)
            if k < 0 || k > n { continue }
            if us >= 0.07 && v <= vr { return Int(k) }
            v = log(v * alpha / (a / (us * us) + b))
            let bound = (m + 0.5) * log((m + 1) / (r * (n - m + 1)))
                + (n + 1) * log((n - m + 1) / (n - k + 1))
                + (k + 0.5) * log(r * (n - k + 1) / (k + 1))
                + Self.stirlingTail(m) + Self.stirlingTail(n - m) - Self.stirlingTail(k) - Self.stirlingTail(n - k)
            if v <= bound { return Int(k) }
        }
    }

    /// log(k!) − [(k + ½)log(k + 1) − (k + 1) + ½log(2π)]: tabulated for k ≤ 9, else the
    /// first terms of Stirling's series.
    static func stirlingTail(_ k: Double) -> Double {
        let table = [0.0810614667953272, 0.0413406959554092, 0.0276779256849983, 0.02079067210376509,
                     0.0166446911898211, 0.0138761288230707, 0.0118967099458917, 0.0104112652619720,
                     0.00925546218271273, 0.00833056343336287]
        if k <= 9 { return table[Int(k)] }
        let kp1 = k + 1, kp1sq = kp1 * kp1
        return (1.0 / 12 - (1.0 / 360 - 1.0 / 1260 / kp1sq) / kp1sq) / kp1
    }

    /// X ~ Gamma(shape, 1) (Marsaglia and Tsang, 2000; shape < 1 by Gamma(shape + 1)·U^{1/shape}).
    mutating func gamma(shape: Double) -> Double {
        if shape < 1 {
            return gamma(shape: shape + 1) * pow(uniform(), 1 / shape)
        }
        let d = shape - 1.0 / 3
        let c = 1 / (9 * d).squareRoot()
        while true {
            let x = normal()
            let t = 1 + c * x
            if t <= 0 { continue }
            let v = t * t * t
            let u = uniform()
            if u < 1 - 0.0331 * (x * x) * (x * x) { return d * v }
            if log(u) < 0.5 * x * x + d * (1 - v + log(v)) { return d * v }
        }
    }

    /// χ²_k for an integer k ≥ 0: 0, Z², −2 log U, else 2·Gamma(k/2).
    mutating func chiSquare(_ k: Int) -> Double {
        switch k {
        case ...0: return 0
        case 1:
            let z = normal()
            return z * z
        case 2: return -2 * log(uniform())
        default: return 2 * gamma(shape: Double(k) / 2)
        }
    }
}
