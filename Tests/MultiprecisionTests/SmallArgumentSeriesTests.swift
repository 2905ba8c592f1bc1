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
