import Multiprecision

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
