import Foundation
import MonteCarlo
import Multiprecision

/// A checked `TrainRequest` with its training set drawn: the cost decision, then the training.
public struct TrainExperiment: Sendable {
    public let request: TrainRequest
    public let trainingSet: TrainingSet
    /// The trained parameters of each network.
    public let parameterCount: Double

    /// - Throws: `ExperimentError.invalidRequest` for a request out of range or data that
    ///   cannot be used; `.tooExpensive` for a network or a run above the limits.
    public init(_ request: TrainRequest) throws {
        try request.check()
        self.request = request
        do {
            trainingSet = try request.dataset.trainingSet(count: request.trainSize, dimension: request.inputDimension ?? request.width,
                                                          seed: request.seed)
        } catch let e as TrainingDataError { throw ExperimentError.invalidRequest(e.description) }
        parameterCount = request.parameterCount(inputDimension: trainingSet.dimension)
        guard parameterCount <= Double(TrainRequest.maximumParameters) else {
            throw ExperimentError.tooExpensive("train stores every weight: at most \(TrainRequest.maximumParameters) parameters (this network has \(Int(parameterCount)))")
        }
        let work = parameterCount * Double(trainingSet.count) * Double(request.steps + 1) * Double(request.sigma2.count)
        guard work <= TrainRequest.maximumWork else {
            throw ExperimentError.tooExpensive("the run is too large (parameters × inputs × steps × σ² values above 1e13); reduce --steps, --train-size or the width")
        }
    }

    /// The network of one σ² (its ‖x‖² plays no role in training).
    func architecture(sigma2: Double) -> SimulatedArchitecture {
        SimulatedArchitecture(inputDimension: trainingSet.dimension, hiddenWidths: request.hiddenWidths, sigma2: sigma2, inputNorm2: 1,
                              trainableBiases: request.trainableBiases)
    }

    /// The cost decision before any work, one "sample" being one step of every σ²'s network:
    /// a one-line note when the run should take more than a few seconds, nil when it is quick.
    /// - Throws: `ExperimentError.tooExpensive` when one step would not fit `maxSeconds` or
    ///   the run not in memory.
    public func costNote() throws -> String? {
        let step = SamplingCostModel.training(architecture(sigma2: 2), inputs: trainingSet.count, tracked: min(request.track, trainingSet.count),
                                              recordEvery: request.recordEvery, adam: request.optimizer == .adam)
        let cost = SamplingCost(secondsPerSample: step.secondsPerSample * Double(request.sigma2.count), parallelism: 1, bytes: step.bytes)
        return try SamplingBudget.note(cost, samples: request.steps + 1, maxSeconds: request.maxSeconds, what: "training step",
                                       reduce: "a smaller width, depth or --train-size")
    }

    /// Trains the networks in the order of `sigma2`, each within an even share of the time
    /// left, reporting the steps done.
    public func run(_ context: ExperimentContext) throws -> TrainResult {
        let r = request
        var runs: [TrainResult.Run] = []
        let clock = ContinuousClock(), start = clock.now
        for (index, s) in r.sigma2.enumerated() {
            try context.checkCancellation()
            // The remaining budget, shared evenly among the remaining σ² values.
            let elapsed = start.duration(to: clock.now)
            let used = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            let share = max(0, r.maxSeconds - used) / Double(r.sigma2.count - index)
            let trained: TrainingResult
            do {
                trained = try trainNetwork(architecture(sigma2: BigFloat(s, precision: 53).doubleValue()), data: trainingSet,
                                           optimizer: r.optimizer, learningRate: r.resolvedLearningRate, steps: r.steps,
                                           recordEvery: r.recordEvery, track: r.track, seed: r.seed, maxSeconds: share) { step in
                    context.report(.init("ntk train: σ² = \(s.displayText), step \(step)/\(r.steps)", done: step, total: r.steps))
                }
            } catch let e as TrainingDataError {
                throw ExperimentError.invalidRequest(e.description)
            } catch {
                throw ExperimentError.invalidRequest("\(error)")
            }
            runs.append(TrainResult.Run(sigma2: s, trained))
        }
        return TrainResult(request: r, inputs: trainingSet.count, inputDimension: trainingSet.dimension, runs: runs)
    }
}
