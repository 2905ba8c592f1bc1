import CMPFR
import Foundation

/// The deep layers of the certified infinite-width kernel recursion (derivations/09:
/// `kernel-certified-deep`), computed in place on MPFR registers allocated once: no temporary
/// `BigFloat` per operation.
///
/// One layer acts on intervals [lo, hi] of non-negative numbers: the backward factor
/// f = h − (h/π)·φ, then the angle map (φ, ρ) ← (φ′, ρ′), then the scale s ← s·r and the Horner
/// sum t ← t·f + (s·ρ + β). The factor, scale and sum are rounded exactly as `Enclosure`'s
/// operators round them (lower bounds down, upper bounds up, same order of operations).
///
/// The angle map needs 0 < φ < 2^-8 (or φ = 0 exactly, which maps to φ′ = 0, ρ′ = 1). With
/// y = φ², 1 − ρ′ = (1 − cos φ) − S(φ)/π = y·(C(y) − (φ/π)·D(y)), where
/// C(y) = Σ (−1)^k y^k/(2k+2)! and D(y) = Σ (−1)^k (2k+2) y^k/(2k+3)!. Both alternate with
/// decreasing terms and decrease in y, so a directed Horner evaluation gives one-sided bounds
/// (every bracket c_k − y·B_{k+1} lies in (0, c_k]; each level needs the bound of the next in the
/// opposite direction, and the innermost bracket is bounded by c_N above and 0 below); C is
/// bounded below at y rounded up and above at y rounded down (and D conversely). Then
/// φ′ = 2 arcsin √u, u = (1 − ρ′)/2, = 2√u·A(u) with A(u) = Σ a_n u^n, a_n = (2n)!/(4^n n!² (2n+1))
/// positive and decreasing, so the tail after a_N is at most a_N u^N·u/(1 − u) and
/// a_N(1 + 2^-15) bounds the innermost bracket above when u ≤ 2^-16. Each endpoint of the angle
/// interval needs one bound of each image (the map is increasing in φ, ρ′ decreasing). The
/// series are cut where the dropped part is below 2^-(p+8) of the sum.
public final class SmallAngleKernelLayers {
    public let precision: Int
    private let registers: MPFRRegisters
    private var series: SmallAngleSeries?

    // State.
    private let phi: RegisterPair, t: RegisterPair, scale: RegisterPair, rho: RegisterPair
    // Constants: h = σ²/2, h/π, 1/π, β, the ratio of the current segment, 1.
    private let h: RegisterPair, hOverPi: RegisterPair, inversePi: RegisterPair, beta: RegisterPair, ratio: RegisterPair
    private let one: UnsafeMutablePointer<__mpfr_struct>
    // Scratch.
    private let factor: RegisterPair, next: RegisterPair, defect: RegisterPair, y: RegisterPair
    private let acc: UnsafeMutablePointer<__mpfr_struct>, tmp: UnsafeMutablePointer<__mpfr_struct>
    private let c2: UnsafeMutablePointer<__mpfr_struct>

    /// Registers at `precision` bits for the constants h = σ²/2, h/π, 1/π and β, each given
    /// as an enclosure. The series coefficients are shared by all instances of one precision
    /// and made when a first layer needs them.
    public init(precision: Int, halfSigma2: Enclosure, halfSigma2OverPi: Enclosure, inversePi: Enclosure, beta: Enclosure) {
        self.precision = precision
        let r = MPFRRegisters(count: 30, precision: precision)
        registers = r
        phi = r.pair(); t = r.pair(); scale = r.pair(); rho = r.pair()
        h = r.pair(); hOverPi = r.pair(); self.inversePi = r.pair(); self.beta = r.pair(); ratio = r.pair()
        one = r.register()
        factor = r.pair(); next = r.pair(); defect = r.pair(); y = r.pair()
        acc = r.register(); tmp = r.register(); c2 = r.register()
        mpfr_set_ui(one, 1, MPFR_RNDN)
        h.load(halfSigma2)
        hOverPi.load(halfSigma2OverPi)
        self.inversePi.load(inversePi)
        self.beta.load(beta)
    }

    /// True for 0 < x < 2^-8.
    private static func isSmall(_ x: UnsafePointer<__mpfr_struct>) -> Bool {
        mpfr_regular_p(x) != 0 && ntk_mpfr_sgn(x) > 0 && ntk_mpfr_get_exp(x) <= mpfr_exp_t(BigFloat.smallArgumentLimitExponent)
    }

    /// Runs up to `count` layers with the segment ratio `ratio` on the loop variables of the
    /// recursion: the angle φ, the Horner sum t, the scale s and the last correlation ρ.
    /// Returns how many layers it ran: none unless φ is [0, 0] or 0 < φ.lower ≤ φ.upper < 2^-8
    /// and t, s, the ratio, β, h, h/π and 1/π are non-negative.
    public func run(angle: inout Enclosure, t tIn: inout Enclosure, scale sIn: inout Enclosure, correlation: inout Enclosure?,
                    ratio rIn: Enclosure, count: Int) -> Int {
        guard count > 0 else { return 0 }
        let zeroAngle = angle.lower.isZero && angle.upper.isZero
        guard zeroAngle || (angle.lower.signum > 0 && angle.upper.isSmallSeriesArgument) else { return 0 }
        for e in [tIn, sIn, rIn] where e.lower.signum < 0 || e.lower.isNaN { return 0 }
        for p in [h, hOverPi, inversePi, beta] where ntk_mpfr_sgn(p.lo) < 0 || mpfr_nan_p(p.lo) != 0 { return 0 }
        BigFloat.ensureWidestExponentRange()
        phi.load(angle)
        t.load(tIn)
        scale.load(sIn)
        ratio.load(rIn)
        mpfr_set_ui(rho.lo, 1, MPFR_RNDN); mpfr_set_ui(rho.hi, 1, MPFR_RNDN)
        var done = 0
        if zeroAngle {
            // f = h, ρ′ = 1: t ← t·h + (s + β), as the generic loop rounds it.
            while done < count {
                mpfr_mul(scale.lo, scale.lo, ratio.lo, MPFR_RNDD)
                mpfr_mul(scale.hi, scale.hi, ratio.hi, MPFR_RNDU)
                mpfr_mul(t.lo, t.lo, h.lo, MPFR_RNDD)
                mpfr_mul(t.hi, t.hi, h.hi, MPFR_RNDU)
                mpfr_add(acc, scale.lo, beta.lo, MPFR_RNDD)
                mpfr_add(t.lo, t.lo, acc, MPFR_RNDD)
                mpfr_add(acc, scale.hi, beta.hi, MPFR_RNDU)
                mpfr_add(t.hi, t.hi, acc, MPFR_RNDU)
                done += 1
            }
        } else {
            let series = self.series ?? SmallAngleSeries.shared(precision: precision)
            self.series = series
            while done < count && SmallAngleKernelLayers.isSmall(phi.lo) && SmallAngleKernelLayers.isSmall(phi.hi) {
                layer(series)
                done += 1
            }
        }
        if done > 0 {
            angle = phi.enclosure(precision: precision)
            tIn = t.enclosure(precision: precision)
            sIn = scale.enclosure(precision: precision)
            correlation = rho.enclosure(precision: precision)
        }
        return done
    }

    /// One layer at 0 < φ < 2^-8.
    private func layer(_ series: SmallAngleSeries) {
        // f = h − (h/π)·φ.
        mpfr_mul(factor.hi, hOverPi.lo, phi.lo, MPFR_RNDD)
        mpfr_mul(factor.lo, hOverPi.hi, phi.hi, MPFR_RNDU)
        mpfr_sub(factor.lo, h.lo, factor.lo, MPFR_RNDD)
        mpfr_sub(factor.hi, h.hi, factor.hi, MPFR_RNDU)
        // 1 − ρ′ bounded below at φ.lo and above at φ.hi; then φ′ and ρ′.
        defectBound(phi.lo, up: false, into: defect.lo, series)
        defectBound(phi.hi, up: true, into: defect.hi, series)
        angleBound(defect.lo, up: false, into: next.lo, series)
        angleBound(defect.hi, up: true, into: next.hi, series)
        mpfr_swap(phi.lo, next.lo)
        mpfr_swap(phi.hi, next.hi)
        mpfr_sub(rho.lo, one, defect.hi, MPFR_RNDD)
        mpfr_sub(rho.hi, one, defect.lo, MPFR_RNDU)
        // s ← s·r; t ← t·f + (s·ρ′ + β).
        mpfr_mul(scale.lo, scale.lo, ratio.lo, MPFR_RNDD)
        mpfr_mul(scale.hi, scale.hi, ratio.hi, MPFR_RNDU)
        mpfr_mul(t.lo, t.lo, factor.lo, MPFR_RNDD)
        mpfr_mul(t.hi, t.hi, factor.hi, MPFR_RNDU)
        mpfr_mul(acc, scale.lo, rho.lo, MPFR_RNDD)
        mpfr_add(acc, acc, beta.lo, MPFR_RNDD)
        mpfr_add(t.lo, t.lo, acc, MPFR_RNDD)
        mpfr_mul(acc, scale.hi, rho.hi, MPFR_RNDU)
        mpfr_add(acc, acc, beta.hi, MPFR_RNDU)
        mpfr_add(t.hi, t.hi, acc, MPFR_RNDU)
    }

    /// The first N ≥ 1 at which log₂(c₀/c_N) − N·log₂ y (with log₂ y < 2e) reaches the target.
    private static func cut(_ logs: [Double], exponent2: Double, target: Double) -> Int {
        var n = 1
        while n < logs.count - 1 && logs[n] - exponent2 * Double(n) < target { n += 1 }
        precondition(logs[n] - exponent2 * Double(n) >= target, "small-angle kernel layers: series table too short")
        return n
    }

    /// A bound (`up`: above; else below) of Σ_{k≥0} (−1)^k c_k Y^k at the point Y, by Horner
    /// with directed rounding, cut at N levels; the result is left in `acc`.
    private func alternatingBound(_ c: [RegisterPair], levels n: Int, at Y: UnsafePointer<__mpfr_struct>, up: Bool) {
        // Level k needs the bound in direction `up` when k is even, the opposite when odd; the
        // innermost bracket is bounded by c_N above and by 0 below (then level N − 1 is c_{N−1} above).
        var k = n
        if (k % 2 == 0) != up { k -= 1 }  // level k now needs an upper bound
        mpfr_set(acc, c[k].hi, MPFR_RNDU)
        while k > 0 {
            k -= 1
            let levelUp = (k % 2 == 0) == up
            let round = levelUp ? MPFR_RNDU : MPFR_RNDD
            let opposite = levelUp ? MPFR_RNDD : MPFR_RNDU
            mpfr_mul(acc, acc, Y, opposite)
            mpfr_sub(acc, c[k].bound(levelUp), acc, round)
        }
    }

    /// One bound of 1 − ρ′ = y·(C(y) − (x/π)·D(y)) at x = φ, y = x²: `up` above, else below.
    private func defectBound(_ x: UnsafePointer<__mpfr_struct>, up: Bool, into out: UnsafeMutablePointer<__mpfr_struct>,
                             _ series: SmallAngleSeries) {
        let round = up ? MPFR_RNDU : MPFR_RNDD, opposite = up ? MPFR_RNDD : MPFR_RNDU
        mpfr_sqr(y.lo, x, MPFR_RNDD)
        mpfr_sqr(y.hi, x, MPFR_RNDU)
        let e = Double(ntk_mpfr_get_exp(x))  // x < 2^e, so y < 2^(2e)
        let target = Double(precision + 8)
        // D(y) is multiplied by x/π < 2^(e−1): it needs fewer terms.
        alternatingBound(series.sine, levels: SmallAngleKernelLayers.cut(series.sineLog, exponent2: 2 * e, target: target + e - 1),
                         at: up ? y.hi : y.lo, up: !up)
        mpfr_mul(c2, x, inversePi.bound(!up), opposite)
        mpfr_mul(c2, c2, acc, opposite)
        alternatingBound(series.cosine, levels: SmallAngleKernelLayers.cut(series.cosineLog, exponent2: 2 * e, target: target),
                         at: up ? y.lo : y.hi, up: up)
        mpfr_sub(acc, acc, c2, round)
        if ntk_mpfr_sgn(acc) < 0 { mpfr_set_zero(acc, 1) }
        mpfr_mul(out, up ? y.hi : y.lo, acc, round)
    }

    /// One bound of 2 arcsin √(δ/2) = 2√u·A(u), u = δ/2: `up` above, else below.
    private func angleBound(_ d: UnsafePointer<__mpfr_struct>, up: Bool, into out: UnsafeMutablePointer<__mpfr_struct>,
                            _ series: SmallAngleSeries) {
        let round = up ? MPFR_RNDU : MPFR_RNDD
        let u = tmp
        mpfr_mul_2si(u, d, -1, round)
        if mpfr_zero_p(u) != 0 { mpfr_set_zero(out, 1); return }
        let e = Double(ntk_mpfr_get_exp(u))
        precondition(e <= -16, "small-angle kernel layers: arcsine argument above 2^-16")
        let n = SmallAngleKernelLayers.cut(series.arcsineLog, exponent2: e, target: Double(precision + 8))
        mpfr_set(acc, up ? series.arcsineTail[n] : series.arcsine[n].lo, round)
        for k in stride(from: n - 1, through: 0, by: -1) {
            mpfr_mul(acc, acc, u, round)
            mpfr_add(acc, series.arcsine[k].bound(up), acc, round)
        }
        mpfr_sqrt(out, u, round)
        mpfr_mul(out, out, acc, round)
        mpfr_mul_2si(out, out, 1, round)
    }
}

/// An interval of two MPFR registers.
struct RegisterPair {
    let lo: UnsafeMutablePointer<__mpfr_struct>
    let hi: UnsafeMutablePointer<__mpfr_struct>
    func bound(_ up: Bool) -> UnsafeMutablePointer<__mpfr_struct> { up ? hi : lo }

    /// lo ← e.lower rounded down, hi ← e.upper rounded up.
    func load(_ e: Enclosure) {
        e.lower.withMPFR { _ = mpfr_set(lo, $0, MPFR_RNDD) }
        e.upper.withMPFR { _ = mpfr_set(hi, $0, MPFR_RNDU) }
    }

    /// The interval as an `Enclosure` at `precision` bits, rounded outward.
    func enclosure(precision: Int) -> Enclosure {
        Enclosure(lower: BigFloat.make(precision: precision) { _ = mpfr_set($0, lo, MPFR_RNDD) },
                  upper: BigFloat.make(precision: precision) { _ = mpfr_set($0, hi, MPFR_RNDU) })
    }
}

/// A fixed number of MPFR registers of one precision, handed out one by one and cleared together.
final class MPFRRegisters {
    private let base: UnsafeMutablePointer<__mpfr_struct>
    private let count: Int
    private var handedOut = 0

    init(count: Int, precision: Int) {
        precondition(BigFloat.precisionRange.contains(precision), "MPFRRegisters: precision \(precision) out of range")
        BigFloat.ensureWidestExponentRange()
        self.count = count
        base = .allocate(capacity: count)
        for i in 0..<count { mpfr_init2(base + i, mpfr_prec_t(precision)) }
    }

    deinit {
        for i in 0..<count { mpfr_clear(base + i) }
        base.deallocate()
    }

    func register() -> UnsafeMutablePointer<__mpfr_struct> {
        precondition(handedOut < count, "MPFRRegisters: all \(count) registers handed out")
        defer { handedOut += 1 }
        return base + handedOut
    }

    func pair() -> RegisterPair { RegisterPair(lo: register(), hi: register()) }
}

/// The coefficients of the three series of `SmallAngleKernelLayers` at one precision, enclosed:
/// c_k = 1/(2k+2)!, d_k = (2k+2)/(2k+3)!, a_n = (2n)!/(4^n n!² (2n+1)), upper bounds of
/// a_N(1 + 2^-15), and log₂ of each series' first coefficient over its k-th (for choosing where to
/// cut). Read-only once made, so threads share them; made once per precision.
final class SmallAngleSeries: @unchecked Sendable {
    let cosine: [RegisterPair], sine: [RegisterPair], arcsine: [RegisterPair]
    let arcsineTail: [UnsafeMutablePointer<__mpfr_struct>]
    let cosineLog: [Double], sineLog: [Double], arcsineLog: [Double]
    private let registers: MPFRRegisters

    private static let lock = NSLock()
    nonisolated(unsafe) private static var cache: [Int: SmallAngleSeries] = [:]

    /// The coefficients at `precision` bits (at most 16 precisions are kept).
    static func shared(precision: Int) -> SmallAngleSeries {
        lock.withLock {
            if let s = cache[precision] { return s }
            let s = SmallAngleSeries(precision: precision)
            if cache.count >= 16 { cache.removeAll() }
            cache[precision] = s
            return s
        }
    }

    private init(precision: Int) {
        let levels = SmallAngleSeries.levels(forBits: precision)
        let r = MPFRRegisters(count: 7 * (levels + 1), precision: precision)
        registers = r
        var cosine: [RegisterPair] = [], sine: [RegisterPair] = [], arcsine: [RegisterPair] = []
        var arcsineTail: [UnsafeMutablePointer<__mpfr_struct>] = []
        var cosineLog: [Double] = [], sineLog: [Double] = [], arcsineLog: [Double] = []
        var factorial = BigRational(2)  // (2k+2)! at k = 0
        var arcsineCoefficient = BigRational(1)  // (2n)!/(4^n n!²) at n = 0
        for k in 0...levels {
            let cosineTerm = 1 / factorial
            let sineTerm = BigRational(2 * k + 2) / (factorial * BigRational(2 * k + 3))
            let arcsineTerm = arcsineCoefficient / BigRational(2 * k + 1)
            let cp = r.pair(), sp = r.pair(), ap = r.pair(), tail = r.register()
            cp.load(Enclosure(cosineTerm, precision: precision))
            sp.load(Enclosure(sineTerm, precision: precision))
            ap.load(Enclosure(arcsineTerm, precision: precision))
            mpfr_mul_d(tail, ap.hi, 1 + 0x1p-15, MPFR_RNDU)
            cosine.append(cp); sine.append(sp); arcsine.append(ap); arcsineTail.append(tail)
            cosineLog.append(SmallAngleSeries.log2Factorial(2 * k + 2) - 1)  // log₂((2k+2)!/2)
            sineLog.append(SmallAngleSeries.log2Factorial(2 * k + 3) - log2(Double(2 * k + 2)) - log2(3))
            arcsineLog.append(-log2(arcsineTerm.approximateDouble))
            factorial = factorial * BigRational((2 * k + 3) * (2 * k + 4))
            arcsineCoefficient = arcsineCoefficient * BigRational((2 * k + 1) * (2 * k + 2)) / BigRational(4 * (k + 1) * (k + 1))
        }
        (self.cosine, self.sine, self.arcsine, self.arcsineTail) = (cosine, sine, arcsine, arcsineTail)
        (self.cosineLog, self.sineLog, self.arcsineLog) = (cosineLog, sineLog, arcsineLog)
    }

    /// log₂ n!.
    private static func log2Factorial(_ n: Int) -> Double { lgamma(Double(n + 1)) / M_LN2 }

    /// The longest series the table must hold at `bits` bits: the arcsine series at u < 2^-16
    /// (its coefficients decrease slowly) needs 16N ≥ bits + 8; the others need fewer.
    static func levels(forBits bits: Int) -> Int { (bits + 8 + 15) / 16 + 2 }
}
