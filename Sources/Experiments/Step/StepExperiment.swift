import Foundation
import MonteCarlo
import Multiprecision
import NTKMoments

/// A checked step request made concrete: the exact references, the simulated experiment (the
/// absolute rates) and the scales c of η = c/E[Θ] when the rates were given that way.
public struct StepPlan: Sendable {
    public let reference: StepReference
    public let experiment: GradientStepExperiment
    public let scales: [String]?
}

/// Where each quantity of a step run sits in the statistics vector (`GradientStepStatistics`):
/// Θ, fQ, Q, (f − y)Q; per rate ΔΘ/η, |ΔΘ|/Θ, kink, crossed; with a second input Θ(x,x′), Q′;
/// per rate ΔΘ′/η, kink′. Merged shard files must have exactly this many entries.
public enum StepStatisticsLayout {
    public static func dimension(rates: Int, offDiagonal: Bool) -> Int {
        4 + 4 * rates + (offDiagonal ? 2 + 2 * rates : 0)
    }
}

extension StepRequest {
    /// Checks the request, simulates `computedSamples` networks and reports them against the
    /// exact references.
    public func run(_ context: ExperimentContext) throws -> StepResult {
        try check()
        let plan = try self.plan()
        let run = try simulate(plan, context)
        return StepResult(network: network.architecture, plan: plan, statistics: run.statistic, seconds: run.wallSeconds,
                          stoppedBy: run.stoppedBy.label, seeds: [seed])
    }

    /// The exact references and the experiment of a checked request.
    public func plan() throws -> StepPlan {
        let a = network.architecture
        let simulated = try Self.simulatedArchitecture(a)  // refused before the exact references are computed
        let reference = try StepReference(a)
        var scales: [String]? = nil
        let rates: [Double]
        if let learningRates {
            rates = learningRates
        } else {
            scales = learningRateScales ?? Self.defaultScales
            rates = try scales!.map { BigFloat(try BigRational(parsing: $0), precision: 53).doubleValue() / reference.meanTheta }
        }
        guard rates.allSatisfy({ $0.isNormal && $0 > 0 }) else {
            throw ExperimentError.invalidRequest("the learning rates are not positive normal doubles")
        }
        if let rho = correlation, a.inputDimension < 2, abs(rho) != 1 {
            throw ExperimentError.invalidRequest("--correlation '\(rho)' needs input dimension n0 ≥ 2 (a second input direction)")
        }
        do {
            let experiment = try GradientStepExperiment(architecture: simulated, learningRates: rates, target: target, correlation: correlation)
            return StepPlan(reference: reference, experiment: experiment, scales: scales)
        } catch { throw ExperimentError.invalidRequest("\(error)") }
    }

    /// The predicted cost of the whole run (all `samples`, not only a shard's) with `threads` workers.
    public func samplingCost(_ plan: StepPlan, threads: Int) -> SamplingCost {
        SamplingCostModel.gradientStep(plan.experiment, threads: threads, samples: samples)
    }

    /// Simulates `computedSamples` networks of `plan`, refused when one network does not fit
    /// the time budget or the run not in memory.
    public func simulate(_ plan: StepPlan, _ context: ExperimentContext) throws -> BlockedRunResult<GradientStepStatistics> {
        let threadCount = RequestRange.resolvedThreads(threads)
        do {
            _ = try SamplingBudget.check(samplingCost(plan, threads: threadCount), samples: samples, maxSeconds: maxSeconds,
                                         what: "network", reduce: "a smaller width or depth")
        } catch let refusal as SamplingBudgetRefusal { throw ExperimentError.tooExpensive(refusal.description) }
        try context.checkCancellation()
        let range = computedSamples
        let line = SamplingProgress(label: "ntk step", total: range.count, unit: "networks")
        let run = simulateGradientSteps(plan.experiment, samples: range.count, firstSample: range.lowerBound, maxSeconds: maxSeconds,
                                        seed: seed, threads: threadCount, progress: { context.report(line.report($0)) },
                                        isCancelled: { context.isCancelled })
        try context.checkCancellation()
        return run
    }

    /// The result of merged shards of one run (what their files record: the network, the
    /// absolute rates, the scales they came from, the target and the correlation), refused
    /// when the rates do not match the statistics' layout (edited or corrupt files) or the
    /// shards hold no samples.
    public static func mergedResult(network a: Architecture, learningRates: [Double], learningRateScales: [String]?, target: Double,
                                    correlation: Double?, statistics: GradientStepStatistics, seconds: Double,
                                    stoppedBy: MonteCarloStopReason, seed: UInt64) throws -> StepResult {
        guard a.depth <= maximumDepth else { throw ExperimentError.invalidRequest("the shards' network is deeper than step simulates") }
        let rates = learningRates.count
        let expected = StepStatisticsLayout.dimension(rates: rates, offDiagonal: correlation != nil)
        guard rates >= 1, rates <= maximumRates, learningRates.allSatisfy({ $0.isFinite && $0 > 0 }), target.isFinite,
              learningRateScales.map({ $0.count == rates }) ?? true,
              statistics.count == 0 || statistics.means.dimension == expected else {
            throw ExperimentError.invalidRequest("the shards' rates do not match their statistics (edited or corrupt)")
        }
        guard statistics.count > 0 else { throw ExperimentError.invalidRequest("the shards hold no samples") }
        return StepResult(network: a, reference: try StepReference(a), learningRates: learningRates, scales: learningRateScales,
                          target: target, correlation: correlation, statistics: statistics, seconds: seconds,
                          stoppedBy: stoppedBy.label, seeds: [seed])
    }
}
