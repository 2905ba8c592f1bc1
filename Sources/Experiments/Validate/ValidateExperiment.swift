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
    /// as "ntk validate: done/total samples, rate/s, seconds left".
    ///
    /// Cancellation is honoured before the samplers start and when they return: `simulate`
    /// itself stops only at its time budget.
    public func simulate(_ context: ExperimentContext) throws -> MonteCarloRun {
        try check()
        _ = try checkCost()
        try context.checkCancellation()
        let range = sampleRange
        let count = range.count
        let start = Date()
        let progress: ((Int) -> Void)? = context.wantsProgress ? { done in
            let elapsed = Date().timeIntervalSince(start)
            let rate = Double(done) / max(elapsed, 1e-9)
            context.report(.init("ntk validate: \(done)/\(count) samples, \(Int(rate))/s, \(Int(Double(count - done) / max(rate, 1e-9))) s left",
                                 done: done, total: count))
        } : nil
        let run = MonteCarlo.simulate(simulated, samples: count, firstSample: range.lowerBound, maxSeconds: maximumSeconds,
                                      seed: seed, threads: threadCount, progress: progress)
        try context.checkCancellation()
        return run
    }
}
