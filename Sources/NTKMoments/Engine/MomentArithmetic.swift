import Multiprecision

/// Turns the exact rational constants of the recursion into scalars of one arithmetic.
///
/// Each conforming type fixes σ² and ‖x‖² (the symbolic arithmetic keeps them as variables)
/// and a rounding policy. Contract of `constant`: return c·(σ²)^d·2^{−k} exactly
/// (rationals, polynomials), correctly rounded (MPFR, Double, up to underflow of 2^{−k}),
/// or enclosed (intervals).
public protocol MomentArithmetic: Sendable {
    associatedtype Scalar: MomentScalar
    var zero: Scalar { get }
    /// c·(σ²)^d·2^{−k}.
    func constant(_ c: BigRational, sigma2Power d: Int, twoToMinus k: Int) -> Scalar
    /// ‖x‖².
    var inputNorm2: Scalar { get }
    /// P(some hidden layer has no active unit) = 1 − Π_j (1 − 2^{−n_j}).
    func probabilityOfDeadLayer(hiddenRuns: [WidthRun]) -> Scalar
    /// The same as `constant(c, sigma2Power: d, twoToMinus: k)` for c = Π numerator / Π
    /// denominator (machine integers, denominator non-zero): rounded arithmetics round the
    /// quotient directly, without building the rational (the per-layer constants of general
    /// width sequences are made this way). Same value, hence the same correctly rounded scalar.
    func constant(quotientOf numerator: [Int], over denominator: [Int], sigma2Power d: Int, twoToMinus k: Int) -> Scalar
}

extension MomentArithmetic {
    func constant(_ c: BigRational) -> Scalar { constant(c, sigma2Power: 0, twoToMinus: 0) }

    public func constant(quotientOf numerator: [Int], over denominator: [Int], sigma2Power d: Int, twoToMinus k: Int) -> Scalar {
        constant(IntegerQuotient.rational(numerator, denominator), sigma2Power: d, twoToMinus: k)
    }
}

/// Products of machine integers as exact rationals (no overflow).
enum IntegerQuotient {
    static func rational(_ numerator: [Int], _ denominator: [Int]) -> BigRational {
        var n = BigRational(1), m = BigRational(1)
        for f in numerator { n *= BigRational(f) }
        for f in denominator { m *= BigRational(f) }
        return n / m
    }
}

/// c·(σ²)^d from cached powers (the layer constants only ever need d ≤ 2).
enum SigmaPowers {
    static func times(_ c: BigRational, sigma2: BigRational, squared: BigRational, power d: Int) -> BigRational {
        switch d {
        case 0: return c
        case 1: return c * sigma2
        case 2: return c * squared
        default: return c * sigma2.power(d)
        }
    }

    /// (σ²)^d.
    static func power(_ d: Int, sigma2: BigRational, squared: BigRational) -> BigRational {
        switch d {
        case 0: return 1
        case 1: return sigma2
        case 2: return squared
        default: return sigma2.power(d)
        }
    }
}

// MARK: - Double

/// IEEE double precision. Constants are correctly rounded from their exact rational values;
/// the engine rescales vectors and matrices by powers of two, so deep networks neither
/// overflow nor underflow *between* layers. Within one layer, however, products of the
/// per-layer constants (up to σ⁶‖x‖⁴ and the like) must stay in Double's range, so σ² and a
/// non-zero ‖x‖² must lie in `supportedRange` (1e-30 … 1e30); the initializer throws
/// otherwise, rather than returning silently wrong values (at σ² = 1e-100 products underflow
/// into subnormals). MPFR has no such limit.
public struct DoubleArithmetic: MomentArithmetic {
    let sigma2: BigRational
    let sigma2Squared: BigRational
    public let inputNorm2: Double
    /// σ² = numerator/denominator as machine integers, when both fit (most σ² users give).
    let sigma2Integers: (numerator: Int, denominator: Int)?

    /// σ² and non-zero ‖x‖² outside this range are refused.
    public static let supportedRange: ClosedRange<BigRational> =
        (BigRational(1) / BigRational(10).power(30))...BigRational(10).power(30)

    /// Why `Double` cannot evaluate the recursion for these parameters.
    public struct RangeError: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    public init(sigma2: BigRational, inputNorm2: BigRational) throws {
        guard Self.supportedRange.contains(sigma2) else {
            throw RangeError(description: "double arithmetic handles σ² from 1e-30 to 1e30 (got \(sigma2)); use MPFR")
        }
        guard inputNorm2.isZero || Self.supportedRange.contains(inputNorm2) else {
            throw RangeError(description: "double arithmetic handles ‖x‖² = 0 or from 1e-30 to 1e30 (got \(inputNorm2)); use MPFR")
        }
        self.sigma2 = sigma2
        self.sigma2Squared = sigma2 * sigma2
        self.inputNorm2 = BigFloat(inputNorm2, precision: 53).doubleValue()
        sigma2Integers = Int(sigma2.numeratorString).flatMap { n in Int(sigma2.denominatorString).map { (n, $0) } }
    }

    /// Π numerator·(σ²)^d / (Π denominator·…) as one IEEE division when both integers are
    /// exact in a Double (|·| ≤ 2^53): IEEE division rounds correctly to nearest-even, which is
    /// what MPFR's 53-bit division does, so the value is the same. Nil otherwise.
    func exactDivision(_ numerator: [Int], _ denominator: [Int], sigma2Power d: Int) -> Double? {
        guard let (sn, sd) = sigma2Integers else { return nil }
        var num = 1, den = 1
        func times(_ x: inout Int, _ f: Int) -> Bool {
            let (r, overflow) = x.multipliedReportingOverflow(by: f)
            x = r
            return !overflow
        }
        for f in numerator { guard times(&num, f) else { return nil } }
        for f in denominator { guard times(&den, f) else { return nil } }
        for _ in 0..<d { guard times(&num, sn), times(&den, sd) else { return nil } }
        guard num >= 0, den > 0, num <= 1 << 53, den <= 1 << 53 else { return nil }
        return Double(num) / Double(den)
    }

    public var zero: Double { 0 }

    public func constant(_ c: BigRational, sigma2Power d: Int, twoToMinus k: Int) -> Double {
        let exact = SigmaPowers.times(c, sigma2: sigma2, squared: sigma2Squared, power: d)
        // Round once from the exact rational; scale separately so 2^{-k} never spoils it.
        let rounded = BigFloat(exact, precision: 53)
        guard let e = rounded.exponent else { return 0 }
        let mantissa = rounded.timesPowerOfTwo(-e).doubleValue()
        return mantissa.rescaled(byPowerOfTwo: e - k)
    }

    public func constant(quotientOf numerator: [Int], over denominator: [Int], sigma2Power d: Int, twoToMinus k: Int) -> Double {
        // Exact scaling by 2^{−k} while the result stays normal; else the general path below.
        if let q = exactDivision(numerator, denominator, sigma2Power: d) {
            if q == 0 { return 0 }
            if q.exponent - k >= Double.leastNormalMagnitude.exponent { return q.rescaled(byPowerOfTwo: -k) }
        }
        let rounded = BigFloat(quotientOf: numerator, over: denominator, times: SigmaPowers.power(d, sigma2: sigma2, squared: sigma2Squared),
                               precision: 53)
        guard let e = rounded.exponent else { return 0 }
        let mantissa = rounded.timesPowerOfTwo(-e).doubleValue()
        return mantissa.rescaled(byPowerOfTwo: e - k)
    }

    public func probabilityOfDeadLayer(hiddenRuns: [WidthRun]) -> Double {
        var logAlive = 0.0
        for run in hiddenRuns {
            logAlive += Double(run.count) * Foundation_log1p(-Double(1).rescaled(byPowerOfTwo: -run.width))
        }
        return -Foundation_expm1(logAlive)
    }
}

// MARK: - MPFR

/// MPFR arithmetic at a fixed working precision, rounding to nearest. Every constant is
/// correctly rounded from its exact value; results carry the usual floating-point error of
/// a sum of non-negative products (relative error a small multiple of depth·2^{−precision}).
public struct MPFRArithmetic: MomentArithmetic {
    public let precision: Int
    let sigma2: BigRational
    let sigma2Squared: BigRational
    public let inputNorm2: BigFloat

    public init(precision: Int, sigma2: BigRational, inputNorm2: BigRational) {
        self.precision = precision
        self.sigma2 = sigma2
        self.sigma2Squared = sigma2 * sigma2
        self.inputNorm2 = BigFloat(inputNorm2, precision: precision)
    }

    public var zero: BigFloat { BigFloat(precision: precision) }

    public func constant(_ c: BigRational, sigma2Power d: Int, twoToMinus k: Int) -> BigFloat {
        let exact = SigmaPowers.times(c, sigma2: sigma2, squared: sigma2Squared, power: d)
        let rounded = BigFloat(exact, precision: precision)
        return k == 0 ? rounded : rounded.timesPowerOfTwo(-k)
    }

    public func constant(quotientOf numerator: [Int], over denominator: [Int], sigma2Power d: Int, twoToMinus k: Int) -> BigFloat {
        let rounded = BigFloat(quotientOf: numerator, over: denominator, times: SigmaPowers.power(d, sigma2: sigma2, squared: sigma2Squared),
                               precision: precision)
        return k == 0 ? rounded : rounded.timesPowerOfTwo(-k)
    }

    public func probabilityOfDeadLayer(hiddenRuns: [WidthRun]) -> BigFloat {
        let working = precision + 32
        if DeadLayerEvaluation.prefersDirectProduct(hiddenRuns) {
            // 1 − Π(1 − 2^{−n})^c: no cancellation to fear while the result is not tiny, and
            // exact whenever the product is representable (e.g. 1 − (3/4)² = 7/16).
            var alive = BigFloat(1, precision: working)
            for run in hiddenRuns {
                let factor = BigFloat(1, precision: working) - BigFloat.powerOfTwo(-run.width, precision: working)
                alive *= factor.power(run.count)
            }
            return BigFloat(BigFloat(1, precision: working) - alive, precision: precision)
        }
        // −expm1(Σ c·log1p(−2^{−n})) keeps full relative accuracy even when the
        // probability is far below 2^{−precision}.
        var logAlive = BigFloat(precision: working)
        for run in hiddenRuns {
            let t = BigFloat.powerOfTwo(-run.width, precision: working)
            logAlive += (-t).log1p() * BigFloat(run.count, precision: working)
        }
        return BigFloat(-(logAlive.expm1()), precision: precision)
    }
}

/// Chooses between the two evaluations of P(dead) = 1 − Π_j (1 − 2^{−n_j}).
enum DeadLayerEvaluation {
    /// True when Σ c·2^{−n} ≥ 2^{−8}: the probability is not small, so the direct product
    /// loses nothing to cancellation.
    static func prefersDirectProduct(_ runs: [WidthRun]) -> Bool {
        var sum = 0.0
        for run in runs where run.width < 1100 {
            sum += Double(run.count) * Double(1).rescaled(byPowerOfTwo: -run.width)
        }
        return sum >= 1.0 / 256
    }
}

// MARK: - Exact rationals

/// Exact rational arithmetic (GMP). Results are exact; cost grows with the size of the
/// rationals, roughly n_j bits per hidden layer of width n_j.
public struct RationalArithmetic: MomentArithmetic {
    let sigma2: BigRational
    public let inputNorm2: BigRational

    public init(sigma2: BigRational, inputNorm2: BigRational) {
        self.sigma2 = sigma2
        self.inputNorm2 = inputNorm2
    }

    public var zero: BigRational { 0 }

    public func constant(_ c: BigRational, sigma2Power d: Int, twoToMinus k: Int) -> BigRational {
        (c * sigma2.power(d)).timesPowerOfTwo(-k)
    }

    public func probabilityOfDeadLayer(hiddenRuns: [WidthRun]) -> BigRational {
        var alive = BigRational(1)
        for run in hiddenRuns {
            alive *= (BigRational(1) - BigRational(1).timesPowerOfTwo(-run.width)).power(run.count)
        }
        return BigRational(1) - alive
    }
}

// MARK: - Enclosures

/// Interval arithmetic over MPFR with outward rounding: every result is an interval that
/// provably contains the exact value.
public struct EnclosureArithmetic: MomentArithmetic {
    public let precision: Int
    let sigma2: BigRational
    let sigma2Squared: BigRational
    public let inputNorm2: Enclosure

    public init(precision: Int, sigma2: BigRational, inputNorm2: BigRational) {
        self.precision = precision
        self.sigma2 = sigma2
        self.sigma2Squared = sigma2 * sigma2
        self.inputNorm2 = Enclosure(inputNorm2, precision: precision)
    }

    public var zero: Enclosure { Enclosure(exactly: BigFloat(precision: precision)) }

    public func constant(_ c: BigRational, sigma2Power d: Int, twoToMinus k: Int) -> Enclosure {
        let exact = SigmaPowers.times(c, sigma2: sigma2, squared: sigma2Squared, power: d)
        let enclosure = Enclosure(exact, precision: precision)
        return k == 0 ? enclosure : enclosure.timesPowerOfTwo(-k)
    }

    public func constant(quotientOf numerator: [Int], over denominator: [Int], sigma2Power d: Int, twoToMinus k: Int) -> Enclosure {
        let factor = SigmaPowers.power(d, sigma2: sigma2, squared: sigma2Squared)
        let enclosure = Enclosure(lower: BigFloat(quotientOf: numerator, over: denominator, times: factor, precision: precision, rounding: .down),
                                  upper: BigFloat(quotientOf: numerator, over: denominator, times: factor, precision: precision, rounding: .up))
        return k == 0 ? enclosure : enclosure.timesPowerOfTwo(-k)
    }

    public func probabilityOfDeadLayer(hiddenRuns: [WidthRun]) -> Enclosure {
        if DeadLayerEvaluation.prefersDirectProduct(hiddenRuns) {
            // Every factor 1 − 2^{−n} is exact at this precision or enclosed; powers of
            // enclosures of positive numbers are monotone.
            var alive = Enclosure(exactly: BigFloat(1, precision: precision))
            for run in hiddenRuns {
                let factor = Enclosure(exactly: BigFloat(1, precision: precision)) - Enclosure(exactly: BigFloat.powerOfTwo(-run.width, precision: precision))
                alive = alive * Enclosure(lower: factor.lower.power(run.count, rounding: .down),
                                          upper: factor.upper.power(run.count, rounding: .up))
            }
            return Enclosure(exactly: BigFloat(1, precision: precision)) - alive
        }
        var logAlive = zero
        for run in hiddenRuns {
            let minusT = Enclosure(exactly: -BigFloat.powerOfTwo(-run.width, precision: precision))
            logAlive = logAlive + Enclosure(BigRational(run.count), precision: precision) * minusT.log1p()
        }
        return -(logAlive.expm1())
    }
}

// MARK: - Symbolic

/// Exact polynomials in s = σ² and x = ‖x‖² with rational coefficients.
///
/// The polynomials describe the moments for ‖x‖² > 0; at ‖x‖² = 0 (and depth ≥ 2) the
/// network is dead with probability one and the moments jump to β and β².
public struct SymbolicArithmetic: MomentArithmetic {
    public init() {}
    public var zero: Polynomial { Polynomial() }
    public var inputNorm2: Polynomial { Polynomial(1, xDegree: 1) }

    public func constant(_ c: BigRational, sigma2Power d: Int, twoToMinus k: Int) -> Polynomial {
        Polynomial(c.timesPowerOfTwo(-k), sDegree: d)
    }

    public func probabilityOfDeadLayer(hiddenRuns: [WidthRun]) -> Polynomial {
        Polynomial(RationalArithmetic(sigma2: 1, inputNorm2: 1).probabilityOfDeadLayer(hiddenRuns: hiddenRuns))
    }
}
