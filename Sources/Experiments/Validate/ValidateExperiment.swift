import Foundation
import MonteCarlo
import NTKMoments

extension ValidateRequest {
    /// Checks the request, refuses a run beyond its budget, simulates the request's samples and
    /// tests them against the exact recursion and the GI model.
    public func run(_ context: ExperimentContext) throws -> ValidateResult {
        evaluate(try simulate(context))
    }

    /// The z-tests and verdicts of a finished simulation of this request.
    public func evaluate(_ run: MonteCarloRun) -> ValidateResult {
        ValidateResult(evaluating: run.moments, network: network.architecture, seconds: run.wallSeconds,
                       stoppedBy: run.stoppedBy, seeds: [seed], zMax: zMax)
    }

    /// The simulation alone: the power sums of Θ over `sampleRange` (what a shard file keeps),
    /// with the time the run took and the budget that ended it. Progress goes to `context`
    /// (`SamplingProgress`) at least every half second, also while the first networks run.
    ///
    /// Cancellation stops the samplers within a layer, as their time budget does, and then
    /// throws `ExperimentError.cancelled`.
    public func simulate(_ context: ExperimentContext) throws -> MonteCarloRun {
        try check()
        _ = try checkCost()
        try context.checkCancellation()
        let range = sampleRange
        let count = range.count
        let line = SamplingProgress(label: "ntk validate", total: count)
        let progress: ((Int) -> Void)? = context.wantsProgress ? { context.report(line.report($0)) } : nil
        let run = MonteCarlo.simulate(simulated, samples: count, firstSample: range.lowerBound, maxSeconds: maximumSeconds,
                                      seed: seed, threads: threadCount, progress: progress, isCancelled: { context.isCancelled })
        try context.checkCancellation()
        return run
    }
}
