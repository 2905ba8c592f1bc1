import Foundation

/// How `trainNetwork` updates the parameters.
public enum TrainingOptimizer: String, Sendable, Hashable, CaseIterable, Codable {
    /// Full-batch gradient descent.
    case gd
    /// Adam with the standard constants (`Adam`).
    case adam
}

/// The learning rate of a training run: absolute, or relative to the initial kernel.
public enum TrainingLearningRate: Sendable, Hashable {
    /// η itself.
    case absolute(Double)
    /// η = c / (mean of Θ_0(x_a, x_a) over the training inputs): for the loss
    /// `(1/2N)Σ(f − y)²` the linearised dynamics `ḟ = −(η/N)Θ(f − y)` then have
    /// `η·λ_max(Θ/N) ≤ c`, so c < 2 is stable to first order, whatever the phase.
    case relativeToKernel(Double)
}

/// One recorded point of a training run.
public struct TrainingRecord: Sendable, Hashable {
    /// Optimizer steps done (0 = initialisation).
    public var step: Int
    /// `(1/2N) Σ (f(x_a) − y_a)²` over the training set.
    public var loss: Double
    /// `‖Θ_t − Θ_0‖_F / ‖Θ_0‖_F` on the tracked inputs.
    public var relativeKernelChange: Double
    /// Kernel–target alignment of `Θ_t` on the tracked inputs.
    public var alignment: Double
}

/// The outcome of `trainNetwork`.
public struct TrainingResult: Sendable, Hashable {
    /// The learning rate actually used.
    public var learningRate: Double
    /// Mean of `Θ_0(x_a, x_a)` over the training inputs.
    public var initialMeanDiagonal: Double
    public var records: [TrainingRecord]
    /// Whether the loss or the kernel stopped being finite (the run stops there).
    public var diverged: Bool
    public var parameterCount: Int
    public var wallSeconds: Double
    /// `.timeBudget` when the time budget ended the run before `steps` (the records stop at
    /// the last one completed; a step in progress is abandoned and never recorded).
    public var stoppedBy: MonteCarloStopReason = .sampleBudget
}

/// Trains network number 0 of `seed` (an `ExplicitNetwork` of `architecture`; its `inputNorm2`
/// plays no role) on `data` by `optimizer` for `steps` full-batch steps on the loss
/// `(1/2N) Σ_a (f(x_a) − y_a)²`, recording the loss, the relative change of the empirical NTK
/// matrix of the first `track` inputs since initialisation and its alignment with their
/// targets at step 0, every `recordEvery` steps and at the end. Deterministic: a function of
/// its arguments only. Throws when the data's dimension is not the network's n0.
///
/// Time budget: with `maxSeconds` set, the run stops once that many seconds have passed,
/// checked layer by layer inside every pass (`DeadlineMeter`) and after every gradient; the
/// step in progress is abandoned, and the records are those completed before it (a prefix of
/// the unbounded run's records), with `stoppedBy = .timeBudget`.
public func trainNetwork(
    _ architecture: SimulatedArchitecture, data: TrainingSet, optimizer kind: TrainingOptimizer,
    learningRate: TrainingLearningRate, steps: Int, recordEvery: Int, track: Int, seed: UInt64,
    maxSeconds: Double? = nil, progress: ((Int) -> Void)? = nil
) throws -> TrainingResult {
    guard data.dimension == architecture.inputDimension else {
        throw TrainingDataError("the data have dimension \(data.dimension) but the network's input dimension is \(architecture.inputDimension)")
    }
    guard steps >= 0, recordEvery >= 1, track >= 1 else { throw TrainingDataError("steps ≥ 0, record interval ≥ 1, tracked inputs ≥ 1") }
    let clock = ContinuousClock(), start = clock.now
    var meter = DeadlineMeter(maxSeconds.map { SampleDeadline(secondsFromNow: $0) } ?? .never)
    func seconds() -> Double {
        let elapsed = clock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }
    var network = try ExplicitNetwork(architecture: architecture, seed: seed, sample: 0)
    let n = data.count, tracked = min(track, n)
    let pass = NetworkPass(layerWidths: network.layerWidths, batchCapacity: n)
    let trackPass = NetworkPass(layerWidths: network.layerWidths, batchCapacity: tracked)
    for a in 0..<n { pass.setInput(a, data.input(a)) }
    for a in 0..<tracked { trackPass.setInput(a, data.input(a)) }
    let trackedTargets = Array(data.targets[0..<tracked])

    guard pass.compute(network, batch: n, meter: &meter) else {
        return TrainingResult(learningRate: .nan, initialMeanDiagonal: .nan, records: [], diverged: false,
                              parameterCount: network.parameterCount, wallSeconds: seconds(), stoppedBy: .timeBudget)
    }
    var diagonal = 0.0
    for a in 0..<n { diagonal += pass.ntk(a, a) }
    diagonal /= Double(n)
    let eta: Double
    switch learningRate {
    case .absolute(let value): eta = value
    case .relativeToKernel(let c): eta = c / diagonal
    }
    guard eta.isFinite, eta > 0 else { throw TrainingDataError("the learning rate is not a positive finite number (Θ_0 = \(diagonal))") }
    var optimizer: any FlatOptimizer = kind == .gd
        ? GradientDescent(parameterCount: network.parameterCount, learningRate: eta)
        : Adam(parameterCount: network.parameterCount, learningRate: eta)

    trackPass.compute(network, batch: tracked)
    let initialKernel = trackPass.ntkMatrix()
    var records: [TrainingRecord] = []
    var diverged = false, stoppedByTime = false
    var update = [Double](repeating: 0, count: network.parameterCount)
    var gradient = update
    for step in 0...steps {
        // `pass` holds the forward and backward pass of the current parameters.
        let outputs = (0..<n).map(pass.output)
        let loss = KernelTrainingMeasures.loss(outputs: outputs, targets: data.targets)
        if step % recordEvery == 0 || step == steps || !loss.isFinite {
            guard trackPass.compute(network, batch: tracked, meter: &meter) else { stoppedByTime = true; break }
            let kernel = trackPass.ntkMatrix()
            let record = TrainingRecord(step: step, loss: loss,
                                        relativeKernelChange: KernelTrainingMeasures.relativeChange(current: kernel, initial: initialKernel),
                                        alignment: KernelTrainingMeasures.alignment(kernel: kernel, targets: trackedTargets))
            records.append(record)
            progress?(step)
            if !(loss.isFinite && record.relativeKernelChange.isFinite) { diverged = true; break }
        }
        if step == steps { break }
        pass.weightedGradient(network, weights: (0..<n).map { (outputs[$0] - data.targets[$0]) / Double(n) }, into: &gradient)
        if meter.expired(after: network.parameterCount * n) { stoppedByTime = true; break }
        gradient.withUnsafeBufferPointer { g in update.withUnsafeMutableBufferPointer { optimizer.update(gradient: g, into: $0) } }
        try network.update(along: update, step: 1)
        guard pass.compute(network, batch: n, meter: &meter) else { stoppedByTime = true; break }
    }
    return TrainingResult(learningRate: eta, initialMeanDiagonal: diagonal, records: records, diverged: diverged,
                          parameterCount: network.parameterCount, wallSeconds: seconds(),
                          stoppedBy: stoppedByTime ? .timeBudget : .sampleBudget)
}
