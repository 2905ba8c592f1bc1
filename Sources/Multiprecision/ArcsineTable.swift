import CMPFR
import Foundation

/// arcsin on [0, 3/4] by table look-up and a short series, several times faster than
/// `mpfr_asin` (which goes through arctan) at a few hundred bits.
///
/// With t_k = k/4096 and the nearest k, arcsin t = arcsin t_k + arcsin u where
/// u = t·√(1 − t_k²) − t_k·√(1 − t²) = sin(arcsin t − arcsin t_k), |u| < 2^-12; arcsin u is summed
/// as u + Σ_{n≥1} ((2n−1)!!/((2n)!!(2n+1))) u^{2n+1}, each term 24 bits smaller. Everything runs
/// at 24 guard bits above the target (the subtraction forming u cancels about 12), so the result
/// is within a few ulps of the correctly rounded one — good for round-to-nearest work; certified
/// code keeps using MPFR's directed `arcsine`.
final class ArcsineTable: @unchecked Sendable {
    static let steps = 4096
    static let maximumIndex = 3 * steps / 4

    let precision: Int
    /// arcsin t_k and √(1 − t_k²) at `precision`.
    let arcsines: [BigFloat]
    let cosines: [BigFloat]
    /// c_n = (2n−1)!!/((2n)!!(2n+1)) for n = 1 … N, with |u|^{2N} < 2^-precision for |u| < 2^-12.
    let coefficients: [BigFloat]

    init(precision: Int) {
        self.precision = precision
        var cs: [BigFloat] = []
        var ratio = BigRational(1)
        for n in 1...(precision / 24 + 2) {
            ratio = ratio * BigRational(2 * n - 1, 2 * n)
            cs.append(BigFloat(ratio / BigRational(2 * n + 1), precision: precision))
        }
        coefficients = cs
        var a: [BigFloat] = [], c: [BigFloat] = []
        for k in 0...Self.maximumIndex {
            let t = BigFloat.powerOfTwo(-12, precision: precision) * BigFloat(k, precision: precision)
            a.append(t.arcsine())
            c.append((BigFloat(1, precision: precision) - t * t).squareRoot())
        }
        arcsines = a
        cosines = c
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var tables: [Int: ArcsineTable] = [:]

    /// The shared table for a working precision (built on first use).
    static func table(precision: Int) -> ArcsineTable {
        lock.lock()
        defer { lock.unlock() }
        if let t = tables[precision] { return t }
        let t = ArcsineTable(precision: precision)
        tables[precision] = t
        return t
    }
}

extension BigFloat {
    /// arcsin of a value in [0, 3/4], accurate to a few ulps (not correctly rounded; see
    /// `ArcsineTable`); falls back to `arcsine()` outside that range.
    public func fastArcsine() -> BigFloat {
        let p = precision
        let d = doubleValue()
        guard d >= 0, d <= 0.75 else { return arcsine() }
        let q = p + 24
        let table = ArcsineTable.table(precision: q)
        let k = Int((d * Double(ArcsineTable.steps)).rounded())
        let t = BigFloat(self, precision: q)
        var u: BigFloat
        if k == 0 {
            u = t
        } else {
            let tk = BigFloat(k, precision: q).timesPowerOfTwo(-12)
            let r = (BigFloat(1, precision: q) - t * t).squareRoot()
            u = t * table.cosines[k] - tk * r
        }
        // arcsin u = u + u³ (c₁ + u²(c₂ + …)), Horner in raw MPFR (no allocation per term).
        let result = BigFloat.make(precision: q) { out in
            u.withMPFR { up in
                let u2 = Storage(precision: q), sum = Storage(precision: q)
                mpfr_sqr(u2.pointer, up, MPFR_RNDN)
                let cs = table.coefficients
                cs[cs.count - 1].withMPFR { mpfr_set(sum.pointer, $0, MPFR_RNDN) }
                for n in stride(from: cs.count - 2, through: 0, by: -1) {
                    mpfr_mul(sum.pointer, sum.pointer, u2.pointer, MPFR_RNDN)
                    cs[n].withMPFR { _ = mpfr_add(sum.pointer, sum.pointer, $0, MPFR_RNDN) }
                }
                mpfr_mul(sum.pointer, sum.pointer, u2.pointer, MPFR_RNDN)
                mpfr_fma(out, sum.pointer, up, up, MPFR_RNDN)
            }
        }
        if k == 0 { return BigFloat(result, precision: p) }
        return BigFloat(result + table.arcsines[k], precision: p)
    }
}
