import CMPFR

/// A closed interval `[lower, upper]` of `BigFloat`s that is guaranteed to contain a real
/// number, in the style of interval arithmetic (Arb, MPFI).
///
/// Contract: every operation returns an enclosure of the exact result of the same operation
/// on any points of its operands' intervals. Lower bounds are computed rounding toward −∞
/// and upper bounds toward +∞ (outward rounding), so the guarantee survives rounding.
/// Multiplication handles all sign combinations; on non-negative operands — all the moment
/// recursion ever sees — it costs two MPFR products.
public struct Enclosure: @unchecked Sendable {
    public private(set) var lower: BigFloat
    public private(set) var upper: BigFloat

    /// The enclosure `[lower, upper]`; requires lower ≤ upper.
    public init(lower: BigFloat, upper: BigFloat) {
        precondition(!(upper < lower), "Enclosure: lower bound above upper bound")
        self.lower = lower
        self.upper = upper
    }

    /// The tightest enclosure of an exact rational at the given precision.
    public init(_ value: BigRational, precision: Int) {
        lower = BigFloat(value, precision: precision, rounding: .down)
        upper = BigFloat(value, precision: precision, rounding: .up)
    }

    /// The point interval of a representable value.
    public init(exactly value: BigFloat) {
        lower = value
        upper = value
    }

    public var precision: Int { max(lower.precision, upper.precision) }

    /// True when the exact rational lies in the interval.
    public func contains(_ value: BigRational) -> Bool {
        value.withMPQ { q in
            lower.withMPFR { mpfr_cmp_q($0, q) <= 0 } && upper.withMPFR { mpfr_cmp_q($0, q) >= 0 }
        }
    }

    /// upper − lower, rounded up.
    public var width: BigFloat { BigFloat.difference(upper, lower, rounding: .up) }

    public var isNonNegative: Bool { lower.signum >= 0 }

    // MARK: Arithmetic

    public static func + (a: Enclosure, b: Enclosure) -> Enclosure {
        Enclosure(lower: .sum(a.lower, b.lower, rounding: .down), upper: .sum(a.upper, b.upper, rounding: .up))
    }

    public static func - (a: Enclosure, b: Enclosure) -> Enclosure {
        Enclosure(lower: .difference(a.lower, b.upper, rounding: .down),
                  upper: .difference(a.upper, b.lower, rounding: .up))
    }

    public static prefix func - (a: Enclosure) -> Enclosure {
        Enclosure(lower: -a.upper, upper: -a.lower)
    }

    public static func * (a: Enclosure, b: Enclosure) -> Enclosure {
        if a.isNonNegative && b.isNonNegative {
            return Enclosure(lower: .product(a.lower, b.lower, rounding: .down),
                             upper: .product(a.upper, b.upper, rounding: .up))
        }
        let pairs = [(a.lower, b.lower), (a.lower, b.upper), (a.upper, b.lower), (a.upper, b.upper)]
        let lows = pairs.map { BigFloat.product($0.0, $0.1, rounding: .down) }
        let highs = pairs.map { BigFloat.product($0.0, $0.1, rounding: .up) }
        return Enclosure(lower: lows.min()!, upper: highs.max()!)
    }

    /// Quotient; a divisor interval containing 0 yields the whole real line.
    public static func / (a: Enclosure, b: Enclosure) -> Enclosure {
        let p = max(a.precision, b.precision)
        guard b.lower.signum > 0 || b.upper.signum < 0 else {
            return Enclosure(lower: .infinity(precision: p, negative: true), upper: .infinity(precision: p))
        }
        let pairs = [(a.lower, b.lower), (a.lower, b.upper), (a.upper, b.lower), (a.upper, b.upper)]
        let lows = pairs.map { BigFloat.quotient($0.0, $0.1, rounding: .down) }
        let highs = pairs.map { BigFloat.quotient($0.0, $0.1, rounding: .up) }
        return Enclosure(lower: lows.min()!, upper: highs.max()!)
    }

    /// self ← self + a·b. Non-negative factors use one fused multiply-add per bound.
    public mutating func addProduct(_ a: Enclosure, _ b: Enclosure) {
        if a.isNonNegative && b.isNonNegative {
            lower.addProduct(a.lower, b.lower, rounding: .down)
            upper.addProduct(a.upper, b.upper, rounding: .up)
        } else {
            self = self + a * b
        }
    }

    /// self ← self + x with outward rounding, reusing the bounds' storage.
    public mutating func add(_ x: Enclosure) {
        lower.add(x.lower, rounding: .down)
        upper.add(x.upper, rounding: .up)
    }

    /// self ← a·b, reusing the bounds' storage for non-negative factors.
    public mutating func assignProduct(_ a: Enclosure, _ b: Enclosure) {
        if a.isNonNegative && b.isNonNegative {
            lower.setProduct(a.lower, b.lower, rounding: .down)
            upper.setProduct(a.upper, b.upper, rounding: .up)
        } else {
            self = a * b
        }
    }

    /// [0, 0], keeping the bounds' storage.
    public mutating func setBoundsToZero() {
        lower.setZero()
        upper.setZero()
    }

    /// Exact scaling by 2^k (outward rounding only matters at the ends of the exponent range).
    public func timesPowerOfTwo(_ k: Int) -> Enclosure {
        Enclosure(lower: lower.timesPowerOfTwo(k, rounding: .down), upper: upper.timesPowerOfTwo(k, rounding: .up))
    }

    /// log(1 + x) — increasing, so the bounds map to the bounds.
    public func log1p() -> Enclosure {
        Enclosure(lower: lower.log1p(rounding: .down), upper: upper.log1p(rounding: .up))
    }

    /// exp(x) − 1 — increasing.
    public func expm1() -> Enclosure {
        Enclosure(lower: lower.expm1(rounding: .down), upper: upper.expm1(rounding: .up))
    }

    // MARK: Output

    /// The value to as many significant digits (at most `maximumDigits`) as the interval
    /// determines: the largest d for which both bounds round to nearest to the same d-digit
    /// decimal. Rounding to nearest is monotone, so every point of the interval — the true
    /// value included — rounds to the digits printed: they are correctly rounded. When not
    /// even one digit is determined, the interval is printed as `[lower, upper]`.
    public func certifiedDigits(maximumDigits: Int = 40) -> String {
        if lower == upper {
            return lower.formatted(significantDigits: maximumDigits)
        }
        // Two bounds further apart than one unit of the d-th digit cannot round alike, so
        // start just above −log₁₀(relative width) and step down (agreement is not monotone
        // in d: 1.2349 and 1.2351 agree at 4 digits but not at 3).
        var digits = maximumDigits
        if lower.isFinite, upper.isFinite {
            let p = 64
            let mid = (BigFloat(lower, precision: p) + BigFloat(upper, precision: p)).magnitude()
            let width = BigFloat.difference(upper, lower, precision: p, rounding: .up)
            if !mid.isZero {
                let relative = (width / mid).log10().doubleValue()
                if relative.isFinite { digits = min(maximumDigits, max(1, Int(-relative) + 2)) }
            }
        } else {
            digits = 0
        }
        while digits >= 1 {
            if let lo = lower.decimalDigits(digits, rounding: .nearest),
               let hi = upper.decimalDigits(digits, rounding: .nearest),
               lo == hi {
                return DecimalLayout.render(negative: lo.negative, digits: lo.digits, exponent: lo.exponent,
                                            scientificBeyond: digits)
            }
            digits -= 1
        }
        return "[" + lower.formatted(significantDigits: 6, rounding: .down) + ", "
            + upper.formatted(significantDigits: 6, rounding: .up) + "]"
    }
}
