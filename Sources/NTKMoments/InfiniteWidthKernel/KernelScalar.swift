import Foundation
import Multiprecision

/// The arithmetic the infinite-width kernel recursion (`InfiniteWidthKernelRecursion`) needs:
/// a field with a square root, arcsine, atan2 and the circular functions of an angle in [0, π/2].
///
/// `Double`, `BigFloat` (round to nearest at the value's precision) and `Enclosure` (rigorous
/// intervals, outward rounding) conform, so one recursion yields fast, arbitrary-precision and
/// certified kernels.
///
/// Contract of each function: `Double` and `BigFloat` return values within a few units in
/// the last place of the exact result, *relatively* (which is why `kernelTrigonometry` returns
/// sin φ − φ cos φ itself rather than leaving the caller to subtract); `Enclosure` returns an
/// interval containing the exact result for every point of its argument.
public protocol KernelScalar: Sendable {
    static func + (lhs: Self, rhs: Self) -> Self
    static func - (lhs: Self, rhs: Self) -> Self
    static func * (lhs: Self, rhs: Self) -> Self
    static func / (lhs: Self, rhs: Self) -> Self

    /// True only when the value is exactly zero (an enclosure: the point interval [0, 0]).
    var isExactlyZero: Bool { get }
    /// A Double near the value, for choosing between algebraically equal formulas (never for
    /// the result itself).
    var roughValue: Double { get }
    /// √max(0, x).
    func kernelSquareRoot() -> Self
    /// arcsin x for x ∈ [0, 1].
    func kernelArcsine() -> Self
    /// atan2(y, x) for y ≥ 0: the angle in [0, π] of the point (x, y).
    static func kernelArctangent2(y: Self, x: Self) -> Self
    /// (sin φ, cos φ, sin φ − φ cos φ) for φ ∈ [0, π/2], the last to relative accuracy even
    /// for tiny φ, where it is φ³/3 + O(φ⁵) and the subtraction would cancel.
    func kernelTrigonometry() -> (sin: Self, cos: Self, sinMinusXCos: Self)
    /// What the recursion carries from layer to layer to know the angle φ (an interval type: φ
    /// itself; a point type: φ with its sine and cosine, so that no layer needs a sine again).
    associatedtype AngleState: Sendable
    static func kernelAngleState(_ phi: Self, constants: KernelAngleMap<Self>) -> AngleState
    static func kernelAngle(_ state: AngleState) -> Self
    /// One step of the angle map: the state of φ′ and the correlation ρ′ = cos φ′ (`KernelAngleMap`).
    static func kernelAdvance(_ state: AngleState, constants: KernelAngleMap<Self>) -> (state: AngleState, correlation: Self)
    /// A faster path for runs of layers (`KernelLayerRunner`), made once per kernel evaluation;
    /// nil (the default) when every layer goes through the generic loop.
    static func kernelLayerRunner(map: KernelAngleMap<Self>, halfSigma2: Self, halfSigma2OverPi: Self, beta: Self) -> KernelLayerRunner<Self>?
}

/// The loop variables of the recursion between two layers: the angle state, the Horner sum t,
/// the scale D_j√(qq′) and the last correlation (nil before the first layer).
public struct KernelLayerState<Scalar: KernelScalar> {
    public var angle: Scalar.AngleState
    public var t: Scalar
    public var scale: Scalar
    public var correlation: Scalar?
}

/// Runs up to `count` layers of one segment (layer ratio `ratio`) on the loop variables, each
/// exactly as the generic loop defines it (to the arithmetic's contract), and returns how many
/// it ran; 0 hands the next layer back to the generic loop.
public typealias KernelLayerRunner<Scalar: KernelScalar> = (_ state: inout KernelLayerState<Scalar>, _ ratio: Scalar, _ count: Int) -> Int

extension KernelScalar {
    public static func kernelLayerRunner(map: KernelAngleMap<Self>, halfSigma2: Self, halfSigma2OverPi: Self, beta: Self) -> KernelLayerRunner<Self>? { nil }
}

/// A point (non-interval) scalar: carries (φ, sin φ, cos φ, 1 − cos φ) through the layers. The next
/// angle's cosine is ρ′ and its sine √(δ′(2 − δ′)) with δ′ = 1 − ρ′, so each layer costs one
/// arcsine and two square roots, and no sine or cosine.
public protocol PointKernelScalar: KernelScalar where AngleState == PointAngle<Self> {
    /// sin x − x cos x from x and its sine and cosine, to relative accuracy (series at small x).
    static func kernelSinMinusXCos(x: Self, sin: Self, cos: Self) -> Self
}

/// An angle with its sine, cosine and 1 − cosine.
public struct PointAngle<Scalar: Sendable>: Sendable {
    public var phi: Scalar
    public var sin: Scalar
    public var cos: Scalar
    public var oneMinusCos: Scalar
}

extension PointKernelScalar {
    public static func kernelAngle(_ state: PointAngle<Self>) -> Self { state.phi }

    public static func kernelAngleState(_ phi: Self, constants k: KernelAngleMap<Self>) -> PointAngle<Self> {
        if phi.isExactlyZero { return PointAngle(phi: phi, sin: phi, cos: k.one, oneMinusCos: phi) }
        let t = phi.kernelTrigonometry()
        let oneMinusCos = t.cos.roughValue >= 0 ? t.sin * t.sin / (k.one + t.cos) : k.one - t.cos
        return PointAngle(phi: phi, sin: t.sin, cos: t.cos, oneMinusCos: oneMinusCos)
    }

    public static func kernelAdvance(_ s: PointAngle<Self>, constants k: KernelAngleMap<Self>) -> (state: PointAngle<Self>, correlation: Self) {
        if s.phi.isExactlyZero { return (s, k.one) }
        let rho: Self, defect: Self
        if s.phi.roughValue <= k.halfPiRough {
            defect = s.oneMinusCos - kernelSinMinusXCos(x: s.phi, sin: s.sin, cos: s.cos) * k.inversePi
            rho = k.one - defect
        } else {
            rho = kernelSinMinusXCos(x: k.pi - s.phi, sin: s.sin, cos: k.zero - s.cos) * k.inversePi
            defect = k.one - rho
        }
        let phi = k.two * (k.half * defect).kernelSquareRoot().kernelArcsine()
        let sine = (defect * (k.two - defect)).kernelSquareRoot()
        return (PointAngle(phi: phi, sin: sine, cos: rho, oneMinusCos: defect), rho)
    }
}

/// The layer map of the angle between two pre-activations: with J(φ) = sin φ + (π − φ) cos φ,
/// the next correlation is ρ′ = J(φ)/π and the next angle φ′ = arccos ρ′ (derivations/09).
///
/// Computed without cancellation: for φ ≤ π/2, 1 − ρ′ = (1 − cos φ) − S(φ)/π with
/// 1 − cos φ = sin²φ/(1 + cos φ) and S(φ) = sin φ − φ cos φ; for φ > π/2, ρ′ = S(π − φ)/π
/// (J(π − ψ) = S(ψ)). Then φ′ = 2 arcsin √((1 − ρ′)/2), well conditioned at every angle.
public struct KernelAngleMap<Scalar: KernelScalar>: Sendable {
    public let pi: Scalar
    /// 1/π (rounded, or enclosed for intervals).
    let inversePi: Scalar
    let zero: Scalar
    let one: Scalar
    let half: Scalar
    let two: Scalar
    let halfPiRough: Double

    public init(pi: Scalar, zero: Scalar, one: Scalar, half: Scalar, two: Scalar) {
        self.pi = pi
        inversePi = one / pi
        self.zero = zero
        self.one = one
        self.half = half
        self.two = two
        halfPiRough = Double.pi / 2
    }

    /// (φ′, ρ′ = cos φ′) for φ ∈ [0, π]; φ = 0 exactly maps to (0, 1) without any transcendental.
    public func step(_ phi: Scalar) -> (angle: Scalar, correlation: Scalar) {
        if phi.isExactlyZero { return (phi, one) }
        let rho: Scalar, defect: Scalar
        if phi.roughValue <= halfPiRough {
            let t = phi.kernelTrigonometry()
            defect = t.sin * t.sin / (one + t.cos) - t.sinMinusXCos / pi
            rho = one - defect
        } else {
            let t = (pi - phi).kernelTrigonometry()
            rho = t.sinMinusXCos / pi
            defect = one - rho
        }
        return (two * (half * defect).kernelSquareRoot().kernelArcsine(), rho)
    }
}

// MARK: - Double

extension Double: PointKernelScalar {
    public var isExactlyZero: Bool { self == 0 }
    public var roughValue: Double { self }
    public func kernelSquareRoot() -> Double { self > 0 ? self.squareRoot() : 0 }
    public func kernelArcsine() -> Double { Foundation.asin(Swift.min(1, self)) }
    public static func kernelArctangent2(y: Double, x: Double) -> Double { Foundation.atan2(y, x) }

    public func kernelTrigonometry() -> (sin: Double, cos: Double, sinMinusXCos: Double) {
        let s = Foundation.sin(self), c = Foundation.cos(self)
        return (s, c, Double.kernelSinMinusXCos(x: self, sin: s, cos: c))
    }

    /// Below 1/2 the series x³ Σ_k a_k x^{2k}, a_k = (−1)^k (2k+2)/(2k+3)!, whose eight terms reach
    /// 2^-53 relative at x = 1/2 (Horner); above, the subtraction cancels under 3 bits.
    public static func kernelSinMinusXCos(x: Double, sin s: Double, cos c: Double) -> Double {
        guard x < 0.5 else { return s - x * c }
        let x2 = x * x
        var sum = sinMinusXCosSeries[sinMinusXCosSeries.count - 1]
        for k in stride(from: sinMinusXCosSeries.count - 2, through: 0, by: -1) { sum = sum * x2 + sinMinusXCosSeries[k] }
        return x * x2 * sum
    }

    /// a_k = (−1)^k (2k+2)/(2k+3)! for k = 0 … 7.
    static let sinMinusXCosSeries: [Double] = (0..<8).map { k in
        var factorial = 1.0
        for i in 1...(2 * k + 3) { factorial *= Double(i) }
        return (k % 2 == 0 ? 1 : -1) * Double(2 * k + 2) / factorial
    }
}

// MARK: - BigFloat

extension BigFloat: PointKernelScalar {
    public var isExactlyZero: Bool { isZero }
    public var roughValue: Double { doubleValue() }
    public func kernelSquareRoot() -> BigFloat { signum > 0 ? squareRoot() : BigFloat(precision: precision) }
    public func kernelArcsine() -> BigFloat {
        if signum <= 0 { return BigFloat(precision: precision) }
        if BigFloat(1, precision: 2) < self { return BigFloat.pi(precision: precision).timesPowerOfTwo(-1) }
        return fastArcsine()
    }

    /// Below 1/8 from sin and cos at raised precision (`kernelTrigonometry`); above, the
    /// subtraction cancels at most 8 bits, of which under 3 reach the next correlation.
    public static func kernelSinMinusXCos(x: BigFloat, sin s: BigFloat, cos c: BigFloat) -> BigFloat {
        if x.roughValue < 0.125 { return x.kernelTrigonometry().sinMinusXCos }
        return s - x * c
    }
    public static func kernelArctangent2(y: BigFloat, x: BigFloat) -> BigFloat { arctangent2(y: y, x: x) }

    /// sin and cos at raised precision: S(φ) loses about 2·log₂(1/φ) + 3 bits to cancellation,
    /// which the extra bits pay for; the results are rounded back to the working precision.
    public func kernelTrigonometry() -> (sin: BigFloat, cos: BigFloat, sinMinusXCos: BigFloat) {
        let p = precision
        let raised = p + KernelPrecision.extraBits(forAngleExponent: exponent)
        let x = BigFloat(self, precision: raised)
        let (s, c) = x.sineAndCosine()
        let sx = BigFloat.difference(s, x * c, precision: p, rounding: .nearest)
        return (BigFloat(s, precision: p), BigFloat(c, precision: p), sx)
    }
}

/// Guard bits for sin φ − φ cos φ ≈ φ³/3 at small φ.
enum KernelPrecision {
    static func extraBits(forAngleExponent e: Int?) -> Int {
        guard let e else { return 8 }
        return 8 + 2 * Swift.max(0, -e) + 4
    }
}

// MARK: - Enclosure

extension Enclosure: KernelScalar {
    public var isExactlyZero: Bool { lower.isZero && upper.isZero }
    public var roughValue: Double { lower.doubleValue() }

    public func kernelSquareRoot() -> Enclosure {
        let zero = BigFloat(precision: precision)
        return Enclosure(lower: lower.signum > 0 ? lower.squareRoot(rounding: .down) : zero,
                         upper: upper.signum > 0 ? upper.squareRoot(rounding: .up) : zero)
    }

    /// arcsin is increasing; arguments are clamped to [0, 1], the domain the recursion uses.
    public func kernelArcsine() -> Enclosure {
        let p = precision
        let one = BigFloat(1, precision: p)
        func clamp(_ x: BigFloat) -> BigFloat { x.signum < 0 ? BigFloat(precision: p) : (one < x ? one : x) }
        return Enclosure(lower: clamp(lower).arcsine(rounding: .down), upper: clamp(upper).arcsine(rounding: .up))
    }

    /// atan2 with y ≥ 0 is monotone in each argument separately (decreasing in x; in y
    /// increasing for x > 0 and decreasing for x < 0), so its extremes over the box are at corners.
    public static func kernelArctangent2(y: Enclosure, x: Enclosure) -> Enclosure {
        let p = Swift.max(y.precision, x.precision)
        let ys = [y.lower.signum < 0 ? BigFloat(precision: p) : y.lower, y.upper]
        var lo: BigFloat?, hi: BigFloat?
        for a in ys {
            for b in [x.lower, x.upper] {
                let l = BigFloat.arctangent2(y: a, x: b, precision: p, rounding: .down)
                let h = BigFloat.arctangent2(y: a, x: b, precision: p, rounding: .up)
                if lo == nil || l < lo! { lo = l }
                if hi == nil || hi! < h { hi = h }
            }
        }
        return Enclosure(lower: lo!, upper: hi!)
    }

    /// For a point φ: MPFR's sin and cos rounded to nearest at raised precision lie within half
    /// an ulp of the exact values, so one ulp either side encloses them; S(φ) is then enclosed by
    /// interval arithmetic. A wider φ is enclosed by monotonicity on [0, π/2] (sin, S increasing;
    /// cos decreasing).
    public func kernelTrigonometry() -> (sin: Enclosure, cos: Enclosure, sinMinusXCos: Enclosure) {
        let p = precision
        func atPoint(_ v: BigFloat) -> (Enclosure, Enclosure, Enclosure) {
            let raised = p + KernelPrecision.extraBits(forAngleExponent: v.exponent)
            let x = BigFloat(v, precision: raised)
            let (s, c) = x.sineAndCosine()
            let sE = Enclosure.aroundNearest(s), cE = Enclosure.aroundNearest(c)
            let xE = Enclosure(exactly: x)
            let sx = sE - xE * cE
            return (sE.rounded(toPrecision: p), cE.rounded(toPrecision: p), sx.rounded(toPrecision: p))
        }
        let a = atPoint(lower)
        if lower == upper { return a }
        let b = atPoint(upper)
        return (Enclosure(lower: a.0.lower, upper: b.0.upper), Enclosure(lower: b.1.lower, upper: a.1.upper),
                Enclosure(lower: a.2.lower, upper: b.2.upper))
    }

    /// The angle map is increasing in φ and ρ′ = J(φ)/π decreasing, so an interval of angles
    /// maps to the hull of its endpoints' images — far tighter than interval arithmetic on the
    /// whole formula, whose terms are correlated.
    public static func kernelAngleState(_ phi: Enclosure, constants: KernelAngleMap<Enclosure>) -> Enclosure { phi }
    public static func kernelAngle(_ state: Enclosure) -> Enclosure { state }

    public static func kernelAdvance(_ phi: Enclosure, constants: KernelAngleMap<Enclosure>) -> (state: Enclosure, correlation: Enclosure) {
        if phi.lower.signum > 0 && phi.upper.isSmallSeriesArgument { return smallAngleAdvance(phi, constants: constants) }
        if phi.lower == phi.upper { let r = constants.step(phi); return (r.angle, r.correlation) }
        let a = constants.step(Enclosure(exactly: phi.lower))
        let b = constants.step(Enclosure(exactly: phi.upper))
        return (Enclosure(lower: a.angle.lower, upper: b.angle.upper), Enclosure(lower: b.correlation.lower, upper: a.correlation.upper))
    }

    /// Deep layers (angle 0 < φ < 2^-8, or φ = 0 exactly) on preallocated MPFR registers
    /// (`SmallAngleKernelLayers`): the same enclosures as `smallAngleAdvance` and the interval
    /// Horner update, without a temporary `BigFloat` per operation.
    public static func kernelLayerRunner(map: KernelAngleMap<Enclosure>, halfSigma2: Enclosure, halfSigma2OverPi: Enclosure,
                                         beta: Enclosure) -> KernelLayerRunner<Enclosure>? {
        let layers = SmallAngleKernelLayers(precision: halfSigma2.precision, halfSigma2: halfSigma2, halfSigma2OverPi: halfSigma2OverPi,
                                            inversePi: map.inversePi, beta: beta)
        return { state, ratio, count in
            layers.run(angle: &state.angle, t: &state.t, scale: &state.scale, correlation: &state.correlation, ratio: ratio, count: count)
        }
    }

    /// The angle map for 0 < φ ≤ 2^-8 (every layer of a deep network but the first few
    /// thousand): each endpoint needs only one bound of each image — the lower endpoint the
    /// lower bound of the next angle and the upper bound of ρ′, the upper endpoint the others —
    /// and these come from directed Taylor series (`oneMinusCosineBound`,
    /// `sineMinusXCosineBound`, `arcsineBound`): 1 − ρ′ = (1 − cos φ) − S(φ)/π is bounded
    /// from its terms' opposite bounds, then φ′ = 2 arcsin √((1 − ρ′)/2), all monotone. No sine,
    /// cosine or arcsine of MPFR and no raised precision (the series has no cancellation).
    static func smallAngleAdvance(_ phi: Enclosure, constants: KernelAngleMap<Enclosure>) -> (state: Enclosure, correlation: Enclosure) {
        let p = phi.precision
        let one = BigFloat(1, precision: p)
        /// One bound of the defect 1 − ρ′ at an endpoint: `.down` from the lower endpoint, `.up` from the upper.
        func defect(_ x: BigFloat, _ direction: RoundingDirection) -> BigFloat {
            let opposite: RoundingDirection = direction == .down ? .up : .down
            let inversePi = direction == .down ? constants.inversePi.upper : constants.inversePi.lower
            let s = BigFloat.product(x.sineMinusXCosineBound(rounding: opposite), inversePi, rounding: opposite)
            let d = BigFloat.difference(x.oneMinusCosineBound(rounding: direction), s, rounding: direction)
            return d.signum < 0 ? BigFloat(precision: p) : d
        }
        /// 2 arcsin √(δ/2), bounded in `direction` (δ/2 is exact; √ and arcsin are increasing).
        func angle(_ d: BigFloat, _ direction: RoundingDirection) -> BigFloat {
            let root = d.timesPowerOfTwo(-1).squareRoot(rounding: direction)
            guard root.isSmallSeriesArgument else { return root.arcsine(rounding: direction).timesPowerOfTwo(1) }
            return root.arcsineBound(rounding: direction).timesPowerOfTwo(1)
        }
        let low = defect(phi.lower, .down), high = defect(phi.upper, .up)
        let state = Enclosure(lower: angle(low, .down), upper: angle(high, .up))
        let correlation = Enclosure(lower: BigFloat.difference(one, high, rounding: .down), upper: BigFloat.difference(one, low, rounding: .up))
        return (state, correlation)
    }

    /// [v − ulp, v + ulp] for a value v rounded to nearest from some exact real.
    static func aroundNearest(_ v: BigFloat) -> Enclosure {
        Enclosure(lower: v.nextDown(), upper: v.nextUp())
    }

    /// The same interval at another precision, rounded outward.
    public func rounded(toPrecision p: Int) -> Enclosure {
        Enclosure(lower: BigFloat(lower, precision: p, rounding: .down), upper: BigFloat(upper, precision: p, rounding: .up))
    }
}
