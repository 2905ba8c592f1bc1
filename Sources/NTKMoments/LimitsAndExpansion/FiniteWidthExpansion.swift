import Multiprecision

/// The 1/M expansion of finite-width quantities at constant hidden width M, depth L = λM and
/// input dimension n₀ = rM (derivations/07):
///
///     R(M) = c₀ + c₁/M + c₂/M² + c₃/M³ + …
///
/// up to terms exponentially small in M (the dead-network probability ~ L·2^{−M}, and powers
/// (σ²/2)^L in the ordered phase). c₀ is the infinite-depth-and-width limit.
///
/// Method: the exact recursion is evaluated in MPFR at widths M_i = b·2^{k_i} for a window of
/// consecutive k (b is the least common denominator of λ and r, so that λM and rM are
/// integers for every M used), and the polynomial of degree m − 1 in h = 1/M through the m
/// points is read off coefficient by coefficient (Newton's divided differences, then the
/// monomial basis). Its truncation error in c_j is O(c_m·h_max^{m−j}). The error bound is
/// self-consistent, not rigorous: twice the difference between the coefficients from the
/// window and from the window shifted by one (M doubled), which bounds the truncation error
/// of the first window when that error at least halves as the widths double. The expansion is
/// not uniform near σ² = 2, at small λ and wherever the coefficients grow fast; `validity`
/// says whether it holds at the window used (`ExpansionValidity`, derivations/07).
public struct FiniteWidthExpansion: Sendable {
    /// The network family: σ², λ = L/M, r = n₀/M, ‖x‖², biases, model.
    public struct Family: Sendable, Equatable {
        public var sigma2: BigRational
        public var lambda: BigRational
        public var inputRatio: BigRational
        public var inputNorm2: BigRational
        public var trainableBiases: Bool
        public var model: MomentModel

        public init(sigma2: BigRational, lambda: BigRational, inputRatio: BigRational = 1, inputNorm2: BigRational = 1,
                    trainableBiases: Bool = true, model: MomentModel = .exact) {
            self.sigma2 = sigma2
            self.lambda = lambda
            self.inputRatio = inputRatio
            self.inputNorm2 = inputNorm2
            self.trainableBiases = trainableBiases
            self.model = model
        }

        /// α₀ = r/‖x‖² with biases, 0 without.
        public var alpha0: BigRational {
            DispersionLimits.alpha0(inputRatio: inputRatio, inputNorm2: inputNorm2, trainableBiases: trainableBiases)
        }

        /// The smallest b ≥ 1 with λb and rb integers: every width used is b·2^k.
        public var widthBase: BigRational { Self.lcm(lambda.denominatorValue, inputRatio.denominatorValue) }

        static func lcm(_ a: BigRational, _ b: BigRational) -> BigRational {
            var x = a, y = b
            while !y.isZero {
                let q = (x / y).floor
                (x, y) = (y, x - q * y)
            }
            return a * b / x
        }

        /// The architecture at hidden width M (λM and rM must be integers).
        public func architecture(width M: Int) throws -> Architecture {
            guard let L = (lambda * BigRational(M)).exactInt, let n0 = (inputRatio * BigRational(M)).exactInt else {
                throw ExpansionError(description: "λM or rM is not an integer at M = \(M)")
            }
            return try Architecture(width: M, depth: L, inputDimension: n0, sigma2: sigma2, inputNorm2: inputNorm2,
                                    trainableBiases: trainableBiases)
        }
    }

    /// Why the expansion cannot be computed.
    public struct ExpansionError: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// The coefficients c₀ … c_order of one quantity, each with its error bound.
    public struct Series: Sendable {
        public let coefficients: [BigFloat]
        /// 2·|c_j(window) − c_j(window at doubled widths)| plus a rounding floor of
        /// 2^{−3.33·digits}·|c_j|: a bound when the truncation error at least halves as the
        /// widths double, which `validity` checks (derivations/07). Self-consistent, not rigorous.
        public let errors: [BigFloat]
    }

    public let family: Family
    /// The widths of the main window, smallest first.
    public let widths: [Int]
    /// The widths of the check window (each doubled).
    public let checkWidths: [Int]
    public let precision: Int
    /// E[Θ²]/E[Θ]².
    public let dispersion: Series
    /// E[Θ]/Θ*, with Θ* the infinite-width NTK of the same architecture.
    public let meanRatio: Series
    /// E[Θ²]/Θ*².
    public let secondMomentRatio: Series
    /// The order p of `normalizedMoment`.
    public let momentOrder: Int
    /// E[Θ^p]/E[Θ]^p for `momentOrder` p (for p = 2 the dispersion).
    public let normalizedMoment: Series
    /// E[fQ]/E[Θ]², the normalized smooth first-step change (derivations/11), when requested:
    /// c₀ is `FirstStepLimits.limit`, c₁ its 1/M coefficient (numerical, as every c_j here).
    public let firstStepRatio: Series?
    /// Whether the expansion holds at this setting (crossover near σ² = 2, coefficient growth,
    /// resolution, closed forms, range). Callers print coefficients only when it holds.
    public let validity: ExpansionValidity

    /// Computes c₀ … c_order of the three quantities, aiming at `digits` significant digits of
    /// c_order. `points` is the window size m (more points: higher order, smaller truncation
    /// error, more working precision). The window starts at M = b·2^{24 − (m − 12)} and moves
    /// to larger widths (up to 2^50) when the crossover width or the coefficients' growth ask
    /// for it (`ExpansionValidity`). Throws when λ, r, ‖x‖² are not positive, when the
    /// widths b·2^k needed exceed 2^50 (or the depths λM do), or for an order beyond m − 2;
    /// an expansion that can be computed but does not hold is returned with `validity` saying why.
    /// The most digits an expansion carries.
    public static let maximumDigits = 200

    public init(family: Family, order: Int = 3, digits: Int = 30, points: Int = 12, momentOrder: Int = 2, firstStep: Bool = false) throws {
        guard momentOrder >= 2, momentOrder <= HigherMomentSummary.maximumOrder else {
            throw ExpansionError(description: "moment order \(momentOrder) outside 2…\(HigherMomentSummary.maximumOrder)")
        }
        self.momentOrder = momentOrder
        guard family.lambda.signum > 0, family.inputRatio.signum > 0, family.inputNorm2.signum > 0, family.sigma2.signum > 0 else {
            throw ExpansionError(description: "σ², λ, r and ‖x‖² must be positive")
        }
        guard order >= 0, points >= order + 2, points <= 40 else {
            throw ExpansionError(description: "the window needs at least order + 2 points (and at most 40)")
        }
        guard digits >= 1, digits <= Self.maximumDigits else {
            throw ExpansionError(description: "digits must be between 1 and \(Self.maximumDigits)")
        }
        guard !firstStep || family.model == .exact else {
            throw ExpansionError(description: "E[fQ] is defined for the exact model only")
        }
        self.family = family
        // Widths b·2^k, k = k0 … k0 + m: the last one only in the check window.
        guard let base = family.widthBase.exactInt, base <= 1 << 20 else {
            throw ExpansionError(description: "λ = \(family.lambda) and r = \(family.inputRatio) need widths that are multiples of \(family.widthBase): too large (at most 2^20)")
        }
        let largestFactor = max(BigRational(1), family.lambda, family.inputRatio)
        // The largest usable exponent keeps width, depth and n₀ within 2^50.
        var kMax = 0
        while BigRational(base) * BigRational(1 << (kMax + 1)) * largestFactor <= BigRational(1 << 50) && kMax < 49 { kMax += 1 }
        let kLast = kMax - points
        var k0 = min(kLast, max(16, 24 - (points - 12)))
        guard k0 >= 8 else {
            throw ExpansionError(description: "λ = \(family.lambda), r = \(family.inputRatio): widths b·2^k with enough points would exceed 2^50")
        }
        /// The smallest k with b·2^k ≥ w.
        func exponent(reaching w: BigFloat) -> Int {
            guard w.isFinite else { return Int.max / 2 }
            return max(0, (w / BigFloat(base, precision: 64)).exponent ?? 0)
        }
        let crossover = ExpansionValidity.crossoverWidth(of: family)
        if let crossover {
            k0 = min(kLast, max(k0, exponent(reaching: crossover * BigFloat(ExpansionValidity.idealCrossoverMargin, precision: 64))))
        }
        // The quantities whose growth sets the window: the dispersion and the tabulated moment.
        let growthTop = min(points - 4, 5)
        func growth(_ fit: Fit) -> BigFloat? {
            [fit.values.map(\.R), momentOrder == 2 ? nil : fit.values.map(\.Rp)].compactMap { $0 }
                .compactMap { v in ExpansionValidity.growthWidth(main: fit.main(v), check: fit.check(v), top: growthTop) }
                .max()
        }
        var fit = try Fit(family: family, base: base, k0: k0, points: points, digits: digits, momentOrder: momentOrder, firstStep: firstStep)
        // Move the window up while the coefficients' growth asks for it (a few passes: the
        // growth read off a window that is too low can itself be off).
        for _ in 0..<3 {
            guard let g = growth(fit), k0 < kLast else { break }
            let wanted = min(kLast, exponent(reaching: g * BigFloat(ExpansionValidity.idealGrowthMargin, precision: 64)))
            guard wanted > k0 else { break }
            k0 = wanted
            fit = try Fit(family: family, base: base, k0: k0, points: points, digits: digits, momentOrder: momentOrder, firstStep: firstStep)
        }
        widths = fit.widths
        checkWidths = fit.checkWidths
        precision = fit.precision
        func series(_ pick: (Fit.Values) -> BigFloat) -> Series { fit.series(fit.values.map(pick), order: order, digits: digits) }
        dispersion = series { $0.R }
        meanRatio = series { $0.mean }
        secondMomentRatio = series { $0.second }
        normalizedMoment = momentOrder == 2 ? dispersion : series { $0.Rp }
        firstStepRatio = firstStep ? series { $0.fQ } : nil
        validity = try ExpansionValidity.assess(family: family, smallestWidth: fit.widths[0], highestStart: base << kLast,
                                                crossoverWidth: crossover, growthWidth: growth(fit),
                                                dispersion: dispersion, normalizedMoment: momentOrder == 2 ? nil : normalizedMoment,
                                                momentOrder: momentOrder, precision: fit.precision)
    }

    /// The exact recursion evaluated on one window and its check window.
    struct Fit {
        typealias Values = (R: BigFloat, mean: BigFloat, second: BigFloat, Rp: BigFloat, fQ: BigFloat)
        let allWidths: [Int]
        let points: Int
        let precision: Int
        let values: [Values]
        var widths: [Int] { Array(allWidths.prefix(points)) }
        var checkWidths: [Int] { Array(allWidths.suffix(points)) }

        init(family: Family, base: Int, k0: Int, points: Int, digits: Int, momentOrder: Int, firstStep: Bool) throws {
            allWidths = (0...points).map { base << (k0 + $0) }
            self.points = points
            // Reading c_j off m points with h ≤ 2^{−k₀} amplifies a value's rounding error by up to
            // ~2^{k·m} (Lagrange coefficients of geometric nodes); the recursion over L layers
            // adds log₂(K) bits (derivations/03). Generous: bits are cheap at O(log L) per width.
            let kTop = k0 + points
            let deepest = try family.architecture(width: allWidths.last!)
            let roundingBits = Int.bitWidth - RoundingErrorBound(architecture: deepest, significandBits: 64, libmDeadProbability: false).roundings.leadingZeroBitCount
            precision = Int(Double(digits) * 3.33) + kTop * points + roundingBits + 64
            let p = precision
            var values: [Values] = []
            for M in allWidths {
                let a = try family.architecture(width: M)
                let arithmetic = MPFRArithmetic(precision: p, sigma2: a.sigma2, inputNorm2: a.inputNorm2)
                let m = MomentRecursion(arithmetic: arithmetic, model: family.model).moments(of: a)
                let mean = m.mean.mantissa, second = m.secondMoment.mantissa
                let star = FiniteWidthExpansion.infiniteWidthNTK(a, precision: p)
                let r = second / (mean * mean)
                let rp = momentOrder == 2 ? r
                    : TupleMomentRecursion(arithmetic: arithmetic, model: family.model, order: momentOrder).moment(of: a).mantissa / mean.power(momentOrder)
                let fQ = firstStep ? FirstStepRecursion(arithmetic: arithmetic).expectation(of: a).mantissa / (mean * mean) : BigFloat(0, precision: p)
                values.append((r, mean / star, second / (star * star), rp, fQ))
            }
            self.values = values
        }

        func main(_ v: [BigFloat]) -> [BigFloat] {
            FiniteWidthExpansion.polynomialCoefficients(widths: widths, values: Array(v.prefix(points)), precision: precision)
        }
        func check(_ v: [BigFloat]) -> [BigFloat] {
            FiniteWidthExpansion.polynomialCoefficients(widths: checkWidths, values: Array(v.suffix(points)), precision: precision)
        }

        func series(_ v: [BigFloat], order: Int, digits: Int) -> Series {
            let main = main(v), check = check(v)
            let two = BigFloat(2, precision: 64)
            let floor = BigFloat.powerOfTwo(-Int(Double(digits) * 3.33), precision: 64)
            let kept = 0...order
            return Series(coefficients: kept.map { main[$0] },
                          errors: kept.map { two * (main[$0] - check[$0]).magnitude() + floor * main[$0].magnitude() })
        }
    }

    /// Θ* = Σ_l (X*_{l−1} + β)·(σ²/2)^{L−l} with X*_0 = ‖x‖², X*_l = X*_{l−1}·σ²n_l/(2n_{l−1}): the
    /// infinite-width NTK diagonal of the same widths (standard parameterization).
    public static func infiniteWidthNTK(_ a: Architecture, precision p: Int) -> BigFloat {
        let half = BigFloat(a.sigma2, precision: p) / BigFloat(2, precision: p)
        let beta = BigFloat(a.beta, precision: p)
        // Backward factor (σ²/2) per hidden layer; forward X*_l = ‖x‖²(σ²/2)^l·n_l/n₀.
        // Θ* = Σ_{l=1}^{L} (X*_{l−1} + β)(σ²/2)^{L−l}; with runs: sum in closed geometric form.
        var total = BigFloat(0, precision: p)
        let x0 = BigFloat(a.inputNorm2, precision: p)
        let n0 = BigFloat(a.inputDimension, precision: p)
        let L = a.depth
        // Layer 1: X*_0 = ‖x‖², weight (σ²/2)^{L−1}.
        total = (x0 + beta) * half.power(L - 1)
        // Layers l = 2 … L: X*_{l−1} = ‖x‖²(σ²/2)^{l−1}·n_{l−1}/n₀, so the weight term is
        // ‖x‖²(σ²/2)^{L−1}·n_{l−1}/n₀ and the bias term β(σ²/2)^{L−l}.
        var l = 2
        for run in a.hiddenRuns {
            let count = BigFloat(run.count, precision: p)
            total += x0 * half.power(L - 1) * BigFloat(run.width, precision: p) / n0 * count
            // Σ_{l in run} (σ²/2)^{L−l} = Σ_{e = L−l_end}^{L−l_start} (σ²/2)^e.
            let eHigh = L - l, eLow = L - (l + run.count - 1)
            total += beta * geometricSum(half, from: eLow, to: eHigh, precision: p)
            l += run.count
        }
        return total
    }

    /// Σ_{e=a}^{b} q^e, well conditioned for q near 1.
    static func geometricSum(_ q: BigFloat, from a: Int, to b: Int, precision p: Int) -> BigFloat {
        let one = BigFloat(1, precision: p)
        let count = b - a + 1
        if q == one { return BigFloat(count, precision: p) }
        // q^a·(q^count − 1)/(q − 1), with q^count − 1 = expm1(count·log q).
        let numerator = (BigFloat(count, precision: p) * (q - one).log1p()).expm1()
        return q.power(a) * numerator / (q - one)
    }

    /// The monomial coefficients c₀ … c_{m−1} of the polynomial in h = 1/M through the m points.
    static func polynomialCoefficients(widths: [Int], values: [BigFloat], precision p: Int) -> [BigFloat] {
        let m = widths.count
        let h = widths.map { BigFloat(1, precision: p) / BigFloat($0, precision: p) }
        // Newton divided differences.
        var d = values.map { BigFloat($0, precision: p) }
        for j in 1..<m {
            for i in stride(from: m - 1, through: j, by: -1) {
                d[i] = (d[i] - d[i - 1]) / (h[i] - h[i - j])
            }
        }
        // Horner on the Newton form: P(h) = d₀ + (h − h₀)(d₁ + (h − h₁)(d₂ + …)).
        var coefficients = [BigFloat(0, precision: p)]
        coefficients[0] = d[m - 1]
        for i in stride(from: m - 2, through: 0, by: -1) {
            // coefficients ← coefficients·(h − h_i) + d_i
            var next = Array(repeating: BigFloat(0, precision: p), count: coefficients.count + 1)
            for (j, c) in coefficients.enumerated() {
                next[j + 1] = next[j + 1] + c
                next[j] = next[j] - c * h[i]
            }
            next[0] = next[0] + d[i]
            coefficients = next
        }
        return coefficients
    }
}

extension BigRational {
    /// The denominator as a rational (≥ 1).
    var denominatorValue: BigRational { (try? BigRational(parsing: denominatorString)) ?? 1 }
}
