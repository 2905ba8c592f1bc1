import Multiprecision
import NTKMoments

extension MomentsRequest {
    /// Checks the request, refuses hopeless jobs before any work, and computes every quantity
    /// asked for in one arithmetic.
    public func run(_ context: ExperimentContext) throws -> MomentsResult {
        try check()
        try checkCost()
        try context.checkCancellation()
        let a = network.architecture
        let mode = self.mode
        let d = outputDigits
        let summary = try inDoubleRange { try MomentSummary(architecture: a, model: model, mode: mode) }
        func report(_ v: MomentValue) -> ReportedReal { ReportedReal(value: v, digits: d) }
        var precisionBits: Int? = nil
        if case .mpfr(let p) = mode { precisionBits = p }
        if case .certified(let p) = mode { precisionBits = p }
        var result = MomentsResult(
            network: network, model: model, arithmetic: arithmetic, arithmeticDescription: mode.label,
            guarantee: Self.guarantee(summary), digitsRequested: d, precisionBits: precisionBits,
            relativeErrorBound: summary.roundingErrorBound.map { bound in
                bound.relative.map { ReportedReal(decimal: $0.formatted(significantDigits: 3, rounding: .up)) } ?? .undefined
            },
            mean: report(summary.mean), secondMoment: report(summary.secondMoment), variance: report(summary.variance),
            ratio: report(summary.dispersion), probabilityDead: report(summary.probabilityDead))
        if let p = maxMoment {
            try context.checkCancellation()
            let h = try inDoubleRange {
                try HigherMomentSummary(architecture: a, model: model, mode: mode, maxOrder: p) { k in
                    context.report(.init("E[Θ^\(k)] of E[Θ] … E[Θ^\(p)]", done: k - 1, total: p))
                }
            }
            if p >= 3 {
                result.higherMoments = h.moments[2...].map(report)
                result.normalizedMoments = h.normalized[2...].map(report)
                result.skewness = report(h.skewness)
            }
            if p >= 4 { result.kurtosis = report(h.excessKurtosis) }
        }
        if firstStep {
            try context.checkCancellation()
            let f = try inDoubleRange { try FirstStepSummary(architecture: a, mode: mode) }
            result.fQ = report(f.fQ)
            result.meanChangePerRate = report(f.meanChangePerRate)
            result.fQOverTheta = report(f.overMean)
            result.fQOverTheta2 = report(f.overMeanSquared)
        }
        if perLayer {
            try context.checkCancellation()
            result.layerContributions = ReportedRealList(try layerContributions(a, mode: mode, digits: d))
        }
        return result
    }

    /// What the reported digits guarantee, in one phrase.
    static func guarantee(_ s: MomentSummary) -> String {
        switch s.mode {
        case .exact: return "exact"
        case .certified: return "digits shown are shared by every point of the certified enclosure"
        case .mpfr, .double:
            guard let bound = s.roundingErrorBound?.relative else { return "no digit is guaranteed at this depth" }
            return "digits shown are guaranteed by an a-priori rounding-error bound (relative error ≤ \(bound.formatted(significantDigits: 2, rounding: .up)))"
        }
    }

    /// The computation, with double's range errors turned into one-line refusals.
    func inDoubleRange<T>(_ compute: () throws -> T) throws -> T {
        do {
            return try compute()
        } catch is DoubleArithmetic.RangeError {
            let a = network.architecture
            if !DoubleArithmetic.supportedRange.contains(a.sigma2) {
                throw ExperimentError.invalidRequest("--double handles σ² from 1e-30 to 1e30 (got --sigma2 '\(a.sigma2.terminatingDecimal ?? a.sigma2.fractionString)'); use the default MPFR arithmetic")
            }
            throw ExperimentError.invalidRequest("--double handles ‖x‖² = 0 or from 1e-30 to 1e30 (got --input-norm2 '\(a.inputNorm2.terminatingDecimal ?? a.inputNorm2.fractionString)'); use the default MPFR arithmetic")
        }
    }

    /// Each layer's contribution to E[Θ], with the same guarantees as the summary: exact,
    /// enclosed, or rounded within the a-priori bound of the architecture.
    func layerContributions(_ a: Architecture, mode: ArithmeticMode, digits: Int) throws -> [ReportedReal] {
        switch mode {
        case .exact:
            return MomentRecursion(arithmetic: RationalArithmetic(sigma2: a.sigma2, inputNorm2: a.inputNorm2), model: model)
                .layerContributions(of: a).map { ReportedReal(value: .exact($0), digits: digits) }
        case .mpfr(let p):
            let bound = RoundingErrorBound(architecture: a, significandBits: p, libmDeadProbability: false)
            return MomentRecursion(arithmetic: MPFRArithmetic(precision: p, sigma2: a.sigma2, inputNorm2: a.inputNorm2), model: model)
                .layerContributions(of: a).map { ReportedReal(value: .rounded($0, enclosure: bound.enclosure(of: $0)), digits: digits) }
        case .double:
            let bound = RoundingErrorBound(architecture: a, significandBits: 53, libmDeadProbability: true)
            let values = try inDoubleRange {
                MomentRecursion(arithmetic: try DoubleArithmetic(sigma2: a.sigma2, inputNorm2: a.inputNorm2), model: model).layerContributions(of: a)
            }
            // This O(L) pass is not rescaled: a contribution outside the normal Double range
            // (overflowed, or subnormal and so short of digits) cannot be reported honestly.
            guard values.allSatisfy({ $0.isFinite && ($0 == 0 || abs($0) >= Double.leastNormalMagnitude) }) else {
                throw ExperimentError.invalidRequest("--per-layer: a contribution is outside the normal Double range; omit --double for MPFR")
            }
            return values.map { v in
                let f = BigFloat(v, precision: 53)
                return ReportedReal(value: .rounded(f, enclosure: bound.enclosure(of: f)), digits: digits)
            }
        case .certified(let p):
            return MomentRecursion(arithmetic: EnclosureArithmetic(precision: p, sigma2: a.sigma2, inputNorm2: a.inputNorm2), model: model)
                .layerContributions(of: a).map { ReportedReal(value: .enclosure($0), digits: digits) }
        }
    }
}
