#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
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
    /// A rounded value together with a rigorous enclosure of the true value (from the
    /// a-priori bound `RoundingErrorBound`, or nil where no bound is useful): only the digits
    /// every point of the enclosure rounds to may be printed.
    case rounded(BigFloat, enclosure: Enclosure?)
    case enclosure(Enclosure)
    /// Does not exist (the dispersion when E[Θ] = 0).
    case undefined

    /// Nearest BigFloat at `precision` bits (midpoint for enclosures); nil when undefined.
    public func approximation(precision: Int) -> BigFloat? {
        switch self {
        case .exact(let r): return BigFloat(r, precision: precision)
        case .rounded(let f, _): return BigFloat(f, precision: precision)
        case .enclosure(let e):
            let p = precision + 8
            return BigFloat((BigFloat(e.lower, precision: p) + BigFloat(e.upper, precision: p)).timesPowerOfTwo(-1), precision: precision)
        case .undefined: return nil
        }
    }

    /// The interval known to contain the true value: a point for exact values, nil when
    /// nothing is guaranteed or the value is undefined.
    public var guaranteedEnclosure: Enclosure? {
        switch self {
        case .exact(let r):
            let bits = max(64, r.bitSize + 64)
            return Enclosure(r, precision: bits)
        case .rounded(_, let e): return e
        case .enclosure(let e): return e
        case .undefined: return nil
        }
    }
}

/// E[Θ], E[Θ²], Var[Θ], the dispersion E[Θ²]/E[Θ]² and P(dead) for one architecture.
///
/// In the rounded arithmetics (MPFR, `Double`) every value comes with a rigorous enclosure
/// built from `RoundingErrorBound`: E[Θ], E[Θ²] and P(dead) are the computed values ± the
/// a-priori bound, and Var[Θ] and the dispersion are evaluated in interval arithmetic from
/// those, so the cancellation in E[Θ²] − E[Θ]² shows up as lost digits instead of wrong ones.
public struct MomentSummary: Sendable {
    public let architecture: Architecture
    public let model: MomentModel
    public let mode: ArithmeticMode
    public let mean: MomentValue
    public let secondMoment: MomentValue
    public let variance: MomentValue
    public let dispersion: MomentValue
    public let probabilityDead: MomentValue
    /// The a-priori rounding-error bound of the rounded arithmetics; nil for exact and
    /// certified results.
    public let roundingErrorBound: RoundingErrorBound?

    /// Computes every quantity in the requested arithmetic. Throws `DoubleArithmetic.RangeError`
    /// when `.double` is asked for σ² or ‖x‖² outside `DoubleArithmetic.supportedRange`.
    public init(architecture a: Architecture, model: MomentModel = .exact, mode: ArithmeticMode) throws {
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
            roundingErrorBound = nil
        case .mpfr(let p):
            let m = MomentRecursion(arithmetic: MPFRArithmetic(precision: p, sigma2: a.sigma2, inputNorm2: a.inputNorm2), model: model).moments(of: a)
            let bound = RoundingErrorBound(architecture: a, significandBits: p, libmDeadProbability: false)
            (mean, secondMoment, variance, dispersion, probabilityDead) = Self.rounded(
                mean: m.mean.mantissa, second: m.secondMoment.mantissa, dead: m.probabilityDead,
                meanIsZero: m.meanIsZero, deterministic: Self.thetaIsDeterministic(a), precision: p, bound: bound)
            roundingErrorBound = bound
        case .double:
            let m = MomentRecursion(arithmetic: try DoubleArithmetic(sigma2: a.sigma2, inputNorm2: a.inputNorm2), model: model).moments(of: a)
            // Re-attach the binary scales exactly in 53-bit MPFR, whose exponent range is unlimited.
            func unscaled(_ s: ScaledScalar<Double>) -> BigFloat {
                BigFloat(s.mantissa, precision: 53).timesPowerOfTwo(s.binaryScale)
            }
            let bound = RoundingErrorBound(architecture: a, significandBits: 53, libmDeadProbability: true)
            // P(dead) ≈ Σ 2^{−n_j} underflows Double for widths beyond ~1074 (harmless inside
            // E[Θ] ≥ β, but printed alone it would be a wrong 0): report it from 53-bit MPFR,
            // whose exponent range is unlimited.
            let dead = a.depth >= 2 && !a.inputNorm2.isZero
                ? MPFRArithmetic(precision: 53, sigma2: a.sigma2, inputNorm2: a.inputNorm2).probabilityOfDeadLayer(hiddenRuns: a.hiddenWidthTotals)
                : BigFloat(m.probabilityDead, precision: 53)
            (mean, secondMoment, variance, dispersion, probabilityDead) = Self.rounded(
                mean: unscaled(m.mean), second: unscaled(m.secondMoment), dead: dead,
                meanIsZero: m.meanIsZero, deterministic: Self.thetaIsDeterministic(a), precision: 53, bound: bound)
            roundingErrorBound = bound
        case .certified(let p):
            let m = MomentRecursion(arithmetic: EnclosureArithmetic(precision: p, sigma2: a.sigma2, inputNorm2: a.inputNorm2), model: model).moments(of: a)
            let mean = m.mean.mantissa, second = m.secondMoment.mantissa
            self.mean = .enclosure(mean)
            secondMoment = .enclosure(second)
            variance = .enclosure(second - mean * mean)
            dispersion = m.meanIsZero ? .undefined : .enclosure(second / (mean * mean))
            probabilityDead = .enclosure(m.probabilityDead)
            roundingErrorBound = nil
        }
    }

    /// Θ is a constant when there is no hidden layer (Θ = ‖x‖² + β) or the input is 0 (every
    /// network is dead, Θ = β): then Var[Θ] = 0 exactly, which no rounded enclosure of
    /// E[Θ²] − E[Θ]² could show.
    static func thetaIsDeterministic(_ a: Architecture) -> Bool {
        a.depth == 1 || a.inputNorm2.isZero
    }

    /// The five values of a rounded arithmetic: derived quantities rounded once at `precision`
    /// (as the arithmetic itself would), each with its enclosure.
    static func rounded(mean: BigFloat, second: BigFloat, dead: BigFloat, meanIsZero: Bool, deterministic: Bool,
                        precision p: Int, bound: RoundingErrorBound)
        -> (MomentValue, MomentValue, MomentValue, MomentValue, MomentValue) {
        let square = BigFloat.product(mean, mean, precision: p, rounding: .nearest)
        let variance = BigFloat.difference(second, square, precision: p, rounding: .nearest)
        let meanEnclosure = bound.enclosure(of: mean), secondEnclosure = bound.enclosure(of: second)
        var varianceEnclosure: Enclosure? = nil, dispersionEnclosure: Enclosure? = nil
        if let m = meanEnclosure, let s = secondEnclosure {
            let m2 = m * m
            varianceEnclosure = s - m2
            if !meanIsZero, m.lower.signum > 0 { dispersionEnclosure = s / m2 }
        }
        let dispersion: MomentValue = meanIsZero
            ? .undefined
            : .rounded(BigFloat.quotient(second, square, precision: p, rounding: .nearest), enclosure: dispersionEnclosure)
        let varianceValue: MomentValue = deterministic ? .exact(0) : .rounded(variance, enclosure: varianceEnclosure)
        return (.rounded(mean, enclosure: meanEnclosure), .rounded(second, enclosure: secondEnclosure),
                varianceValue, dispersion,
                .rounded(dead, enclosure: bound.enclosure(of: dead)))
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

    /// Rough work of the MPFR or interval recursion, in units of one 128-bit width segment:
    /// each run of equal widths costs O(1) segment applications (plus O(log r) squarings),
    /// and MPFR's multiplication costs about p^1.6.
    public static func roundedWork(_ a: Architecture, precision p: Int) -> Double {
        (Double(a.hiddenRuns.count) * 2 + 1) * pow(Double(p) / 128, 1.6)
    }

    /// Work beyond this (about a minute on one core: 2·10⁶ segments at 10⁵ bits is hours) is
    /// refused by the command line.
    public static let roundedWorkLimit = 4e7

    static func log2Int(_ n: Int) -> Double { Double(Int.bitWidth - n.leadingZeroBitCount) }

    /// Non-zero entries of one layer of the E[Θ^k] recursion, k = 3 … 8 (a test ties them to
    /// the state space).
    static let tupleLayerEntries: [Int: Double] = [3: 140, 4: 378, 5: 882, 6: 1848, 7: 3564, 8: 6435]

    /// Estimated wall seconds of E[Θ³] … E[Θ^p] (`HigherMomentSummary`) in a rounded
    /// arithmetic or in exact rationals (whose size `exactDecimalDigits` also limits). Measured
    /// with the release build on the project's 2-core machine (`make bench` compares):
    /// * every layer applied on its own (runs of at most 8 equal layers; longer runs and, except
    ///   in Double, periodic stretches go by repeated squaring, each matrix product costing
    ///   about as much as C(k+3, 3)/16 applications) costs, per non-zero entry of its matrix, about 62 ns in
    ///   MPFR at 128 bits (growing like the cube root of the precision), twice that for
    ///   certified enclosures and 1.5 ns in Double;
    /// * each distinct width pair builds its layer from (k+1)(k+2)/2 joint moments, exact
    ///   rationals at about 6 µs each, whatever the arithmetic.
    public static func higherMomentSeconds(_ a: Architecture, maxOrder p: Int, mode: ArithmeticMode) -> Double {
        guard p >= 3 else { return 0 }
        let perEntry: Double
        // Exact rationals grow along the run: E[Θ^k] has about k/2 times the digits of E[Θ²]
        // (`exactDecimalDigits`), and an operation costs about its operands' length, so an
        // entry costs about 2·10⁻¹⁰ s per final digit, weighted by k/2 (measured: 300 random
        // widths at p = 8 in 80 s, estimated 86 s).
        var exactDigits: Double? = nil
        switch mode {
        case .exact:
            exactDigits = exactDecimalDigits(a)
            perEntry = 2.06e-10 * exactDigits!
        case .double: perEntry = 1.5e-9
        case .mpfr(let bits): perEntry = 62e-9 * pow(Double(max(bits, 128)) / 128, 1.0 / 3)
        case .certified(let bits): perEntry = 124e-9 * pow(Double(max(bits, 128)) / 128, 1.0 / 3)
        }
        // As the engine runs them: layers one by one, long runs and periodic stretches (not in
        // Double) by repeated squaring, a matrix product costing about `states` applications.
        var applied = 0.0, products = 0.0
        var pairs = WidthPairIndex()
        func squarings(_ n: Int) -> Double { 2 * log2Int(n) }
        let isDouble: Bool = { if case .double = mode { return true } else { return false } }()
        for block in a.layerBlocks(periodic: !isDouble) {
            switch block {
            case .segment(let segment) where segment.count <= 8:
                applied += Double(segment.count)
                _ = pairs.number(segment.previous, segment.width)
            case .segment(let segment):
                products += squarings(segment.count)
            case .periodic(let period, let repeats):
                products += Double(period.count) + squarings(repeats) + period.map { $0.count > 1 ? squarings($0.count) : 0 }.reduce(0, +)
            }
        }
        let orders = 3...min(p, HigherMomentSummary.maximumOrder)
        func weight(_ k: Int) -> Double { exactDigits == nil ? 1 : Double(k) / 2 }
        let entries = orders.map { (tupleLayerEntries[$0] ?? 0) * weight($0) }.reduce(0, +)
        let productEntries = orders.map { Double(($0 + 3) * ($0 + 2) * ($0 + 1) / 6) / 16 * (tupleLayerEntries[$0] ?? 0) * weight($0) }.reduce(0, +)
        let jointMoments = orders.map { Double(($0 + 1) * ($0 + 2) / 2) }.reduce(0, +)
        return (applied * entries + products * productEntries) * perEntry + Double(pairs.count) * jointMoments * 6e-6
    }
}
