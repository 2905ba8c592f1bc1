import Foundation

/// What a Monte Carlo run is estimated to cost before it starts: the seconds one sample takes
/// on one thread, the threads that share the samples, and the memory held at once.
public struct SamplingCost: Sendable, Hashable {
    /// Wall seconds of one sample (one network, one training step, one reduced-model draw) on
    /// one thread.
    public var secondsPerSample: Double
    /// How many samples run at the same time: the threads, at most the cores and the blocks.
    public var parallelism: Double
    /// Bytes the run holds at once, over all threads (network weights, activations, scratch).
    public var bytes: Double

    public init(secondsPerSample: Double, parallelism: Double, bytes: Double) {
        self.secondsPerSample = secondsPerSample
        self.parallelism = max(1, parallelism)
        self.bytes = bytes
    }

    /// Estimated wall seconds for `samples` samples.
    public func seconds(samples: Int) -> Double { secondsPerSample * Double(samples) / parallelism }
}

/// A run that `SamplingBudget.check` refuses before it starts: one line saying why and which
/// flag (or which smaller request) would let it run.
public struct SamplingBudgetRefusal: Error, CustomStringConvertible, Sendable {
    public let description: String
}

/// The decision every long Monte Carlo command takes before it starts (the command only prints
/// it): refuse a run whose single sample is estimated to take longer than the time budget, or
/// whose memory exceeds the limit; otherwise return a one-line note with the estimate when the
/// run (capped by the budget) should take more than `noteThresholdSeconds`.
public enum SamplingBudget {
    /// Runs estimated (capped by the budget) at more than this many seconds get a note.
    public static let noteThresholdSeconds = 3.0

    /// The default memory limit: 80 % of the machine's physical memory.
    public static var defaultMemoryLimitBytes: Double { 0.8 * Double(ProcessInfo.processInfo.physicalMemory) }

    /// Refuses (throws `SamplingBudgetRefusal`) or returns the note to print (nil: stay quiet).
    /// `what` names a sample in messages ("network", "training step"); `budgetFlag` is the
    /// flag that raises `maxSeconds`; `reduce` what else makes a sample cheaper.
    public static func check(
        _ cost: SamplingCost, samples: Int, maxSeconds: Double, budgetFlag: String = "--max-seconds",
        what: String = "sample", reduce: String = "a smaller width or depth",
        memoryLimitBytes: Double = defaultMemoryLimitBytes
    ) throws -> String? {
        if cost.bytes > memoryLimitBytes {
            throw SamplingBudgetRefusal(description: "this run would hold about \(byteText(cost.bytes)) of networks in memory, more than "
                + "the limit of \(byteText(memoryLimitBytes)) (80 % of this machine's memory); use \(reduce) or fewer --threads")
        }
        if cost.secondsPerSample > maxSeconds {
            throw SamplingBudgetRefusal(description: "one \(what) would take about \(durationText(cost.secondsPerSample)) (estimated), "
                + "more than \(budgetFlag) \(numberText(maxSeconds)); raise \(budgetFlag) or use \(reduce)")
        }
        let total = cost.seconds(samples: samples)
        guard min(total, maxSeconds) > noteThresholdSeconds else { return nil }
        let ending = total > maxSeconds ? "; \(budgetFlag) \(numberText(maxSeconds)) stops it earlier" : ""
        return "estimated \(durationText(total)) for \(samples) \(what)\(samples == 1 ? "" : "s") "
            + "(\(durationText(cost.secondsPerSample)) each, \(numberText(cost.parallelism)) in parallel)\(ending)"
    }

    public static func numberText(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(format: "%.3g", x)
    }

    /// "12 ms", "3.4 s", "25 min", "7.1 h", "3.2 days", "4e+05 years".
    public static func durationText(_ seconds: Double) -> String {
        func g(_ x: Double) -> String { String(format: x < 10 ? "%.2g" : x < 1e4 ? "%.0f" : "%.2g", x) }
        if seconds < 1 { return g(seconds * 1000) + " ms" }
        if seconds < 120 { return g(seconds) + " s" }
        if seconds < 7200 { return g(seconds / 60) + " min" }
        if seconds < 172_800 { return g(seconds / 3600) + " h" }
        if seconds < 63_072_000 { return g(seconds / 86_400) + " days" }
        return g(seconds / 31_536_000) + " years"
    }

    static func byteText(_ bytes: Double) -> String {
        bytes < 1e9 ? String(format: "%.0f MB", bytes / 1e6) : String(format: bytes < 1e10 ? "%.1f GB" : "%.0f GB", bytes / 1e9)
    }
}

/// Seconds per sample and memory of each Monte Carlo sampler, from counts of the work a sample
/// does (Gaussians drawn, multiply–adds, rows, layers) times calibrated unit costs.
///
/// Calibration: the unit costs below were measured on the development machine (2 shared x86-64
/// cores, 23 GB, Swift 6.3.1, `swift build -c release`) by timing release runs of the commands
/// on one thread (`--threads 1 --format json`, the reported seconds over the samples done):
/// validate at widths 10 … 3000 and depths 5 … 100, offdiag and step at widths 30 … 2000 and
/// depths 3 … 100 (1 to 12 inputs per pass), distribution at widths 100 … 100000 and depths
/// 10 … 10000, train at widths 30 … 1000, depths 3 … 20 and 20 … 100 inputs; each constant's
/// comment gives what was fitted. `make bench` prints estimated against measured seconds over
/// a small grid (rows "cost model: …", goal within a factor 3). Other machines differ by their
/// speed; the estimates decide refusals that are far from the budget, and notes.
public enum SamplingCostModel {
    /// One standard normal (ziggurat) drawn into a reused row buffer (in cache), with its
    /// share of the dot product that consumes it (`NetworkThetaSampler`). Fitted 2.3–3 ns.
    static let secondsPerGaussian = 3.0e-9
    /// One weight drawn into a network's parameter storage and scaled (`ExplicitNetwork`):
    /// memory-bound for large networks. Measured 8.1–8.8 ns per weight for whole off-diagonal
    /// samples (draw plus a batched pass of up to 12 inputs), so the pass is charged little.
    static let secondsPerStoredWeight = 7.0e-9
    /// Setting up one row's random stream (key derivation, generator state) and its loop.
    /// Fitted 1.8e-8 s (validate, width 10, depth 100).
    static let secondsPerRow = 2.0e-8
    /// One multiply–add of a weight with one SIMD chunk (four inputs) of a batched pass, or one
    /// element of a vectorised gradient accumulation. Fitted 2.9–4.1e-10 s from `ntk train`.
    static let secondsPerVectorProduct = 3.0e-10
    /// One weight read and updated with a scalar multiply–add through arrays (fixed-pattern
    /// tangents, parameter copies and updates), or one scaled addition in the validate
    /// sampler's backward pass.
    static let secondsPerScalarProduct = 1.0e-9
    /// One layer of the reduced model: a Binomial(n, ½) and two χ² draws. Measured
    /// 1.34–1.45e-7 s for widths 100 … 100000, depths 10 … 10000.
    static let secondsPerReducedLayer = 1.4e-7
    /// Fixed cost of one sample (statistics, bookkeeping).
    static let secondsPerSampleOverhead = 2.0e-7

    /// Samples that can run at the same time.
    static func parallelism(threads: Int, samples: Int?, blockSize: Int) -> Double {
        let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)
        let blocks = samples.map { max(1, ($0 + blockSize - 1) / blockSize) } ?? Int.max
        return Double(max(1, min(threads, cores, blocks)))
    }

    /// `simulate` (`ntk validate`): `NetworkThetaSampler` draws, per hidden layer l, `n_l` rows
    /// of `k_{l−1} ≈ n_{l−1}/2` active columns (`k_0 = 1`), and in the backward pass the `k_l`
    /// active rows again (regenerated unless stored) for a scaled addition; memory per thread
    /// is the active sets (16 bytes a unit), the stored weights and three rows of scratch.
    public static func validate(_ a: SimulatedArchitecture, threads: Int, samples: Int? = nil) -> SamplingCost {
        let widths = a.layerWidths.map(Double.init)
        let depth = a.depth
        func active(_ layer: Int) -> Double { layer == 0 ? (a.inputNorm2 > 0 ? 1 : 0) : widths[layer] / 2 }
        let storableDoubles = Double(NetworkThetaSampler.defaultWeightStorageLimitBytes / MemoryLayout<Double>.stride)
        var stored = 0.0, gaussians = 0.0, products = 0.0, rows = 0.0
        for layer in 1..<max(1, depth) {
            rows += widths[layer]
            gaussians += widths[layer] * active(layer - 1)
        }
        for layer in stride(from: depth, through: 2, by: -1) {
            let rowCount = layer == depth ? 1 : active(layer)
            let size = widths[layer] * widths[layer - 1]
            let isStored = layer < depth && stored + size <= storableDoubles
            if isStored { stored += size } else { gaussians += rowCount * active(layer - 1) }
            rows += rowCount
            products += rowCount * active(layer - 1)
        }
        let seconds = gaussians * secondsPerGaussian + products * secondsPerScalarProduct + rows * secondsPerRow
            + secondsPerSampleOverhead
        let units = widths.dropLast().reduce(0, +)
        let parallel = parallelism(threads: threads, samples: samples, blockSize: a.samplesPerBlock)
        let perThread = 16 * units + 8 * stored + 24 * (widths.max() ?? 1)
        return SamplingCost(secondsPerSample: seconds, parallelism: parallel, bytes: Double(max(1, threads)) * perThread)
    }

    /// Weights, parameters and units of the explicit network of `a`, in floating point (no overflow).
    static func explicitSize(_ a: SimulatedArchitecture) -> (weights: Double, parameters: Double, units: Double, layers: Double) {
        let widths = a.layerWidths.map(Double.init)
        var weights = 0.0, biases = 0.0
        for layer in 1..<widths.count {
            weights += widths[layer] * widths[layer - 1]
            biases += widths[layer]
        }
        let units = widths.reduce(0, +)
        return (weights, weights + (a.trainableBiases ? biases : 0), units, Double(a.depth))
    }

    /// Seconds of one batched forward and backward pass over `batch` inputs (`NetworkPass.compute`).
    static func passSeconds(weights: Double, rows: Double, batch: Int) -> Double {
        let chunks = Double((batch + BatchVector.scalarCount - 1) / BatchVector.scalarCount)
        return 2 * weights * chunks * secondsPerVectorProduct + 2 * rows * chunks * secondsPerRow
    }

    /// `simulateOffDiagonal` (`ntk offdiag`): per sample one network drawn (every weight) and one
    /// batched pass over the `1 + correlations` inputs; memory per thread is one network and
    /// the pass's activations and backward vectors (plus the prototype network).
    public static func offDiagonal(_ a: SimulatedArchitecture, correlations: Int, threads: Int, samples: Int? = nil) -> SamplingCost {
        let size = explicitSize(a)
        let batch = 1 + correlations
        let columns = Double((batch + 3) / 4 * 4)
        let seconds = size.weights * secondsPerStoredWeight + size.units * secondsPerRow
            + passSeconds(weights: size.weights, rows: size.units, batch: batch) + secondsPerSampleOverhead
        let parallel = parallelism(threads: threads, samples: samples, blockSize: offDiagonalBlockSize(a, correlations: correlations))
        let perThread = 8 * size.parameters + 16 * size.units * columns
        return SamplingCost(secondsPerSample: seconds, parallelism: parallel, bytes: 8 * size.parameters + Double(max(1, threads)) * perThread)
    }

    /// `simulateGradientSteps` (`ntk step`): per sample one network drawn, a pass, the gradient,
    /// the fixed-pattern tangent (a forward and a backward sweep per input, scalar) and, per
    /// learning rate, an updated copy and a pass; memory per thread is about three networks
    /// and two passes.
    public static func gradientStep(_ e: GradientStepExperiment, threads: Int, samples: Int? = nil) -> SamplingCost {
        let size = explicitSize(e.architecture)
        let batch = e.correlation == nil ? 1 : 2
        let rates = Double(e.learningRates.count)
        let pass = passSeconds(weights: size.weights, rows: size.units, batch: batch)
        let seconds = size.weights * secondsPerStoredWeight + size.units * secondsPerRow
            + pass * (1 + rates)
            + Double(batch) * size.parameters * (secondsPerVectorProduct + 4 * secondsPerScalarProduct)
            + rates * 2 * size.parameters * secondsPerScalarProduct + secondsPerSampleOverhead
        let parallel = parallelism(threads: threads, samples: samples, blockSize: e.samplesPerBlock)
        let perThread = 3 * 8 * size.parameters + 2 * 16 * size.units * 4
        return SamplingCost(secondsPerSample: seconds, parallelism: parallel, bytes: Double(max(1, threads)) * perThread)
    }

    /// `sampleDistribution` (`ntk distribution`): O(L) per sample, any width; memory is two
    /// doubles per layer per thread.
    public static func distribution(_ network: ReducedNetwork, threads: Int, samples: Int? = nil) -> SamplingCost {
        let layers = Double(network.depth)
        let seconds = layers * secondsPerReducedLayer + secondsPerSampleOverhead
        let parallel = parallelism(threads: threads, samples: samples, blockSize: distributionBlockSize(network))
        return SamplingCost(secondsPerSample: seconds, parallelism: parallel, bytes: Double(max(1, threads)) * 16 * layers)
    }

    /// `trainNetwork` (`ntk train`), per training step on `inputs` inputs (one thread): a
    /// batched pass, the weighted gradient (a scalar product per weight and input), the
    /// optimizer's update and the parameter update, plus the tracked pass over `tracked`
    /// inputs every `recordEvery` steps. Memory: the network, the gradient, the update and the
    /// optimizer's state (Adam: two moments), and the two passes.
    public static func training(_ a: SimulatedArchitecture, inputs: Int, tracked: Int, recordEvery: Int, adam: Bool) -> SamplingCost {
        let size = explicitSize(a)
        let pass = passSeconds(weights: size.weights, rows: size.units, batch: inputs)
        let trackedPass = passSeconds(weights: size.weights, rows: size.units, batch: tracked) / Double(max(1, recordEvery))
        let seconds = pass + trackedPass + Double(inputs) * size.parameters * secondsPerVectorProduct
            + (adam ? 6 : 3) * size.parameters * secondsPerScalarProduct + secondsPerSampleOverhead
        let columns = Double((inputs + 3) / 4 * 4 + (tracked + 3) / 4 * 4)
        let bytes = 8 * size.parameters * (adam ? 6 : 4) + 16 * size.units * columns
        return SamplingCost(secondsPerSample: seconds, parallelism: 1, bytes: bytes)
    }
}
