import Multiprecision
import NTKMoments

extension LimitRequest {
    /// Checks the request and computes every limit asked for at `workingPrecision`.
    public func run(_ context: ExperimentContext) throws -> LimitResult {
        try check()
        _ = try costNote()
        try context.checkCancellation()
        let bits = workingPrecision, d = outputDigits
        let alpha0 = alpha0Value
        let limits = try DispersionLimits(sigma2: sigma2, lambda: lambda, trainableBiases: biases, alpha0: alpha0, precision: bits)
        func real(_ x: BigFloat) -> ReportedReal { ReportedReal(decimal: x.formatted(significantDigits: d)) }
        let (ratio, x0) = closedFormInputs
        var result = LimitResult(
            lambda: .exact(lambda), sigma2: .exact(sigma2), phase: limits.phase, biases: biases,
            alpha0: .exact(alpha0), alpha0EntersLimit: limits.dependsOnAlpha0, inputNorm2: .exact(x0),
            precisionBits: bits, digits: d, exact: real(limits.exact), gi: real(limits.gradientIndependence),
            published: real(limits.published), publishedIsGIDerived: limits.publishedIsGIDerived,
            publishedForm: limits.publishedForm.rawValue, publishedNote: limits.publishedForm.note,
            exactMinusPublishedRelative: real((limits.exact - limits.published) / limits.published),
            c1: .undefined, c2: .undefined, correctionsReason: nil, correctionsUnavailable: false, normalizedMoments: [])
        if corrections {
            // α₀ = 0 means ‖x‖² = ∞, and closed forms are known for n₀ = M only.
            let closedForms = self.alpha0?.isZero == true ? nil
                : try ExpansionClosedForms.dispersion(sigma2: sigma2, lambda: lambda, inputNorm2: x0, trainableBiases: biases,
                                                       inputRatio: ratio, precision: bits)
            if let c = closedForms {
                // Reported only where the expansion they belong to holds.
                let family = FiniteWidthExpansion.Family(sigma2: sigma2, lambda: lambda, inputRatio: ratio, inputNorm2: x0, trainableBiases: biases)
                if let reason = ExpansionValidity.ofClosedForms(family).reason {
                    result.correctionsReason = reason
                } else {
                    result.c1 = real(c.c1)
                    result.c2 = real(c.c2)
                }
            } else {
                result.correctionsUnavailable = true
            }
        }
        for k in 3...max(3, maxMoment ?? 2) where k <= (maxMoment ?? 2) {
            try context.checkCancellation()
            context.report(.init("limit of E[Θ^\(k)]/E[Θ]^\(k)", done: k - 3, total: (maxMoment ?? 2) - 2))
            let l = try NormalizedMomentLimit(order: k, sigma2: sigma2, lambda: lambda, inputNorm2: x0, inputRatio: ratio,
                                              trainableBiases: biases, precision: bits)
            let source: String
            switch l.source {
            case .closedForm: source = "closed form"
            case .extrapolated(let e): source = "extrapolated from the exact recursion (± \(e.formatted(significantDigits: 2, rounding: .up)), self-consistent)"
            }
            result.normalizedMoments.append(.init(order: k, value: real(l.value), source: source))
        }
        if firstStep {
            let f = try FirstStepLimits(sigma2: sigma2, lambda: lambda, trainableBiases: biases, alpha0: alpha0, precision: bits)
            result.fQOverTheta2Limit = real(f.limit)
            result.fQOverTheta2LimitForm = Self.firstStepForm(f)
            result.gw = real(FirstStepLimits.weightTerm(lambda, precision: bits))
            result.gb = real(FirstStepLimits.biasTerm(lambda, precision: bits))
        }
        return result
    }

    /// Which closed form `FirstStepLimits` used, in words.
    static func firstStepForm(_ l: FirstStepLimits) -> String {
        if l.decaysExponentially {
            return "0: decays like 16‖x‖²/(2 − σ²)·(σ²/2)^L/n0 (approximation at finite L, n0)"
        }
        if l.dependsOnAlpha0 { return "(G_w + α0·G_b)/(1 + α0)²" }
        return l.trainableBiases ? "G_w (chaotic phase: biases do not enter)" : "G_w (weights only: independent of σ²)"
    }
}
