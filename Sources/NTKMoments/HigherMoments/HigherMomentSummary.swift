import Multiprecision

extension RoundingErrorBound {
    /// The bound for `TupleMomentRecursion` of order p (derivations/03, 08): per layer, a
    /// matrix entry sums up to m joint expectations (each two correctly rounded constants
    /// times an exact count), and applying or multiplying by it adds T + 1, where m and T are
    /// read off the state space; the start vector, top weights and final dot product add a
    /// constant.
    public init(tupleOrder p: Int, model: MomentModel, architecture: Architecture, significandBits: Int, libmDeadProbability: Bool) {
        self = TupleStateSpace.of(order: p, model: model).roundingBound(
            architecture: architecture, significandBits: significandBits, libmDeadProbability: libmDeadProbability, extra: 4 * p)
    }
}

/// E[Θ^k] for k = 1 … p, the normalized moments E[Θ^k]/E[Θ]^k, the skewness and the excess
/// kurtosis of the NTK diagonal, in one arithmetic (derivations/08).
///
/// The central moments cancel heavily (E[Θ³] − 3E[Θ]E[Θ²] + 2E[Θ]³), so in every arithmetic
/// but the exact one they are formed in interval arithmetic from enclosures of the raw
/// moments (certified, or the a-priori bound of `RoundingErrorBound` for MPFR and `Double`),
/// and only the digits those enclosures determine are meant to be printed. In exact mode the
/// moments, normalized moments and kurtosis are exact rationals; the skewness, a square root,
/// is a tight enclosure.
public struct HigherMomentSummary: Sendable {
    public let architecture: Architecture
    public let model: MomentModel
    public let mode: ArithmeticMode
    /// E[Θ^k], index k − 1.
    public let moments: [MomentValue]
    /// E[Θ^k]/E[Θ]^k, index k − 1 (undefined when E[Θ] = 0).
    public let normalized: [MomentValue]
    /// E[(Θ − μ)³]/Var^{3/2}; undefined for p < 3 or Var = 0.
    public let skewness: MomentValue
    /// E[(Θ − μ)⁴]/Var² − 3; undefined for p < 4 or Var = 0.
    public let excessKurtosis: MomentValue

    /// Largest order accepted.
    public static let maximumOrder = 8

    /// Throws `LimitDomainError` for an order outside 1 … 8 and `DoubleArithmetic.RangeError`
    /// where `Double` cannot represent σ² or ‖x‖².
    /// - Parameter progress: called before each order k is computed (long runs report it).
    public init(architecture a: Architecture, model: MomentModel = .exact, mode: ArithmeticMode, maxOrder p: Int,
                progress: ((_ order: Int) -> Void)? = nil) throws {
        guard p >= 1, p <= Self.maximumOrder else {
            throw LimitDomainError(description: "moment order \(p) outside 1…\(Self.maximumOrder)")
        }
        self.architecture = a
        self.model = model
        self.mode = mode
        let orders = Array(1...p)
        let deterministic = a.depth == 1 || a.inputNorm2.isZero
        switch mode {
        case .exact:
            let arithmetic = RationalArithmetic(sigma2: a.sigma2, inputNorm2: a.inputNorm2)
            let raw = orders.map { k -> BigRational in
                progress?(k)
                return TupleMomentRecursion(arithmetic: arithmetic, model: model, order: k).moment(of: a).mantissa
            }
            moments = raw.map { .exact($0) }
            let mu = raw[0]
            normalized = raw.enumerated().map { k, e in mu.isZero ? .undefined : .exact(e / mu.power(k + 1)) }
            let central = Self.centralMoments(raw, zero: BigRational(0))
            let variance = central.count > 1 ? central[1] : BigRational(0)
            if p >= 4, !variance.isZero, !deterministic {
                excessKurtosis = .exact(central[3] / (variance * variance) - 3)
            } else {
                excessKurtosis = .undefined
            }
            if p >= 3, !variance.isZero, !deterministic {
                // m₃/Var^{3/2}: enclose Var^{3/2} = Var·√Var with directed roundings.
                let bits = 256
                let v = Enclosure(variance, precision: bits)
                skewness = .enclosure(Enclosure(central[2], precision: bits) / (v * Self.squareRoot(v)))
            } else {
                skewness = .undefined
            }
        case .mpfr, .double, .certified:
            let bits: Int
            switch mode {
            case .mpfr(let b), .certified(let b): bits = b
            default: bits = 53
            }
            var enclosures: [Enclosure?] = []
            var rounded: [BigFloat] = []
            for k in orders {
                progress?(k)
                switch mode {
                case .certified:
                    let e = TupleMomentRecursion(arithmetic: EnclosureArithmetic(precision: bits, sigma2: a.sigma2, inputNorm2: a.inputNorm2),
                                                 model: model, order: k).moment(of: a).mantissa
                    enclosures.append(e)
                    rounded.append(e.lower)
                case .mpfr:
                    let v = TupleMomentRecursion(arithmetic: MPFRArithmetic(precision: bits, sigma2: a.sigma2, inputNorm2: a.inputNorm2),
                                                 model: model, order: k).moment(of: a).mantissa
                    let bound = RoundingErrorBound(tupleOrder: k, model: model, architecture: a, significandBits: bits, libmDeadProbability: false)
                    enclosures.append(bound.enclosure(of: v))
                    rounded.append(v)
                default:
                    let s = TupleMomentRecursion(arithmetic: try DoubleArithmetic(sigma2: a.sigma2, inputNorm2: a.inputNorm2),
                                                 model: model, order: k).moment(of: a)
                    let v = BigFloat(s.mantissa, precision: 53).timesPowerOfTwo(s.binaryScale)
                    let bound = RoundingErrorBound(tupleOrder: k, model: model, architecture: a, significandBits: 53, libmDeadProbability: true)
                    enclosures.append(bound.enclosure(of: v))
                    rounded.append(v)
                }
            }
            if case .certified = mode {
                moments = enclosures.map { .enclosure($0!) }
            } else {
                moments = zip(rounded, enclosures).map { .rounded($0, enclosure: $1) }
            }
            // Derived quantities in interval arithmetic, from the enclosures.
            let all = enclosures.compactMap { $0 }
            guard all.count == p else {
                normalized = Array(repeating: .undefined, count: p)
                skewness = .undefined
                excessKurtosis = .undefined
                return
            }
            // Certified results stay enclosures; in the rounded arithmetics a derived value is
            // the midpoint of its guaranteed enclosure, printed to the digits it determines.
            let isCertified: Bool = { if case .certified = mode { return true } else { return false } }()
            func value(_ e: Enclosure) -> MomentValue {
                if isCertified { return .enclosure(e) }
                let mid = BigFloat.sum(e.lower, e.upper, precision: bits + 8, rounding: .nearest).timesPowerOfTwo(-1)
                return .rounded(BigFloat(mid, precision: bits), enclosure: e)
            }
            let mu = all[0]
            let muPositive = mu.lower.signum > 0
            var muPower = mu
            var norms: [MomentValue] = []
            for k in 0..<p {
                if k > 0 { muPower = muPower * mu }
                norms.append(muPositive ? value(all[k] / muPower) : .undefined)
            }
            normalized = norms
            let central = Self.centralMoments(all, zero: Enclosure(exactly: BigFloat(0, precision: all[0].precision)))
            let variance = p > 1 ? central[1] : nil
            let varianceKnownPositive = variance.map { $0.lower.signum > 0 } ?? false
            skewness = p >= 3 && varianceKnownPositive && !deterministic
                ? value(central[2] / (variance! * Self.squareRoot(variance!))) : .undefined
            excessKurtosis = p >= 4 && varianceKnownPositive && !deterministic
                ? value(central[3] / (variance! * variance!) - Enclosure(exactly: BigFloat(3, precision: 64))) : .undefined
        }
    }

    /// E[(Θ − μ)^k] for k = 1 … p from the raw moments E[Θ^k] (binomial expansion).
    static func centralMoments<S: MomentScalar>(_ raw: [S], zero: S) -> [S] where S: MomentField {
        let mu = raw[0]
        func rawMoment(_ j: Int) -> S? { j == 0 ? nil : raw[j - 1] }
        return (1...raw.count).map { k in
            var total = zero
            var muPower: S? = nil  // μ^{k−j}, built from j = k down
            for j in stride(from: k, through: 0, by: -1) {
                let c = binomial(k, j) * (((k - j) % 2 == 0) ? 1 : -1)
                let muTerm = muPower  // μ^{k−j}
                let e = rawMoment(j)
                var term: S
                switch (e, muTerm) {
                case (nil, nil): term = raw[0] / raw[0]  // 1 (k = j = 0 does not occur)
                case (let e?, nil): term = e
                case (nil, let m?): term = m
                case (let e?, let m?): term = e * m
                }
                total = total + Self.scaled(term, by: c, zero: zero)
                muPower = muPower.map { $0 * mu } ?? mu
            }
            return total
        }
    }

    static func scaled<S: MomentField>(_ x: S, by c: Int, zero: S) -> S {
        var r = zero
        for _ in 0..<abs(c) { r = r + x }
        return c < 0 ? zero - r : r
    }

    static func binomial(_ n: Int, _ k: Int) -> Int {
        var r = 1
        for i in 0..<k { r = r * (n - i) / (i + 1) }
        return r
    }

    /// [√lower rounded down, √upper rounded up] for a non-negative enclosure.
    static func squareRoot(_ e: Enclosure) -> Enclosure {
        let low = e.lower.signum > 0 ? e.lower.squareRoot(rounding: .down) : BigFloat(0, precision: e.precision)
        return Enclosure(lower: low, upper: e.upper.squareRoot(rounding: .up))
    }
}
