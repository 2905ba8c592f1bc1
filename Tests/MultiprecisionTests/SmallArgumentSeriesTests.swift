import Testing
import Multiprecision

/// The directed small-argument series bound the exact function values, which are themselves
/// bounded rigorously by MPFR's directed sin/cos/asin at 1200 bits; and they are tight.
@Suite("Small-argument series: directed bounds of 1 − cos x, sin x − x cos x, arcsin x")
struct SmallArgumentSeriesTests {
    /// Points from below 2^-8 down to 2^-60 at several precisions, with irregular significands.
    static let points: [(x: BigFloat, precision: Int)] = [53, 127, 300].flatMap { p in
        [-9, -10, -13, -20, -31, -47, -60].map { e in
            (BigFloat(0.987654321, precision: p).timesPowerOfTwo(e) + BigFloat(1, precision: p).timesPowerOfTwo(e - 3), p)
        }
    }

    /// [low, high] enclosing f(x), at 1200 bits (directed MPFR functions, directed subtraction).
    static func reference(_ x: BigFloat) -> (oneMinusCos: (BigFloat, BigFloat), sMinusXCos: (BigFloat, BigFloat), asin: (BigFloat, BigFloat)) {
        let q = 1200
        let X = BigFloat(x, precision: q)  // exact
        let cosLow = X.sineAndCosine(precision: q, rounding: .down).cos, cosHigh = X.sineAndCosine(precision: q, rounding: .up).cos
        let sinLow = X.sineAndCosine(precision: q, rounding: .down).sin, sinHigh = X.sineAndCosine(precision: q, rounding: .up).sin
        let one = BigFloat(1, precision: q)
        let omc = (BigFloat.difference(one, cosHigh, rounding: .down), BigFloat.difference(one, cosLow, rounding: .up))
        let s = (BigFloat.difference(sinLow, BigFloat.product(X, cosHigh, rounding: .up), rounding: .down),
                 BigFloat.difference(sinHigh, BigFloat.product(X, cosLow, rounding: .down), rounding: .up))
        let asin = (X.arcsine(precision: q, rounding: .down), X.arcsine(precision: q, rounding: .up))
        return (omc, s, asin)
    }

    @Test("lower ≤ f(x) ≤ upper, and upper − lower is a few ulps of f(x)")
    func boundsEncloseAndAreTight() {
        for (x, p) in Self.points {
            #expect(x.isSmallSeriesArgument)
            let r = Self.reference(x)
            let cases: [(String, BigFloat, BigFloat, (BigFloat, BigFloat))] = [
                ("1 − cos", x.oneMinusCosineBound(rounding: .down), x.oneMinusCosineBound(rounding: .up), r.oneMinusCos),
                ("sin − x cos", x.sineMinusXCosineBound(rounding: .down), x.sineMinusXCosineBound(rounding: .up), r.sMinusXCos),
                ("arcsin", x.arcsineBound(rounding: .down), x.arcsineBound(rounding: .up), r.asin),
            ]
            for (name, low, high, exact) in cases {
                #expect(!(exact.0 < low), "\(name) p=\(p) x=\(x): lower bound above the value")
                #expect(!(high < exact.1), "\(name) p=\(p) x=\(x): upper bound below the value")
                let width = BigFloat.difference(high, low, precision: 64, rounding: .up)
                let relative = (width / exact.0).doubleValue()
                #expect(relative < Double(sign: .plus, exponent: -p + 6, significand: 1), "\(name) p=\(p): relative width \(relative)")
            }
        }
    }

    @Test("zero maps to zero; arguments above 2^-8 are not small")
    func edges() {
        let zero = BigFloat(precision: 100)
        #expect(zero.isSmallSeriesArgument)
        #expect(zero.oneMinusCosineBound(rounding: .up).isZero && zero.arcsineBound(rounding: .down).isZero)
        #expect(!BigFloat(1, precision: 100).timesPowerOfTwo(-8).isSmallSeriesArgument)  // 2^-8 has exponent −7
        #expect(!BigFloat(-1, precision: 100).timesPowerOfTwo(-20).isSmallSeriesArgument)
    }
}

/// One layer of `SmallAngleKernelLayers` against the angle map evaluated at 1500 bits:
/// ρ′ = (sin φ + (π − φ) cos φ)/π and φ′ = 2 arcsin √((1 − ρ′)/2).
@Suite("Small-angle kernel layers: one step of the angle map")
struct SmallAngleKernelLayersTests {
    static func reference(_ x: BigFloat) -> (angle: BigFloat, correlation: BigFloat) {
        let q = 1500
        let X = BigFloat(x, precision: q)
        let (s, c) = X.sineAndCosine(precision: q, rounding: .nearest)
        let pi = BigFloat.pi(precision: q)
        let oneMinusCos = s * s / (BigFloat(1, precision: q) + c)
        let defect = oneMinusCos - (s - X * c) / pi
        let rho = BigFloat(1, precision: q) - defect
        let angle = defect.timesPowerOfTwo(-1).squareRoot().arcsine(precision: q, rounding: .nearest).timesPowerOfTwo(1)
        return (angle, rho)
    }

    @Test("the angle and correlation intervals after one layer contain the 1500-bit values and are a few ulps wide")
    func oneLayerEncloses() {
        for p in [53, 139, 256, 1000] {
            let one = Enclosure(BigRational(1), precision: p)
            let pi = Enclosure(lower: BigFloat.pi(precision: p, rounding: .down), upper: BigFloat.pi(precision: p, rounding: .up))
            let layers = SmallAngleKernelLayers(precision: p, halfSigma2: one, halfSigma2OverPi: one / pi, inversePi: one / pi, beta: one)
            for e in [-9, -10, -13, -17, -20, -31, -47, -60] {
                let x = BigFloat(0.987654321, precision: p).timesPowerOfTwo(e) + BigFloat(1, precision: p).timesPowerOfTwo(e - 3)
                let r = Self.reference(x)
                var angle = Enclosure(exactly: x), t = one, scale = one
                var rho: Enclosure? = nil
                #expect(layers.run(angle: &angle, t: &t, scale: &scale, correlation: &rho, ratio: one, count: 1) == 1)
                guard let rho else { Issue.record("no correlation"); continue }
                for (name, enc, value) in [("angle", angle, r.angle), ("correlation", rho, r.correlation)] {
                    #expect(!(value < enc.lower) && !(enc.upper < value), "p=\(p) e=\(e) \(name): \(value) ∉ [\(enc.lower), \(enc.upper)]")
                    let relative = (BigFloat.difference(enc.upper, enc.lower, precision: 64, rounding: .up) / value).doubleValue()
                    #expect(relative < Double(sign: .plus, exponent: -p + 6, significand: 1), "p=\(p) e=\(e) \(name): relative width \(relative)")
                }
            }
        }
    }
}
