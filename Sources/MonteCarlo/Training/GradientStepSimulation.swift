import Foundation

/// One gradient-descent step on `½(f(x) − y)²` in sampled networks (derivations/12-gradient-steps.md):
/// for network number `s` (an `ExplicitNetwork`, a pure function of (architecture, seed, s)),
/// at the input `x = (√‖x‖², 0, …, 0)`,
///
///     θ' = θ − η (f − y) ∇f,   ΔΘ = Θ_{θ'}(x, x) − Θ_θ(x, x),
///
/// for each learning rate η of a sweep, together with the fixed-pattern derivative
/// `Q = ⟨∇Θ, ∇f⟩` (`FixedPatternTangent`), so that `ΔΘ/η = −(f − y)Q + kink + O(η)`.
/// With a correlation ρ, also the change of `Θ(x, x′)` for `x′ = √‖x‖² (ρ, √(1−ρ²), 0, …)`
/// (needs n0 ≥ 2 unless |ρ| = 1).
public struct GradientStepExperiment: Sendable, Hashable {
    public let architecture: SimulatedArchitecture
    /// The absolute learning rates η of the sweep (each > 0).
    public let learningRates: [Double]
    /// The target y.
    public let target: Double
    /// ρ of the second input, or nil for the diagonal only.
    public let correlation: Double?

    public init(architecture: SimulatedArchitecture, learningRates: [Double], target: Double, correlation: Double?) throws {
        guard !learningRates.isEmpty, learningRates.allSatisfy({ $0.isFinite && $0 > 0 }) else {
            throw TrainingDataError("every learning rate must be a positive finite number")
        }
        guard target.isFinite else { throw TrainingDataError("the target must be finite") }
        if let rho = correlation {
            guard rho.isFinite, abs(rho) <= 1 else { throw TrainingDataError("the correlation must lie in [−1, 1]") }
            guard architecture.inputDimension >= 2 || abs(rho) == 1 else {
                throw TrainingDataError("a second input at correlation |ρ| < 1 needs input dimension n0 ≥ 2")
            }
        }
        self.architecture = architecture
        self.learningRates = learningRates
        self.target = target
        self.correlation = correlation
    }

    /// Per-sample quantities, in the order of `GradientStepStatistics`.
    static let fixedQuantities = 4      // Θ, fQ, Q, (f−y)Q
    static let perRate = 4              // ΔΘ/η, |ΔΘ|/Θ, kink, crossed
    static let offFixed = 2             // Θ(x,x′), Q′ = Θ̇(x,x′)
    static let offPerRate = 2           // ΔΘ′/η, kink′

    var quantityCount: Int {
        Self.fixedQuantities + Self.perRate * learningRates.count
            + (correlation == nil ? 0 : Self.offFixed + Self.offPerRate * learningRates.count)
    }

    var inputs: [[Double]] {
        let n0 = architecture.inputDimension, r = architecture.inputNorm2.squareRoot()
        var x = [Double](repeating: 0, count: n0)
        x[0] = r
        guard let rho = correlation else { return [x] }
        var x2 = [Double](repeating: 0, count: n0)
        x2[0] = r * rho
        if n0 >= 2 { x2[1] = r * max(0, 1 - rho * rho).squareRoot() }
        return [x, x2]
    }

    /// Scratch for one thread: the network (redrawn for every sample) and two passes of the architecture.
    final class Scratch {
        let before: NetworkPass, after: NetworkPass
        var network: ExplicitNetwork
        init(_ architecture: SimulatedArchitecture, batch: Int) {
            before = NetworkPass(layerWidths: architecture.layerWidths, batchCapacity: batch)
            after = NetworkPass(layerWidths: architecture.layerWidths, batchCapacity: batch)
            network = try! ExplicitNetwork(zeroed: architecture)  // validated architecture
        }
    }

    /// The quantities of network `sample`, or nil when abandoned once `meter`'s deadline is seen to have
    /// passed: checked layer by layer while the network is drawn and in every pass, and
    /// between the gradient, the tangent and the steps (each about one pass of work).
    func measure(sample: Int, seed: UInt64, scratch: Scratch, meter: inout DeadlineMeter) -> [Double]? {
        guard scratch.network.reinitialize(seed: seed, sample: sample, meter: &meter) else { return nil }
        let network = scratch.network
        let xs = inputs
        for (a, x) in xs.enumerated() {
            scratch.before.setInput(a, x)
            scratch.after.setInput(a, x)
        }
        let pass = scratch.before
        guard pass.compute(network, batch: xs.count, meter: &meter) else { return nil }
        let theta = pass.ntk(0, 0), f = pass.output(0), residual = f - target
        var gradient: [Double] = []
        pass.weightedGradient(network, weights: xs.count == 1 ? [1] : [1, 0], into: &gradient)
        if meter.expired(after: network.parameterCount * xs.count) { return nil }
        let tangent = pass.fixedPatternTangent(network, direction: gradient)
        if meter.expired(after: 4 * network.parameterCount * xs.count) { return nil }
        let q = tangent.kernel[0]
        var values = [theta, f * q, q, residual * q]
        var offDiagonal: [Double] = []
        var thetaOff = 0.0, qOff = 0.0
        if correlation != nil {
            thetaOff = pass.ntk(0, 1)
            qOff = tangent.kernel[1]
            offDiagonal = [thetaOff, f * qOff]
        }
        var offPerRate: [Double] = []
        for eta in learningRates {
            let stepped = try! network.updated(along: gradient, step: -eta * residual)
            guard scratch.after.compute(stepped, batch: xs.count, meter: &meter) else { return nil }
            let delta = scratch.after.ntk(0, 0) - theta
            let crossed = scratch.after.samePatterns(0, as: pass, 0) ? 0.0 : 1.0
            // A dead network without biases has Θ = 0 before and after the step: no relative change.
            values += [delta / eta, delta == 0 ? 0 : abs(delta) / theta, delta / eta + residual * q, crossed]
            if correlation != nil {
                let deltaOff = scratch.after.ntk(0, 1) - thetaOff
                offPerRate += [deltaOff / eta, deltaOff / eta + residual * qOff]
            }
        }
        return values + offDiagonal + offPerRate
    }
}

/// The accumulated statistics of a gradient-step run, with named accessors.
public struct GradientStepStatistics: MonteCarloStatistic, Codable, Hashable {
    public private(set) var means = VectorMeans()
    public var count: Int { means.count }

    public init() {}
    init(means: VectorMeans) { self.means = means }

    public mutating func merge(_ other: GradientStepStatistics) { means.merge(other.means) }

    public typealias Estimate = (mean: Double, standardError: Double)
    func estimate(_ i: Int) -> Estimate { (means.mean(i), means.standardError(i)) }

    /// `E[Θ(x,x)]` at initialisation.
    public var theta: Estimate { estimate(0) }
    /// `E[f Q]`, whose exact value the recursion of derivations/11 gives.
    public var fQ: Estimate { estimate(1) }
    /// `E[Q]` (0 by the sign symmetry `W^L → −W^L`).
    public var q: Estimate { estimate(2) }
    /// `E[(f − y) Q]`: minus the smooth part of `ΔΘ/η`.
    public var residualQ: Estimate { estimate(3) }

    /// For rate number `k` of the sweep: `E[ΔΘ]/η`, `E[|ΔΘ|/Θ]`, the kink part
    /// `E[ΔΘ/η + (f − y)Q]`, and the fraction of networks in which some unit crossed zero.
    public func step(_ k: Int) -> (deltaOverEta: Estimate, relativeAbsoluteChange: Estimate, kink: Estimate, crossingFraction: Estimate) {
        let base = GradientStepExperiment.fixedQuantities + GradientStepExperiment.perRate * k
        return (estimate(base), estimate(base + 1), estimate(base + 2), estimate(base + 3))
    }

    /// Off-diagonal element `Θ(x, x′)` (with `rates` learning rates in the run): its mean, `E[f Q′]`.
    public func offDiagonal(rates: Int) -> (theta: Estimate, fQ: Estimate)? {
        let base = GradientStepExperiment.fixedQuantities + GradientStepExperiment.perRate * rates
        guard means.dimension > base else { return nil }
        return (estimate(base), estimate(base + 1))
    }

    /// Off-diagonal change for rate `k`: `E[ΔΘ(x,x′)]/η` and its kink part.
    public func offDiagonalStep(_ k: Int, rates: Int) -> (deltaOverEta: Estimate, kink: Estimate)? {
        let base = GradientStepExperiment.fixedQuantities + GradientStepExperiment.perRate * rates
            + GradientStepExperiment.offFixed + GradientStepExperiment.offPerRate * k
        guard means.dimension > base + 1 else { return nil }
        return (estimate(base), estimate(base + 1))
    }
}

extension GradientStepExperiment {
    /// Networks per block of `simulateGradientSteps` (shards start at multiples of it): about
    /// 2²² weights, a fraction of a second each, so time budgets are honoured.
    public var samplesPerBlock: Int {
        max(1, min(256, (1 << 22) / max(1, architecture.weightsPerNetwork * (2 + learningRates.count))))
    }
}

/// Runs `experiment` on networks `firstSample ..< firstSample + samples` of `seed`, with the
/// reproducibility contract of `simulate`: bit-identical for every thread count, a time budget
/// stops at a prefix of the samples, and shards (`firstSample`) merge into the unsharded result
/// when merged in sample order.
public func simulateGradientSteps(
    _ experiment: GradientStepExperiment, samples: Int, firstSample: Int = 0, maxSeconds: Double? = nil, seed: UInt64,
    threads: Int = 1, progress: ((Int) -> Void)? = nil, isCancelled: (@Sendable () -> Bool)? = nil
) -> BlockedRunResult<GradientStepStatistics> {
    let blockSize = experiment.samplesPerBlock
    let batch = experiment.correlation == nil ? 1 : 2
    return runBlocks(samples: samples, blockSize: blockSize, maxSeconds: maxSeconds, threads: threads, progress: progress,
                     isCancelled: isCancelled) { deadline in
        let scratch = GradientStepExperiment.Scratch(experiment.architecture, batch: batch)
        return { (range: Range<Int>) -> GradientStepStatistics? in
            var means = VectorMeans()
            var meter = DeadlineMeter(deadline)
            for s in range {
                guard let values = experiment.measure(sample: firstSample + s, seed: seed, scratch: scratch, meter: &meter) else { return nil }
                means.add(values)
            }
            return GradientStepStatistics(means: means)
        }
    }
}
