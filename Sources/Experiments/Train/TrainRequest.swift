import MonteCarlo
import Multiprecision

/// `ntk train`: one explicit network (sample 0 of `seed`) per σ² of `sigma2`, of width M and
/// depth L, trained by full-batch gradient descent or Adam on the loss (1/2N)Σ(f(x_a) − y_a)²,
/// recording at step 0, every `recordEvery` steps and at the end the loss, the relative change
/// ‖Θ_t − Θ_0‖_F/‖Θ_0‖_F of the empirical NTK of the first `track` inputs and its alignment
/// with their targets. Deterministic for a given seed; `maxSeconds` is shared among the σ².
public struct TrainRequest: Experiment, Equatable {
    /// Hidden width M.
    public var width: Int
    /// Depth L, the number of weight layers.
    public var depth: Int
    /// Input dimension n0 of a synthetic set (default M; given examples fix it).
    public var inputDimension: Int?
    public var trainableBiases: Bool
    /// One network per value, in this order.
    public var sigma2: [BigRational]
    public var dataset: TrainDataset
    /// Training inputs: the size of a synthetic set, the first this many given examples.
    public var trainSize: Int?
    /// The NTK matrix is tracked on the first this many training inputs.
    public var track: Int
    public var steps: Int
    public var recordEvery: Int
    public var optimizer: TrainingOptimizer
    /// Absolute learning rate η (default 1e-2 for gd, 1e-3 for adam).
    public var learningRate: Double?
    /// η = c/mean Θ_0(x_a, x_a) instead of an absolute rate (c < 2 is stable to first order).
    public var learningRateScale: Double?
    /// The time budget of all σ² together.
    public var maxSeconds: Double
    public var seed: UInt64

    public static let widthRange = 1...100_000
    public static let depthRange = 1...10_000
    public static let inputDimensionRange = 1...100_000
    public static let trainSizeRange = 1...100_000
    public static let trackRange = 1...2_000
    public static let stepsRange = 0...10_000_000
    public static let recordEveryRange = 1...10_000_000
    public static let maximumSigma2Values = 12
    public static let maximumSigma2 = BigRational(1000)
    public static let maximumLearningRate = BigRational(1_000_000)
    /// One year.
    public static let maximumSeconds = BigRational(exactly: RunTimeLimit.maximumSeconds)!
    public static let defaultMaxSeconds = 600.0
    /// Every weight is stored (with its gradient, update and optimizer state).
    public static let maximumParameters = 20_000_000
    /// parameters × inputs × (steps + 1) × σ² values: a bound on the multiply–adds.
    public static let maximumWork = 1e13

    public init(width: Int = 100, depth: Int = 20, inputDimension: Int? = nil, trainableBiases: Bool = true,
                sigma2: [BigRational] = [1, 2, BigRational(11, 5)], dataset: TrainDataset = .sphereTeacher, trainSize: Int? = nil,
                track: Int = 20, steps: Int = 200, recordEvery: Int = 10, optimizer: TrainingOptimizer = .gd,
                learningRate: Double? = nil, learningRateScale: Double? = nil, maxSeconds: Double = TrainRequest.defaultMaxSeconds,
                seed: UInt64 = 1) {
        self.width = width
        self.depth = depth
        self.inputDimension = inputDimension
        self.trainableBiases = trainableBiases
        self.sigma2 = sigma2
        self.dataset = dataset
        self.trainSize = trainSize
        self.track = track
        self.steps = steps
        self.recordEvery = recordEvery
        self.optimizer = optimizer
        self.learningRate = learningRate
        self.learningRateScale = learningRateScale
        self.maxSeconds = maxSeconds
        self.seed = seed
    }

    enum CodingKeys: String, CodingKey {
        case width, depth, inputDimension = "input_dim", trainableBiases = "biases", sigma2, dataset, trainSize = "train_size", track, steps
        case recordEvery = "record_every", optimizer, learningRate = "learning_rate", learningRateScale = "learning_rate_scale"
        case maxSeconds = "max_seconds", seed
    }

    /// Range and consistency checks, with the command line's messages (its parser checks
    /// syntax only).
    public func check() throws {
        try RequestRange.integer("--width", width, Self.widthRange)
        try RequestRange.integer("--depth", depth, Self.depthRange)
        try RequestRange.integer("--input-dim", inputDimension, Self.inputDimensionRange)
        try RequestRange.integer("--train-size", trainSize, Self.trainSizeRange)
        try RequestRange.integer("--track", track, Self.trackRange)
        try RequestRange.integer("--steps", steps, Self.stepsRange)
        try RequestRange.integer("--record-every", recordEvery, Self.recordEveryRange)
        guard !sigma2.isEmpty else { throw ExperimentError.invalidRequest("--sigma2: at least one value") }
        guard sigma2.count <= Self.maximumSigma2Values else {
            throw ExperimentError.invalidRequest("--sigma2: at most \(Self.maximumSigma2Values) values")
        }
        for s in sigma2 { try RequestRange.positive("--sigma2", s, text: s.displayText, maximum: Self.maximumSigma2) }
        if learningRate != nil && learningRateScale != nil {
            throw ExperimentError.invalidRequest("give --learning-rate (absolute η) or --learning-rate-scale (η = c/mean Θ_0), not both")
        }
        if let eta = learningRate { try RequestRange.positive("--learning-rate", eta, maximum: Self.maximumLearningRate) }
        if let c = learningRateScale { try RequestRange.positive("--learning-rate-scale", c, maximum: Self.maximumLearningRate) }
        if case .examples = dataset, inputDimension != nil {
            throw ExperimentError.invalidRequest("--input-dim is fixed by the columns of --data")
        }
        try RequestRange.positive("--max-seconds", maxSeconds, maximum: Self.maximumSeconds)
    }

    /// The widths of the hidden layers: L − 1 layers of M.
    public var hiddenWidths: [Int] { depth > 1 ? Array(repeating: width, count: depth - 1) : [] }

    /// The trained parameters of the network on inputs of dimension n0: the weights
    /// n0·M + (L − 2)·M² + M (one output), and with trainable biases one per unit, (L − 1)·M + 1.
    public func parameterCount(inputDimension n0: Int) -> Double {
        let widths = [n0] + hiddenWidths + [1]
        let weights = zip(widths, widths.dropFirst()).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        return weights + (trainableBiases ? widths.dropFirst().reduce(0.0) { $0 + Double($1) } : 0)
    }

    /// The learning rate: `learningRate`, `learningRateScale` relative to the kernel, or the
    /// optimizer's default.
    public var resolvedLearningRate: TrainingLearningRate {
        if let learningRate { return .absolute(learningRate) }
        if let learningRateScale { return .relativeToKernel(learningRateScale) }
        return .absolute(optimizer == .adam ? 1e-3 : 1e-2)
    }

    /// Checks the request, refuses it when it is too large, and trains every network.
    public func run(_ context: ExperimentContext) throws -> TrainResult {
        let experiment = try TrainExperiment(self)
        _ = try experiment.costNote()
        return try experiment.run(context)
    }
}
