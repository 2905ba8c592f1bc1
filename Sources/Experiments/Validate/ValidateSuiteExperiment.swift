import Foundation
import MonteCarlo
import Multiprecision
import NTKMoments

extension ValidateSuiteRequest {
    /// Runs every case in order at the fixed seed, with budgets scaled by `budgetScale`;
    /// progress names the case, and cancellation is honoured between cases.
    public func run(_ context: ExperimentContext) throws -> ValidateSuiteResult {
        try check()
        let threads = threadCount
        let total = Self.cases.count + Self.stepCases.count
        var moments: [ValidateSuiteResult.MomentCase] = []
        for c in Self.cases {
            try context.checkCancellation()
            context.report(.init("ntk validate suite: case \(moments.count + 1)/\(total) (\(c.widths), σ² = \(c.sigma2))",
                                 done: moments.count, total: total))
            let a = try c.architecture()
            let run = simulate(SimulatedArchitecture(a), samples: scaledSamples(c), maxSeconds: c.seconds * budgetScale, seed: Self.seed,
                               threads: threads, isCancelled: { context.isCancelled })
            let r = ValidateResult(evaluating: run.moments, network: a, seconds: run.wallSeconds, stoppedBy: run.stoppedBy,
                                   seeds: [Self.seed], zMax: Self.zMax)
            moments.append(.init(widths: c.widths, sigma2: c.sigma2, biases: c.biases, samples: run.samplesCompleted, seconds: run.wallSeconds,
                                 zMean: r.mean.z, zSecondMoment: r.secondMoment.z, zMeanGI: r.mean.zGI, zSecondMomentGI: r.secondMoment.zGI,
                                 dispersion: r.dispersion, exactDispersion: r.exactDispersion ?? .nan, verdict: r.verdict))
        }
        var steps: [ValidateSuiteResult.StepCase] = []
        for c in Self.stepCases {
            try context.checkCancellation()
            let done = moments.count + steps.count
            context.report(.init("ntk validate suite: case \(done + 1)/\(total) (step, \(c.widths), σ² = \(c.sigma2))", done: done, total: total))
            steps.append(try stepCase(c, threads: threads))
        }
        try context.checkCancellation()
        return ValidateSuiteResult(seed: Self.seed, zMax: Self.zMax, cases: moments, stepCases: steps)
    }

    func scaledSamples(_ c: Case) -> Int { max(1, Int(Double(c.samples) * budgetScale)) }

    /// One gradient step (η = 10⁻³/E[Θ], y = 0) per network: the E[fQ] z-test by
    /// `MomentZTest.verdict`'s rule for one moment.
    func stepCase(_ c: Case, threads: Int) throws -> ValidateSuiteResult.StepCase {
        let a = try c.architecture()
        let reference = try StepReference(a)
        let experiment = try GradientStepExperiment(architecture: SimulatedArchitecture(a), learningRates: [Self.stepLearningRateScale / reference.meanTheta],
                                                    target: Self.stepTarget, correlation: nil)
        let run = simulateGradientSteps(experiment, samples: scaledSamples(c), maxSeconds: c.seconds * budgetScale, seed: Self.seed,
                                        threads: threads)
        let fq = run.statistic.fQ, z = (fq.mean - reference.fQ) / fq.standardError
        let verdict = MomentZTest.verdict(count: run.statistic.count, z: z, standardError: fq.standardError, estimate: fq.mean,
                                          model: reference.fQ, zMax: Self.zMax)
        return .init(widths: c.widths, sigma2: c.sigma2, biases: c.biases, samples: run.statistic.count, seconds: run.wallSeconds,
                     fQ: fq.mean, exactFQ: reference.fQ, z: z, kink: run.statistic.step(0).kink.mean, verdict: verdict)
    }
}

extension ValidateSuiteRequest.Case {
    /// The case's network (the fixed lists always describe one).
    func architecture() throws -> Architecture {
        let parsed = try WidthList.parse(widths)
        return try Architecture(inputDimension: parsed.inputDimension, hiddenRuns: parsed.hiddenRuns,
                                sigma2: try BigRational(parsing: sigma2), trainableBiases: biases)
    }
}
