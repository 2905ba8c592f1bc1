import Foundation
import MonteCarlo
import Multiprecision
import NTKMoments

/// The statistics of one `offdiag` run or of merged shards: per depth of the sweep, what the
/// simulation accumulated, its wall time and what stopped it. This is what a shard file
/// stores; `OffDiagRequest.result(of:seeds:)` turns it into a result.
public struct OffDiagMeasurement: Sendable {
    public var sweep: OffDiagonalSweepStatistics
    /// Per depth, "sample budget" or "time budget".
    public var stoppedBy: [String]

    public init(sweep: OffDiagonalSweepStatistics, stoppedBy: [String]) {
        self.sweep = sweep
        self.stoppedBy = stoppedBy
    }

    /// Merged shards: every depth reports the stop reason of the merge.
    public init(merged sweep: OffDiagonalSweepStatistics, stoppedBy: MonteCarloStopReason) {
        self.init(sweep: sweep, stoppedBy: sweep.depths.map { _ in stoppedBy.label })
    }

    /// The sample budget ended every depth, or else a time budget ended some depth.
    public var stopReason: MonteCarloStopReason {
        stoppedBy.allSatisfy { $0 == MonteCarloStopReason.sampleBudget.label } ? .sampleBudget : .timeBudget
    }

    public var seconds: Double { sweep.seconds.reduce(0, +) }
}

extension OffDiagRequest {
    /// Checks the request, simulates the sweep and compares it with the exact references.
    public func run(_ context: ExperimentContext) throws -> OffDiagResult {
        try result(of: try simulate(context), seeds: [seed])
    }

    /// Checks the request, refuses it when one sample does not fit the time budget or the run
    /// not in memory, and simulates `computedSamples` networks at every depth. The time budget
    /// is shared among the depths.
    public func simulate(_ context: ExperimentContext) throws -> OffDiagMeasurement {
        try check()
        let networks = try self.networks()
        let rhos = correlationValues
        let range = computedSamples
        let threadCount = RequestRange.resolvedThreads(threads)
        do {
            _ = try SamplingBudget.check(try samplingCost(threads: threadCount), samples: range.count, maxSeconds: maxSeconds,
                                         what: sampleName, reduce: "a smaller width or depth")
        } catch let refusal as SamplingBudgetRefusal { throw ExperimentError.tooExpensive(refusal.description) }
        let clock = ContinuousClock(), start = clock.now
        var depths: [OffDiagonalStatistics] = [], seconds: [Double] = [], stoppedBy: [String] = []
        for (index, net) in networks.enumerated() {
            try context.checkCancellation()
            let elapsed = start.duration(to: clock.now)
            let used = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            let share = Self.budgetShare(remaining: maxSeconds - used, depth: net.depth, remainingDepths: networks[index...].map(\.depth))
            let run: BlockedRunResult<OffDiagonalStatistics>
            do {
                let line = SamplingProgress(label: "ntk offdiag: depth \(net.depth)", total: range.count)
                run = try simulateOffDiagonal(SimulatedArchitecture(net), correlations: rhos, samples: range.count, firstSample: range.lowerBound,
                                              maxSeconds: share, seed: seed, threads: threadCount,
                                              progress: { context.report(line.report($0)) }, isCancelled: { context.isCancelled })
            } catch let e as OffDiagonalError { throw ExperimentError.invalidRequest(e.description) }
            // A depth the budget left no time for still reports its rows (with undefined estimates).
            try context.checkCancellation()
            depths.append(run.statistic.count == 0 ? OffDiagonalStatistics(correlations: rhos) : run.statistic)
            seconds.append(run.wallSeconds)
            stoppedBy.append(run.stoppedBy.label)
        }
        return OffDiagMeasurement(sweep: OffDiagonalSweepStatistics(depths: depths, seconds: seconds), stoppedBy: stoppedBy)
    }

    /// The time budget of one depth: the `remaining` budget shared among the remaining depths
    /// in proportion to depth (the cost of a network grows about linearly with it).
    public static func budgetShare(remaining: Double, depth: Int, remainingDepths: [Int]) -> Double {
        max(0, remaining) * Double(depth) / Double(remainingDepths.reduce(0, +))
    }

    /// The result of `measurement` — one run's or merged shards' — against the exact references
    /// of every depth; `seeds` are the random seeds it came from. Refuses statistics that do not match
    /// the request's depths and correlations (edited or corrupt shard files).
    public func result(of measurement: OffDiagMeasurement, seeds: [UInt64]) throws -> OffDiagResult {
        let rhos = correlationValues
        let networks = try self.networks()
        let sweep = measurement.sweep
        guard sweep.depths.count == networks.count, sweep.seconds.count == networks.count, measurement.stoppedBy.count == networks.count,
              sweep.depths.allSatisfy({ $0.count == 0 || $0.correlations == rhos }) else {
            throw ExperimentError.invalidRequest("the shards' statistics do not match their depths and correlations")
        }
        let measured = try networks.indices.map { i in
            (reference: try OffDiagReference(networks[i], correlations: rhos),
             statistics: sweep.depths[i].count == 0 ? OffDiagonalStatistics(correlations: rhos) : sweep.depths[i],
             seconds: sweep.seconds[i], stoppedBy: measurement.stoppedBy[i])
        }
        return OffDiagResult(network: network.architecture, seeds: seeds, zMax: zMax, correlations: rhos, measured: measured)
    }

    /// The request merged shard files recorded: their network, depths and exact correlations
    /// (as text); refused when the correlations are malformed or the network cannot be simulated.
    public init(shardsOf network: Architecture, depths: [Int], correlations: [String], zMax: Double) throws {
        let rhos: [BigRational]
        do {
            rhos = try correlations.map { try BigRational(parsing: $0) }
        } catch { throw ExperimentError.invalidRequest("the shards' correlations are malformed") }
        guard !rhos.isEmpty, rhos.allSatisfy(Self.isCorrelation) else {
            throw ExperimentError.invalidRequest("the shards' correlations are malformed")
        }
        try Self.checkSimulable(network)
        self.init(network: network, depths: depths, correlations: rhos, zMax: zMax)
        _ = try networks()
    }

    /// The result of merged shards (`seed` their common seed): as `result(of:seeds:)`, refused
    /// when the shards hold no samples.
    public func mergedResult(of measurement: OffDiagMeasurement, seed: UInt64) throws -> OffDiagResult {
        let result = try result(of: measurement, seeds: [seed])
        guard measurement.sweep.depths.contains(where: { $0.count > 0 }) else {
            throw ExperimentError.invalidRequest("the shards hold no samples")
        }
        return result
    }
}
