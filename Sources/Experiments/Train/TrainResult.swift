import MonteCarlo
import Multiprecision
import NTKOutput

/// The result of `TrainRequest` (schema `ntk.train`): per σ², the recorded steps of its network.
public struct TrainResult: ExperimentResult, Equatable {
    public static let schemaName = "ntk.train"
    public static let schemaVersion = 1

    /// One recorded step.
    public struct Record: Sendable, Equatable, Codable {
        /// Optimizer steps done (0 = initialisation).
        public var step: Int
        /// (1/2N)Σ(f(x_a) − y_a)² over the training set.
        public var loss: Double
        /// ‖Θ_t − Θ_0‖_F/‖Θ_0‖_F on the tracked inputs.
        public var relativeKernelChange: Double
        /// Kernel–target alignment yᵀΘ_t y/(‖Θ_t‖_F‖y‖²) on the tracked inputs.
        public var alignment: Double

        public init(step: Int, loss: Double, relativeKernelChange: Double, alignment: Double) {
            self.step = step
            self.loss = loss
            self.relativeKernelChange = relativeKernelChange
            self.alignment = alignment
        }
    }

    /// The training of one σ²'s network.
    public struct Run: Sendable, Equatable, Codable {
        public var sigma2: BigRational
        /// The learning rate used (NaN when the time budget ended the run before Θ_0).
        public var learningRate: Double
        /// Mean of Θ_0(x_a, x_a) over the training inputs.
        public var initialMeanDiagonal: Double
        public var parameterCount: Int
        /// The records, stopping at the last one completed.
        public var records: [Record]
        /// The loss or the kernel stopped being finite; the records stop there.
        public var diverged: Bool
        /// `.timeBudget` when `maxSeconds` ended the run before the last step.
        public var stoppedBy: MonteCarloStopReason
        public var seconds: Double

        public init(sigma2: BigRational, _ trained: TrainingResult) {
            self.sigma2 = sigma2
            learningRate = trained.learningRate
            initialMeanDiagonal = trained.initialMeanDiagonal
            parameterCount = trained.parameterCount
            records = trained.records.map {
                Record(step: $0.step, loss: $0.loss, relativeKernelChange: $0.relativeKernelChange, alignment: $0.alignment)
            }
            diverged = trained.diverged
            stoppedBy = trained.stoppedBy
            seconds = trained.wallSeconds
        }
    }

    public var schema: SchemaStamp = Self.stamp
    public var width: Int
    public var depth: Int
    public var inputDimension: Int
    public var trainableBiases: Bool
    public var optimizer: TrainingOptimizer
    /// Training inputs.
    public var inputs: Int
    public var steps: Int
    public var seed: UInt64
    /// One per σ², in the request's order.
    public var runs: [Run]

    public init(request: TrainRequest, inputs: Int, inputDimension: Int, runs: [Run]) {
        width = request.width
        depth = request.depth
        self.inputDimension = inputDimension
        trainableBiases = request.trainableBiases
        optimizer = request.optimizer
        self.inputs = inputs
        steps = request.steps
        seed = request.seed
        self.runs = runs
    }
}

/// Reals that are not finite (a diverged loss, a rate never set) are written as null and read
/// back as NaN.
extension TrainResult {
    enum CodingKeys: String, CodingKey {
        case schema, width, depth, inputDimension = "input_dim", trainableBiases = "biases", optimizer, inputs, steps, seed, runs
    }
}

extension TrainResult.Record {
    enum CodingKeys: String, CodingKey { case step, loss, relativeKernelChange = "ntk_rel_change", alignment }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(step: try c.decode(Int.self, forKey: .step), loss: try c.decodeReal(.loss),
                  relativeKernelChange: try c.decodeReal(.relativeKernelChange), alignment: try c.decodeReal(.alignment))
    }
}

/// σ² is written as the JSON contract writes an exact parameter: the number (17 significant
/// digits where it does not terminate) beside `sigma2_exact`, the rational.
extension TrainResult.Run {
    enum CodingKeys: String, CodingKey {
        case sigma2, sigma2Exact = "sigma2_exact", learningRate = "learning_rate", initialMeanDiagonal = "initial_mean_diagonal"
        case parameterCount = "parameters", records, diverged, stoppedBy = "stopped_by", seconds
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(JSONValue.number(LegacyJSON.decimalNumber(sigma2)), forKey: .sigma2)
        try c.encode(sigma2.fractionString, forKey: .sigma2Exact)
        try c.encode(learningRate, forKey: .learningRate)
        try c.encode(initialMeanDiagonal, forKey: .initialMeanDiagonal)
        try c.encode(parameterCount, forKey: .parameterCount)
        try c.encode(records, forKey: .records)
        try c.encode(diverged, forKey: .diverged)
        // Named as every document names the budget that ended a run.
        try c.encode(stoppedBy.label, forKey: .stoppedBy)
        try c.encode(seconds, forKey: .seconds)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        sigma2 = try BigRational(parsing: try c.decode(String.self, forKey: .sigma2Exact))
        learningRate = try c.decodeReal(.learningRate)
        initialMeanDiagonal = try c.decodeReal(.initialMeanDiagonal)
        parameterCount = try c.decode(Int.self, forKey: .parameterCount)
        records = try c.decode([TrainResult.Record].self, forKey: .records)
        diverged = try c.decode(Bool.self, forKey: .diverged)
        let stop = try c.decode(String.self, forKey: .stoppedBy)
        guard let reason = MonteCarloStopReason(label: stop) ?? MonteCarloStopReason(rawValue: stop) else {
            throw JSONValueDecoder.Failure(path: "runs.stopped_by", reason: "not a budget: \(stop)")
        }
        stoppedBy = reason
        seconds = try c.decodeReal(.seconds)
    }
}

extension KeyedDecodingContainer {
    /// A double that may have been written as null (not finite).
    func decodeReal(_ key: Key) throws -> Double { try decodeIfPresent(Double.self, forKey: key) ?? .nan }
}
