import Multiprecision

/// Finite-width dispersions against their infinite-depth-and-width limits, for a grid of
/// (σ², λ) and constant hidden widths M — the numbers behind a convergence table.
///
/// For each M: hidden width M, depth L = round(λM) (at least 1; halves round up), input
/// dimension n₀ = round(r·M) (at least 1), ‖x‖² = X. The finite value comes from the exact
/// recursion (or the GI recursion when `model` is `.gradientIndependence`) in MPFR at
/// `precision` bits. When λM is not an integer the row is computed at λ′ = L/M, not at the
/// requested λ, and is compared with the limits at λ′ (`Row.lambda`; `lambdaIsRequested`
/// tells). Rows of one (σ², λ) group come in the order the widths were given, so the observed
/// order and the Richardson estimate compare consecutive rows.
public struct ConvergenceStudy: Sendable {
    public var sigma2Values: [BigRational]
    public var lambdaValues: [BigRational]
    public var widths: [Int]
    public var inputRatio: BigRational
    public var inputNorm2: BigRational
    public var trainableBiases: Bool
    public var model: MomentModel
    public var precision: Int
    /// Order k of the Richardson column: the polynomial in 1/M through this row and the k
    /// previous rows of the same λ′, evaluated at 1/M = 0 (k = 1: the classic 2-point formula).
    public var richardsonOrder: Int = 1
    /// Whether rows carry the 1/M coefficient c₁ of their (σ², λ) and the prediction F + c₁/M.
    public var includesFirstCorrection: Bool = false
    /// The tabulated quantity: R_p = E[Θ^p]/E[Θ]^p (p = 2: the dispersion). For p ≥ 3 the limit
    /// is `NormalizedMomentLimit`'s and there is no published value.
    public var momentOrder: Int = 2
    /// When true the tabulated quantity is E[fQ]/E[Θ]² (derivations/11) instead, compared with
    /// `FirstStepLimits`; in the ordered phase with biases, where that limit is 0, `limitExact`
    /// is the finite-(L, n₀) approximation `FirstStepLimits.orderedApproximation` instead.
    public var firstStep: Bool = false
    /// Limits of E[Θ^p]/E[Θ]^p (p ≥ 3) by σ² and λ′, filled by `prepareMomentLimits`.
    var preparedMomentLimits: [BigRational: [BigRational: BigFloat]] = [:]

    public init(sigma2Values: [BigRational], lambdaValues: [BigRational], widths: [Int], inputRatio: BigRational = 1,
                inputNorm2: BigRational = 1, trainableBiases: Bool = true, model: MomentModel = .exact, precision: Int = 128) {
        self.sigma2Values = sigma2Values
        self.lambdaValues = lambdaValues
        self.widths = widths
        self.inputRatio = inputRatio
        self.inputNorm2 = inputNorm2
        self.trainableBiases = trainableBiases
        self.model = model
        self.precision = precision
    }

    /// The study the theorem of Seleznova & Kutyniok (ICML 2022) suggests: σ² ∈ {1.5, 2, 2.5}, λ ∈ {0.1, 0.5, 1}, M = 10 … 10⁵.
    public static let `default` = ConvergenceStudy(
        sigma2Values: [BigRational(3, 2), 2, BigRational(5, 2)],
        lambdaValues: [BigRational(1, 10), BigRational(1, 2), 1],
        widths: [10, 100, 1000, 10_000, 100_000])

    /// One (σ², λ) pair; its rows are computed together.
    public struct Group: Sendable {
        public let sigma2: BigRational
        public let lambda: BigRational
    }

    /// Groups in output order: σ² outer, λ inner.
    public var groups: [Group] {
        sigma2Values.flatMap { s in lambdaValues.map { Group(sigma2: s, lambda: $0) } }
    }

    /// The contiguous block of groups that shard `index` (1-based) of `count` computes.
    /// Contiguous blocks keep each group's rows together and make the shards' outputs,
    /// concatenated in order, identical to the unsharded output.
    public func groups(shard index: Int, of count: Int) -> ArraySlice<Group> {
        let all = groups
        let start = all.count * (index - 1) / count
        let end = all.count * index / count
        return all[start..<end]
    }

    public struct Row: Sendable {
        public let sigma2: BigRational
        /// λ′ = L/M, the depth-to-width ratio actually computed (the limits are taken there).
        public let lambda: BigRational
        /// The λ of the group this row belongs to.
        public let requestedLambda: BigRational
        /// True when λ′ = requested λ (λM is an integer).
        public var lambdaIsRequested: Bool { lambda == requestedLambda }
        public let width: Int
        public let depth: Int
        public let inputDimension: Int
        public let phase: Phase
        /// E[Θ²]/E[Θ]² of the finite network (E[Θ^p]/E[Θ]^p for `momentOrder` p).
        public let dispersion: BigFloat
        public let limitExact: BigFloat
        /// The published limit (GI-derived at the edge of chaos; see `publishedIsGIDerived`).
        /// nil where nothing was published (normalized moments of order ≥ 3).
        public let limitPublished: BigFloat?
        public let publishedIsGIDerived: Bool
        /// finite/limit − 1.
        public let relativeErrorExact: BigFloat
        public let relativeErrorPublished: BigFloat?
        /// log(|e_prev|/|e|)/log(M/M_prev) against each limit; nil on a group's first row and
        /// when the previous row was computed at another λ′.
        public let orderExact: BigFloat?
        public let orderPublished: BigFloat?
        /// Richardson estimate of the limit from this row and the `richardsonOrder` previous rows
        /// of the same λ′ (order 1: (M·R(M) − M_prev·R(M_prev))/(M − M_prev), the limit if the
        /// error is c/M); nil while there are not enough such rows.
        public let richardson: BigFloat?
        /// c₁ of R(M) = F + c₁/M + … for the group's (σ², λ) (from `FiniteWidthExpansion`); nil
        /// unless requested, or where the expansion cannot be formed (e.g. λ with a huge
        /// denominator) or does not hold (`ExpansionValidity`; `correctionNote` says why).
        public let c1: BigFloat?
        /// F(λ′) + c₁/M, when λ′ is the group's λ, the expansion holds, M is at least its
        /// asymptotic width and the value is in range (≥ 1 for a dispersion or normalized
        /// moment); otherwise nil and `correctionNote` says why.
        public let predicted: BigFloat?
        /// predicted/finite − 1.
        public let relativeErrorPredicted: BigFloat?
        /// Why c₁ or the prediction is absent although requested; nil otherwise (and when λ′ is
        /// not the group's λ, which `unattainableLambdas` reports).
        public let correctionNote: String?
    }

    public static func depth(lambda: BigRational, width: Int) -> Int {
        roundHalfUp(lambda * BigRational(width))
    }

    public func inputDimension(width: Int) -> Int {
        Self.roundHalfUp(inputRatio * BigRational(width))
    }

    static func roundHalfUp(_ x: BigRational) -> Int {
        max(1, (x + BigRational(1, 2)).floor.exactInt ?? Int.max)
    }

    /// α₀ = n₀/(M‖x‖²) in the limit (r/X), or 0 without biases.
    public var alpha0: BigRational {
        DispersionLimits.alpha0(inputRatio: inputRatio, inputNorm2: inputNorm2, trainableBiases: trainableBiases)
    }

    /// The (λ, M) of the grid for which λM is not an integer: those rows are computed at
    /// λ′ = round(λM)/M instead.
    public var unattainableLambdas: [(lambda: BigRational, width: Int)] {
        lambdaValues.flatMap { l in
            widths.compactMap { M in (l * BigRational(M)).isInteger ? nil : (l, M) }
        }
    }

    /// Computes, before any row, the limits of E[Θ^p]/E[Θ]^p (p = `momentOrder` ≥ 3) that the
    /// rows of `groups` compare with, at every λ′ they use. Throws (with the reason) where a
    /// limit cannot be had — e.g. an extrapolated one whose 1/M expansion does not hold near
    /// σ² = 2 — so that a table can refuse before its first line instead of stopping halfway.
    public mutating func prepareMomentLimits(for groups: some Sequence<Group>,
                                             progress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws {
        guard momentOrder > 2, !firstStep else { return }
        let total = momentLimitExtrapolations(for: groups).count
        var done = 0
        for group in groups {
            for M in widths {
                let lambda = BigRational(Self.depth(lambda: group.lambda, width: M), M)
                if preparedMomentLimits[group.sigma2]?[lambda] != nil { continue }
                if !hasClosedMomentLimit(sigma2: group.sigma2) {
                    progress?(done, total)
                    done += 1
                }
                let value = try NormalizedMomentLimit(order: momentOrder, sigma2: group.sigma2, lambda: lambda, inputNorm2: inputNorm2,
                                                      inputRatio: inputRatio, trainableBiases: trainableBiases, model: model,
                                                      precision: precision).value
                preparedMomentLimits[group.sigma2, default: [:]][lambda] = value
            }
        }
    }

    /// Whether the limit of E[Θ^p]/E[Θ]^p (p = `momentOrder`) has a closed form at this σ².
    func hasClosedMomentLimit(sigma2: BigRational) -> Bool {
        NormalizedMomentLimit.hasClosedForm(order: momentOrder, sigma2: sigma2, inputRatio: inputRatio,
                                            trainableBiases: trainableBiases, model: model)
    }

    /// How many limits of E[Θ^p]/E[Θ]^p `prepareMomentLimits` would extrapolate from the exact
    /// recursion for these groups (one per σ² and attained λ′ = L/M without a closed form),
    /// and the estimated seconds that takes (`NormalizedMomentLimit.extrapolationSeconds`).
    public func momentLimitExtrapolations(for groups: some Sequence<Group>) -> (count: Int, seconds: Double) {
        guard momentOrder > 2, !firstStep else { return (0, 0) }
        var needed: Set<[BigRational]> = []
        for group in groups where !hasClosedMomentLimit(sigma2: group.sigma2) {
            for M in widths {
                let lambda = BigRational(Self.depth(lambda: group.lambda, width: M), M)
                if preparedMomentLimits[group.sigma2]?[lambda] == nil { needed.insert([group.sigma2, lambda]) }
            }
        }
        return (needed.count, Double(needed.count) * NormalizedMomentLimit.extrapolationSeconds(order: momentOrder, precision: precision))
    }

    /// The rows of one group, in the order of `widths`.
    public func rows(for group: Group) throws -> [Row] {
        var limitCache: [BigRational: DispersionLimits] = [:]
        func limits(at lambda: BigRational) throws -> DispersionLimits {
            if let cached = limitCache[lambda] { return cached }
            let l = try DispersionLimits(sigma2: group.sigma2, lambda: lambda, trainableBiases: trainableBiases,
                                         alpha0: alpha0, precision: precision)
            limitCache[lambda] = l
            return l
        }
        var rows: [Row] = []
        var previous: (width: Int, lambda: BigRational, dispersion: BigFloat, errExact: BigFloat, errPublished: BigFloat?)? = nil
        var momentLimitCache: [BigRational: BigFloat] = [:]
        func limitExact(_ limits: DispersionLimits, at lambda: BigRational, depth L: Int, inputDimension n0: Int) throws -> BigFloat {
            if firstStep {
                let l = try FirstStepLimits(sigma2: group.sigma2, lambda: lambda, trainableBiases: trainableBiases, alpha0: alpha0, precision: precision)
                guard l.decaysExponentially else { return l.limit }
                return try FirstStepLimits.orderedApproximation(sigma2: group.sigma2, inputNorm2: inputNorm2, depth: L,
                                                                inputDimension: n0, precision: precision)
            }
            guard momentOrder > 2 else { return limits.exact }
            if let cached = momentLimitCache[lambda] ?? preparedMomentLimits[group.sigma2]?[lambda] { return cached }
            let v = try NormalizedMomentLimit(order: momentOrder, sigma2: group.sigma2, lambda: lambda, inputNorm2: inputNorm2,
                                              inputRatio: inputRatio, trainableBiases: trainableBiases, model: model,
                                              precision: precision).value
            momentLimitCache[lambda] = v
            return v
        }
        var sameLambda: [(width: Int, dispersion: BigFloat)] = []
        var c1: BigFloat? = nil
        var validity: ExpansionValidity? = nil
        var groupNote: String? = nil
        if includesFirstCorrection {
            if firstStep && trainableBiases && Phase(sigma2: group.sigma2) == .ordered {
                groupNote = "E[fQ]/E[Θ]² decays exponentially in L in the ordered phase with biases: it has no 1/M series around a non-zero limit"
            } else {
                let family = FiniteWidthExpansion.Family(sigma2: group.sigma2, lambda: group.lambda, inputRatio: inputRatio,
                                                         inputNorm2: inputNorm2, trainableBiases: trainableBiases, model: model)
                do {
                    let e = try FiniteWidthExpansion(family: family, order: 1, digits: max(10, precision / 4), points: 8, momentOrder: momentOrder,
                                                     firstStep: firstStep)
                    if let reason = e.validity.reason {
                        groupNote = reason
                    } else {
                        validity = e.validity
                        c1 = BigFloat((firstStep ? e.firstStepRatio! : e.normalizedMoment).coefficients[1], precision: precision)
                    }
                } catch let error as FiniteWidthExpansion.ExpansionError {
                    groupNote = "the 1/M expansion cannot be formed: \(error.description)"
                }
            }
        }
        let p = precision
        let one = BigFloat(1, precision: p)
        for M in widths {
            let L = Self.depth(lambda: group.lambda, width: M)
            let actualLambda = BigRational(L, M)
            let limits = try limits(at: actualLambda)
            let n0 = inputDimension(width: M)
            let a = try Architecture(width: M, depth: L, inputDimension: n0, sigma2: group.sigma2,
                                     inputNorm2: inputNorm2, trainableBiases: trainableBiases)
            let arithmetic = MPFRArithmetic(precision: p, sigma2: a.sigma2, inputNorm2: a.inputNorm2)
            let m = MomentRecursion(arithmetic: arithmetic, model: model).moments(of: a)
            let r = firstStep
                ? FirstStepRecursion(arithmetic: arithmetic).expectation(of: a).mantissa / (m.mean.mantissa * m.mean.mantissa)
                : momentOrder == 2
                ? m.secondMoment.mantissa / (m.mean.mantissa * m.mean.mantissa)
                : TupleMomentRecursion(arithmetic: arithmetic, model: model, order: momentOrder).moment(of: a).mantissa / m.mean.mantissa.power(momentOrder)
            let exactLimit = try limitExact(limits, at: actualLambda, depth: L, inputDimension: n0)
            let published: BigFloat? = momentOrder == 2 && !firstStep ? limits.published : nil
            let errExact = r / exactLimit - one
            let errPublished = published.map { r / $0 - one }
            var orderExact: BigFloat? = nil, orderPublished: BigFloat? = nil
            // Order and Richardson compare rows of the same λ′ only.
            if let prev = previous, prev.width != M, prev.lambda == actualLambda {
                let logRatio = (BigFloat(M, precision: p) / BigFloat(prev.width, precision: p)).log()
                func order(_ e0: BigFloat, _ e1: BigFloat) -> BigFloat? {
                    guard !e0.isZero, !e1.isZero else { return nil }
                    return (e0.magnitude() / e1.magnitude()).log() / logRatio
                }
                orderExact = order(prev.errExact, errExact)
                if let e0 = prev.errPublished, let e1 = errPublished { orderPublished = order(e0, e1) }
            }
            if previous?.lambda != actualLambda { sameLambda = [] }
            sameLambda.append((M, r))
            var richardson: BigFloat? = nil
            if sameLambda.count > richardsonOrder {
                let window = sameLambda.suffix(richardsonOrder + 1)
                richardson = try? WidthExtrapolation.limit(widths: window.map(\.width), values: window.map(\.dispersion), precision: p)
            }
            var predicted: BigFloat? = nil, errPredicted: BigFloat? = nil
            var note = groupNote
            if let c1, let validity, actualLambda == group.lambda {
                let prediction = exactLimit + c1 / BigFloat(M, precision: p)
                // A dispersion or normalized moment is at least 1 (Jensen); E[fQ]/E[Θ]² has no such range.
                if let failure = validity.predictionFailure(width: M, value: prediction, minimum: firstStep ? nil : one) {
                    note = failure
                } else {
                    predicted = prediction
                    errPredicted = prediction / r - one
                }
            }
            rows.append(Row(sigma2: group.sigma2, lambda: actualLambda, requestedLambda: group.lambda, width: M, depth: L, inputDimension: n0,
                            phase: limits.phase, dispersion: r, limitExact: exactLimit, limitPublished: published,
                            publishedIsGIDerived: limits.publishedIsGIDerived, relativeErrorExact: errExact,
                            relativeErrorPublished: errPublished, orderExact: orderExact, orderPublished: orderPublished,
                            richardson: richardson, c1: c1, predicted: predicted, relativeErrorPredicted: errPredicted,
                            correctionNote: note))
            previous = (M, actualLambda, r, errExact, errPublished)
        }
        return rows
    }
}
