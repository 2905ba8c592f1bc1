import MonteCarlo
import NTKMoments

extension ValidateResult {
    /// Tests the Monte Carlo power sums `moments` of `network` with `MomentZTest`: against the
    /// exact recursion on the exact standard errors where the exact E[Θ³], E[Θ⁴] exist (the
    /// sample ones are optimistic for heavy-tailed Θ, derivations/06) — the verdict —, and
    /// against the GI model on the sample standard errors, reported only.
    /// - Parameter reference: the model values (default: those of `network`).
    public init(evaluating moments: ThetaMoments, network: Architecture, seconds: Double, stoppedBy: MonteCarloStopReason,
                seeds: [UInt64], zMax: Double, reference: ValidationReference? = nil) {
        let reference = reference ?? ValidationReference(network)
        let plan = reference.plan
        let exact = MomentZTest(moments: moments, referenceMean: reference.exactMean, referenceSecondMoment: reference.exactSecond, zMax: zMax,
                                exactStandardErrors: plan.map { .init(plan: $0, samples: moments.count) })
        let gi = MomentZTest(moments: moments, referenceMean: reference.giMean, referenceSecondMoment: reference.giSecond, zMax: zMax)
        let exactSE = plan?.standardErrors(samples: moments.count)
        let separation = plan?.samplesToSeparate(meanDifference: reference.exactMean - reference.giMean,
                                                 secondMomentDifference: reference.exactSecond - reference.giSecond, z: zMax)
        self.init(network: ReportedNetwork(network), samples: moments.count, seconds: seconds, stoppedBy: stoppedBy, seeds: seeds, zMax: zMax,
                  usesExactStandardErrors: exact.usesExactStandardErrors,
                  mean: TestedMoment(estimate: moments.mean, standardError: moments.standardErrorOfMean, exactStandardError: exactSE?.mean,
                                     exact: reference.exactMean, z: exact.zMean, gi: reference.giMean, zGI: gi.zMean),
                  secondMoment: TestedMoment(estimate: moments.secondMoment, standardError: moments.standardErrorOfSecondMoment,
                                             exactStandardError: exactSE?.secondMoment, exact: reference.exactSecond,
                                             z: exact.zSecondMoment, gi: reference.giSecond, zGI: gi.zSecondMoment),
                  samplesToSeparateByMean: separation?.mean, samplesToSeparateBySecondMoment: separation?.secondMoment,
                  dispersion: moments.dispersion, dispersionStandardError: moments.dispersionStandardError,
                  verdict: exact.verdict, giVerdict: gi.verdict)
        exactDispersion = reference.exactDispersion
        giDispersion = reference.giDispersion
        if exact.verdict == .inconclusive { inconclusiveReason = Self.inconclusiveReason(exact) }
    }

    /// Why `test` supports no verdict, in a few words.
    static func inconclusiveReason(_ test: MomentZTest) -> String {
        if !test.hasEnoughSamples {
            return "\(test.count) sample\(test.count == 1 ? "" : "s"); a verdict needs at least \(MomentZTest.minimumSamples) samples and finite, positive standard errors"
        }
        if !test.standardErrorsAreTrustworthy {
            return "|z| > \(MonteCarloEstimate.text(test.zMax, digits: 3)) on sample standard errors that heavy tails make unreliable (sample kurtosis \(MonteCarloEstimate.text(test.sampleKurtosis, digits: 3)); no exact E[Θ⁴] to replace them)"
        }
        if test.usesExactStandardErrors, test.zMean.isFinite, test.zSecondMoment.isFinite, let reason = test.inconclusiveReason {
            return reason
        }
        return "z is undefined (zero or non-finite standard error with an estimate that differs from the exact value)"
    }
}
