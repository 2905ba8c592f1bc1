import Foundation
import Testing
import MonteCarlo
import Multiprecision
import NTKOutput
@testable import Experiments

@Suite("Train experiment")
struct TrainExperimentTests {
    func refusal(_ request: TrainRequest) -> ExperimentError? {
        do { _ = try TrainExperiment(request).costNote(); return nil } catch let e as ExperimentError { return e } catch { return nil }
    }

    /// A small request: width 4, depth 3, 6 inputs of dimension 3, 4 steps.
    func small(depth: Int = 3, biases: Bool = true, dataset: TrainDataset = .sphereTeacher) -> TrainRequest {
        TrainRequest(width: 4, depth: depth, inputDimension: dataset == .sphereTeacher || dataset == .gaussianMixture ? 3 : nil,
                     trainableBiases: biases, sigma2: [2], dataset: dataset, trainSize: 6, track: 4, steps: 4, recordEvery: 2)
    }

    @Test("check(): the command line's ranges and messages")
    func checks() throws {
        func refused(_ change: (inout TrainRequest) -> Void) -> String? {
            var r = small()
            change(&r)
            return refusal(r)?.description
        }
        #expect(refused { $0.width = 0 } == "--width '0' is out of range: an integer from 1 to 100000")
        #expect(refused { $0.depth = 10_001 } == "--depth '10001' is out of range: an integer from 1 to 10000")
        #expect(refused { $0.track = 0 } == "--track '0' is out of range: an integer from 1 to 2000")
        #expect(refused { $0.steps = -1 } == "--steps '-1' is out of range: an integer from 0 to 10000000")
        #expect(refused { $0.recordEvery = 0 } == "--record-every '0' is out of range: an integer from 1 to 10000000")
        #expect(refused { $0.sigma2 = Array(repeating: 2, count: 13) } == "--sigma2: at most 12 values")
        #expect(refused { $0.sigma2 = [] } == "--sigma2: at least one value")
        #expect(refused { $0.sigma2 = [-1] }?.hasPrefix("--sigma2 '-1' is out of range: must be positive") == true)
        #expect(refused { $0.sigma2 = [1001] } == "--sigma2 '1001' is out of range: at most 1000")
        #expect(refused { $0.learningRate = 0 }?.hasPrefix("--learning-rate '0.0' is out of range: must be positive") == true)
        #expect(refused { ($0.learningRate, $0.learningRateScale) = (1, 1) }
                == "give --learning-rate (absolute η) or --learning-rate-scale (η = c/mean Θ_0), not both")
        let examples = try TrainingSet(dimension: 2, inputs: [1, 0, 0, 1], targets: [1, -1])
        #expect(refused { ($0.dataset, $0.inputDimension) = (.examples(examples), 2) } == "--input-dim is fixed by the columns of --data")
        #expect(refused { $0.maxSeconds = 0 }?.contains("--max-seconds") == true)
        guard case .tooExpensive(let message)? = refusal(TrainRequest(width: 5000, depth: 1000)) else {
            Issue.record("a network of 25·10⁹ parameters was accepted"); return
        }
        #expect(message.contains("at most 20000000 parameters"))
        #expect(refusal(small()) == nil)
    }

    @Test("the parameter count, by hand: weights n0·M + (L−2)·M² + M, biases (L−1)·M + 1; and the trained network's")
    func parameterCount() throws {
        // n0 = 3, M = 4, L = 3: weights 12 + 16 + 4 = 32, biases 4 + 4 + 1 = 9.
        #expect(small().parameterCount(inputDimension: 3) == 41)
        #expect(small(biases: false).parameterCount(inputDimension: 3) == 32)
        // L = 1: one output unit on 3 inputs, and its bias.
        #expect(small(depth: 1).parameterCount(inputDimension: 3) == 4)
        for request in [small(), small(biases: false), small(depth: 1)] {
            let result = try request.run(.silent)
            #expect(Double(result.runs[0].parameterCount) == request.parameterCount(inputDimension: 3))
        }
    }

    @Test("sphere-teacher: every input on the sphere of the requested radius, targets of unit mean square")
    func sphereTeacher() throws {
        let set = try SphereTeacherDataset.make(count: 25, dimension: 7, seed: 3, inputNorm2: 2.5)
        #expect(set.count == 25 && set.dimension == 7)
        for a in 0..<set.count {
            let norm2 = set.input(a).reduce(0) { $0 + $1 * $1 }
            #expect(abs(norm2 - 2.5) < 1e-12, "input \(a): ‖x‖² = \(norm2)")
        }
        #expect(abs(set.targets.reduce(0) { $0 + $1 * $1 } / 25 - 1) < 1e-12)
        // The request's set: the unit sphere, 100 inputs unless told otherwise.
        let unit = try TrainDataset.sphereTeacher.trainingSet(count: nil, dimension: 5, seed: 9)
        #expect(unit.count == 100 && (0..<100).allSatisfy { abs(unit.input($0).reduce(0) { $0 + $1 * $1 } - 1) < 1e-12 })
        // Given examples: the first train-size rows.
        let examples = try TrainingSet(dimension: 2, inputs: [1, 0, 0, 1, 1, 1], targets: [1, -1, 0])
        #expect(try TrainDataset.examples(examples).trainingSet(count: 2, dimension: 9, seed: 1) == examples.prefix(2))
    }

    @Test("depth 1 (a linear model): Θ(x, x) = ‖x‖² + 1 on the unit sphere, and it never changes in training")
    func linearModel() throws {
        var request = small(depth: 1)
        request.learningRateScale = 0.5
        let run = try #require(try request.run(.silent).runs.first)
        #expect(abs(run.initialMeanDiagonal - 2) < 1e-12)
        #expect(abs(run.learningRate * run.initialMeanDiagonal - 0.5) < 1e-15)
        #expect(run.records.map(\.step) == [0, 2, 4] && run.stoppedBy == .sampleBudget && !run.diverged)
        #expect(run.records.allSatisfy { abs($0.relativeKernelChange) < 1e-12 })
        // Gradient descent at a stable rate lowers the loss.
        #expect(run.records[2].loss < run.records[0].loss)
    }

    @Test("a request (with given examples) and its result survive the JSON text; the result carries the stamp")
    func roundTrip() throws {
        let examples = try TrainingSet(dimension: 2, inputs: [1, 0.5, -0.25, 1, 2, 2], targets: [1, -1, 0.5])
        var request = small(dataset: .examples(examples))
        request.sigma2 = [1, BigRational(11, 5)]
        request.optimizer = .adam
        request.seed = .max
        let requestText = try JSONValueEncoder().encode(request).serialized()
        #expect(try JSONValueDecoder().decode(TrainRequest.self, from: try JSONParser().parse(requestText)) == request)
        let result = try request.run(.silent)
        #expect(result.schema == TrainResult.stamp && result.runs.map(\.sigma2) == request.sigma2 && result.inputs == 3)
        let text = try JSONValueEncoder().encode(result).serialized()
        let back = try JSONValueDecoder().decode(TrainResult.self, from: try JSONParser().parse(text))
        #expect(try JSONValueEncoder().encode(back).serialized() == text)
    }

    @Test("a cancelled context stops the run")
    func cancelled() throws {
        let context = ExperimentContext()
        context.cancel()
        #expect(throws: ExperimentError.cancelled) { try small().run(context) }
    }
}
