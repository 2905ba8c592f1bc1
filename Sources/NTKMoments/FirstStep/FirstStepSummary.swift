import Multiprecision

/// The exact smooth first-order change of the NTK diagonal under one gradient-descent step
/// (derivations/11): E[f·Q], the mean change per unit learning rate −E[f·Q]
/// (E[ΔΘ]/η = −E[fQ] + O(η) at fixed activation patterns; the kink term of real ReLU steps is
/// not included), and the normalized E[fQ]/E[Θ] and E[fQ]/E[Θ]², in one arithmetic.
///
/// As in `HigherMomentSummary`, the rounded arithmetics (MPFR, `Double`) carry a rigorous
/// enclosure from `RoundingErrorBound`, the ratios are formed in interval arithmetic from the
/// enclosures of E[fQ] and E[Θ], and only the digits an enclosure determines are meant to be
/// printed; exact mode gives exact rationals, certified mode enclosures.
public struct FirstStepSummary: Sendable {
    public let architecture: Architecture
    public let mode: ArithmeticMode
    /// E[f·Q].
    public let fQ: MomentValue
    /// −E[f·Q] = lim_{η→0} E[ΔΘ]/η of the fixed-pattern (smooth) part.
    public let meanChangePerRate: MomentValue
    /// E[Θ].
    public let mean: MomentValue
    /// E[fQ]/E[Θ]: relative smooth mean change per unit of η·E[Θ].
    public let overMean: MomentValue
    /// E[fQ]/E[Θ]², the quantity whose infinite-depth-and-width limit `FirstStepLimits` gives.
    public let overMeanSquared: MomentValue

    /// Throws `DoubleArithmetic.RangeError` where `Double` cannot represent σ² or ‖x‖², and
    /// `LimitDomainError` for a precision outside MPFR's range.
    public init(architecture a: Architecture, mode: ArithmeticMode) throws {
        self.architecture = a
        self.mode = mode
        switch mode {
        case .exact:
            let arithmetic = RationalArithmetic(sigma2: a.sigma2, inputNorm2: a.inputNorm2)
            let fq = FirstStepRecursion(arithmetic: arithmetic).expectation(of: a).mantissa
            let mu = TupleMomentRecursion(arithmetic: arithmetic, order: 1).moment(of: a).mantissa
            fQ = .exact(fq)
            meanChangePerRate = .exact(-fq)
            mean = .exact(mu)
            overMean = mu.isZero ? .undefined : .exact(fq / mu)
            overMeanSquared = mu.isZero ? .undefined : .exact(fq / (mu * mu))
        case .mpfr(let bits), .certified(let bits):
            guard bits >= BigFloat.minimumPrecision, bits <= BigFloat.maximumPrecision else {
                throw LimitDomainError(description: "precision \(bits) bits is outside \(BigFloat.minimumPrecision)…\(BigFloat.maximumPrecision)")
            }
            if case .certified = mode {
                let arithmetic = EnclosureArithmetic(precision: bits, sigma2: a.sigma2, inputNorm2: a.inputNorm2)
                let fq = FirstStepRecursion(arithmetic: arithmetic).expectation(of: a).mantissa
                let mu = TupleMomentRecursion(arithmetic: arithmetic, order: 1).moment(of: a).mantissa
                (fQ, meanChangePerRate, mean, overMean, overMeanSquared) = Self.derived(fq, fqValue: nil, mu, muValue: nil, certified: true, bits: bits)
            } else {
                let arithmetic = MPFRArithmetic(precision: bits, sigma2: a.sigma2, inputNorm2: a.inputNorm2)
                let fq = FirstStepRecursion(arithmetic: arithmetic).expectation(of: a).mantissa
                let mu = TupleMomentRecursion(arithmetic: arithmetic, order: 1).moment(of: a).mantissa
                (fQ, meanChangePerRate, mean, overMean, overMeanSquared) = Self.rounded(fq, mu, architecture: a, bits: bits, libm: false)
            }
        case .double:
            let arithmetic = try DoubleArithmetic(sigma2: a.sigma2, inputNorm2: a.inputNorm2)
            let fs = FirstStepRecursion(arithmetic: arithmetic).expectation(of: a)
            let ms = TupleMomentRecursion(arithmetic: arithmetic, order: 1).moment(of: a)
            let fq = BigFloat(fs.mantissa, precision: 53).timesPowerOfTwo(fs.binaryScale)
            let mu = BigFloat(ms.mantissa, precision: 53).timesPowerOfTwo(ms.binaryScale)
            (fQ, meanChangePerRate, mean, overMean, overMeanSquared) = Self.rounded(fq, mu, architecture: a, bits: 53, libm: true)
        }
    }

    typealias Values = (MomentValue, MomentValue, MomentValue, MomentValue, MomentValue)

    /// Rounded E[fQ] and E[Θ] with their a-priori enclosures, ratios from the enclosures.
    static func rounded(_ fq: BigFloat, _ mu: BigFloat, architecture a: Architecture, bits: Int, libm: Bool) -> Values {
        let fqBound = FirstStepRecursion<MPFRArithmetic>.roundingErrorBound(architecture: a, significandBits: bits)
        let muBound = RoundingErrorBound(tupleOrder: 1, model: .exact, architecture: a, significandBits: bits, libmDeadProbability: libm)
        guard let fqEnclosure = fqBound.enclosure(of: fq), let muEnclosure = muBound.enclosure(of: mu) else {
            return (.rounded(fq, enclosure: nil), .rounded(-fq, enclosure: nil), .rounded(mu, enclosure: nil), .undefined, .undefined)
        }
        return derived(fqEnclosure, fqValue: fq, muEnclosure, muValue: mu, certified: false, bits: bits)
    }

    static func derived(_ fq: Enclosure, fqValue: BigFloat?, _ mu: Enclosure, muValue: BigFloat?, certified: Bool, bits: Int) -> Values {
        func value(_ e: Enclosure, computed: BigFloat?) -> MomentValue {
            if certified { return .enclosure(e) }
            if let computed { return .rounded(computed, enclosure: e) }
            let mid = BigFloat.sum(e.lower, e.upper, precision: bits + 8, rounding: .nearest).timesPowerOfTwo(-1)
            return .rounded(BigFloat(mid, precision: bits), enclosure: e)
        }
        let muPositive = mu.lower.signum > 0
        return (value(fq, computed: fqValue), value(-fq, computed: fqValue.map { -$0 }), value(mu, computed: muValue),
                muPositive ? value(fq / mu, computed: nil) : .undefined,
                muPositive ? value(fq / (mu * mu), computed: nil) : .undefined)
    }
}
