import Multiprecision

/// How the moments are computed, and therefore what the printed numbers guarantee.
public enum ArithmeticMode: Sendable, Equatable {
    /// Exact rationals (GMP): every digit printed is exact.
    case exact
    /// MPFR at the given working precision, rounding to nearest.
    case mpfr(precision: Int)
    /// IEEE double precision with a separate binary scale (no overflow or underflow).
    case double
    /// Interval arithmetic at the given precision: results are rigorous enclosures.
    case certified(precision: Int)

    public var label: String {
        switch self {
        case .exact: return "exact rational (GMP)"
        case .mpfr(let p): return "MPFR, \(p)-bit working precision, round to nearest"
        case .double: return "IEEE double (53-bit) with a binary scale exponent"
        case .certified(let p): return "certified enclosure (MPFR intervals, \(p)-bit, outward rounding)"
        }
    }
}

/// One printed quantity in whatever form the arithmetic produced it.
public enum MomentValue: Sendable {
    case exact(BigRational)
    /// A floating-point approximation (MPFR, or a Double carried without exponent limits).
    case approximate(BigFloat)
    case enclosure(Enclosure)
    /// Does not exist (the dispersion when E[Θ] = 0).
    case undefined

    /// Nearest BigFloat at `precision` bits (midpoint for enclosures); nil when undefined.
    public func approximation(precision: Int) -> BigFloat? {
        switch self {
        case .exact(let r): return BigFloat(r, precision: precision)
        case .approximate(let f): return BigFloat(f, precision: precision)
        case .enclosure(let e):
            let p = precision + 8
            return BigFloat((BigFloat(e.lower, precision: p) + BigFloat(e.upper, precision: p)).timesPowerOfTwo(-1), precision: precision)
        case .undefined: return nil
        }
    }
}

/// E[Θ], E[Θ²], Var[Θ], the dispersion E[Θ²]/E[Θ]² and P(dead) for one architecture.
public struct MomentSummary: Sendable {
    public let architecture: Architecture
    public let model: MomentModel
    public let mode: ArithmeticMode
    public let mean: MomentValue
    public let secondMoment: MomentValue
    public let variance: MomentValue
    public let dispersion: MomentValue
    public let probabilityDead: MomentValue

    /// Computes every quantity in the requested arithmetic.
    public init(architecture a: Architecture, model: MomentModel = .exact, mode: ArithmeticMode) {
        self.architecture = a
        self.model = model
        self.mode = mode
        switch mode {
        case .exact:
            let m = MomentRecursion(arithmetic: RationalArithmetic(sigma2: a.sigma2, inputNorm2: a.inputNorm2), model: model).moments(of: a)
            let mean = m.mean.mantissa, second = m.secondMoment.mantissa
            self.mean = .exact(mean)
            secondMoment = .exact(second)
            variance = .exact(second - mean * mean)
            dispersion = m.meanIsZero ? .undefined : .exact(second / (mean * mean))
            probabilityDead = .exact(m.probabilityDead)
        case .mpfr(let p):
            let m = MomentRecursion(arithmetic: MPFRArithmetic(precision: p, sigma2: a.sigma2, inputNorm2: a.inputNorm2), model: model).moments(of: a)
            let mean = m.mean.mantissa, second = m.secondMoment.mantissa
            self.mean = .approximate(mean)
            secondMoment = .approximate(second)
            variance = .approximate(BigFloat.difference(second, mean * mean, rounding: .nearest))
            dispersion = m.meanIsZero ? .undefined : .approximate(second / (mean * mean))
            probabilityDead = .approximate(m.probabilityDead)
        case .double:
            let m = MomentRecursion(arithmetic: DoubleArithmetic(sigma2: a.sigma2, inputNorm2: a.inputNorm2), model: model).moments(of: a)
            // Re-attach the binary scales exactly in 53-bit MPFR, whose exponent range is unlimited,
            // and derive the remaining quantities with one 53-bit rounding each, as Double would.
            func unscaled(_ s: ScaledScalar<Double>) -> BigFloat {
                BigFloat(s.mantissa, precision: 53).timesPowerOfTwo(s.binaryScale)
            }
            let mean = unscaled(m.mean), second = unscaled(m.secondMoment)
            self.mean = .approximate(mean)
            secondMoment = .approximate(second)
            let square = BigFloat.product(mean, mean, precision: 53, rounding: .nearest)
            variance = .approximate(BigFloat.difference(second, square, precision: 53, rounding: .nearest))
            dispersion = m.meanIsZero ? .undefined : .approximate(BigFloat.quotient(second, square, precision: 53, rounding: .nearest))
            probabilityDead = .approximate(BigFloat(m.probabilityDead, precision: 53))
        case .certified(let p):
            let m = MomentRecursion(arithmetic: EnclosureArithmetic(precision: p, sigma2: a.sigma2, inputNorm2: a.inputNorm2), model: model).moments(of: a)
            let mean = m.mean.mantissa, second = m.secondMoment.mantissa
            self.mean = .enclosure(mean)
            secondMoment = .enclosure(second)
            variance = .enclosure(second - mean * mean)
            dispersion = m.meanIsZero ? .undefined : .enclosure(second / (mean * mean))
            probabilityDead = .enclosure(m.probabilityDead)
        }
    }
}

/// Cost estimates that let a front end refuse hopeless jobs before starting them.
public enum CostEstimate {
    /// Upper estimate of the decimal digits of the exact rational E[Θ²] (numerator plus
    /// denominator): each hidden layer of width n contributes about n bits (from 2^{−n}) and
    /// a few times log₂ n (from the 1/n factors), doubled for the second moment.
    public static func exactDecimalDigits(_ a: Architecture) -> Double {
        var bits = Double(a.sigma2.bitSize * 2 * a.depth + a.inputNorm2.bitSize * 2 + 64)
        var previous = a.inputDimension
        for run in a.hiddenRuns {
            let perLayer = Double(run.width) + 4 * (log2Int(run.width) + log2Int(previous)) + 8
            bits += 2 * perLayer * Double(run.count)
            previous = run.width
        }
        return bits * 0.30103
    }

    static func log2Int(_ n: Int) -> Double { Double(Int.bitWidth - n.leadingZeroBitCount) }
}
