import Foundation

/// The mergeable sums of one off-diagonal run (derivations/10-off-diagonal-simulation.md): for
/// every sampled network, `D = Θ(x, x)` and, for each correlation `ρ_k`, `T_k = Θ(x, x′_k)`,
/// accumulated as the power sums of `D` and of each `T_k` (k = 1…4, `ThetaMoments`) and the
/// cross sums `Σ T_k D`, all compensated. Every estimate of `OffDiagonalEstimate` is a function
/// of these sums, and merging them in block order is what keeps a run bit-identical for any
/// thread count.
public struct OffDiagonalStatistics: MonteCarloStatistic, Hashable, Codable {
    /// The correlations `ρ_k = ⟨x, x′_k⟩/‖x‖²` (empty for the empty statistic).
    public private(set) var correlations: [Double]
    /// Power sums of `Θ(x, x)`.
    public private(set) var diagonal: ThetaMoments
    /// Power sums of `Θ(x, x′_k)`, one per correlation.
    public private(set) var offDiagonal: [ThetaMoments]
    /// `Σ Θ(x, x′_k) Θ(x, x)`, one per correlation.
    public private(set) var crossSums: [CompensatedSum]

    enum CodingKeys: String, CodingKey {
        case correlations, diagonal
        case offDiagonal = "off_diagonal"
        case crossSums = "cross_sums"
    }

    /// No samples, no correlations (the identity of `merge`).
    public init() { self.init(correlations: []) }

    /// No samples yet for these correlations.
    public init(correlations: [Double]) {
        self.correlations = correlations
        diagonal = ThetaMoments()
        offDiagonal = Array(repeating: ThetaMoments(), count: correlations.count)
        crossSums = Array(repeating: CompensatedSum(), count: correlations.count)
    }

    public var count: Int { diagonal.count }

    /// Adds one network's `Θ(x, x)` and its `Θ(x, x′_k)` (one per correlation).
    @inline(__always)
    public mutating func add(diagonal d: Double, offDiagonal t: [Double]) {
        precondition(t.count == correlations.count, "one value per correlation")
        diagonal.add(d)
        for k in 0..<t.count {
            offDiagonal[k].add(t[k])
            crossSums[k].add(t[k] * d)
        }
    }

    /// Appends another block's sums (same correlations, or either side empty).
    public mutating func merge(_ other: OffDiagonalStatistics) {
        if other.count == 0 && other.correlations.isEmpty { return }
        if count == 0 && correlations.isEmpty {
            self = other
            return
        }
        precondition(correlations == other.correlations, "statistics of different correlation grids")
        diagonal.merge(other.diagonal)
        for k in correlations.indices {
            offDiagonal[k].merge(other.offDiagonal[k])
            crossSums[k].add(other.crossSums[k])
        }
    }

    /// Whether every sum is a finite number (for reading hand-edited files).
    public var isFinite: Bool {
        let all = [diagonal] + offDiagonal
        return all.allSatisfy { m in [m.sumTheta, m.sumTheta2, m.sumTheta3, m.sumTheta4].allSatisfy(\.isFinite) }
            && crossSums.allSatisfy(\.isFinite)
            && all.allSatisfy { $0.count == diagonal.count }
            && offDiagonal.count == correlations.count && crossSums.count == correlations.count
    }

    /// The estimates at correlation number `k`.
    public func estimate(_ k: Int) -> OffDiagonalEstimate {
        OffDiagonalEstimate(correlation: correlations[k], offDiagonal: offDiagonal[k], diagonal: diagonal, crossSum: crossSums[k].value)
    }

    /// The estimates at every correlation, in order.
    public var estimates: [OffDiagonalEstimate] { correlations.indices.map(estimate) }
}

/// Monte Carlo estimates at one correlation ρ, with standard errors, from the sums of
/// `OffDiagonalStatistics` (`T = Θ(x, x′)`, `D = Θ(x, x)`, N samples):
///
/// - `E[T]` by the sample mean, standard error `√(Var T / N)`;
/// - `E[T²]` by the mean of `T²`, standard error `√(Var T² / N)`;
/// - the dispersion `E[T²]/E[T]²` by the plug-in ratio with its delta-method standard error
///   (biased low for heavy tails, like the diagonal one);
/// - the paired ratio `r = E[T]/E[D]` by `mean(T)/mean(D)`, standard error by the delta method
///   on the paired sums, `√((Var T − 2r Cov(T, D) + r² Var D) / N) / mean(D)` — the pairing
///   (both from the same networks) is what makes it much smaller than the errors of T and D alone;
/// - the sample correlation of `T` with `D`.
///
/// Variances and the covariance carry the `N/(N−1)` correction. NaN where undefined (N < 2).
public struct OffDiagonalEstimate: Sendable, Hashable {
    public let correlation: Double
    public let count: Int
    public let meanXY: Double, standardErrorOfMeanXY: Double
    public let secondMomentXY: Double, standardErrorOfSecondMomentXY: Double
    public let dispersion: Double, dispersionStandardError: Double
    public let ratio: Double, ratioStandardError: Double
    public let correlationWithDiagonal: Double
    /// The power sums of `Θ(x, x′)`, for z-tests (`MomentZTest`).
    public let offDiagonalMoments: ThetaMoments

    init(correlation: Double, offDiagonal t: ThetaMoments, diagonal d: ThetaMoments, crossSum: Double) {
        self.correlation = correlation
        count = t.count
        offDiagonalMoments = t
        meanXY = t.mean
        standardErrorOfMeanXY = t.standardErrorOfMean
        secondMomentXY = t.secondMoment
        standardErrorOfSecondMomentXY = t.standardErrorOfSecondMoment
        dispersion = t.dispersion
        dispersionStandardError = t.dispersionStandardError
        let n = Double(t.count)
        ratio = t.mean / d.mean
        let bessel = n / (n - 1)
        let covariance = t.count >= 2 ? bessel * (crossSum / n - t.mean * d.mean) : .nan
        let varT = t.varianceOfTheta, varD = d.varianceOfTheta
        let variance = varT - 2 * ratio * covariance + ratio * ratio * varD
        ratioStandardError = (max(0, variance) / n).squareRoot() / abs(d.mean)
        correlationWithDiagonal = varT > 0 && varD > 0 ? covariance / (varT * varD).squareRoot() : .nan
    }
}

/// Builds the inputs of an off-diagonal run: `x = √q e₁` and, for each correlation ρ,
/// `x′ = √q (ρ e₁ + √(1 − ρ²) e₂)`, so `‖x‖² = ‖x′‖² = q` and `⟨x, x′⟩ = ρq` (up to rounding).
/// The law of the NTK of a pair depends on the inputs only through their Gram matrix
/// (rotation invariance of `W¹`), so this choice loses no generality.
public enum OffDiagonalInputs {
    /// Errors: a correlation outside [−1, 1] or not finite, or `|ρ| < 1` with `n0 = 1`.
    public static func make(inputDimension n0: Int, inputNorm2 q: Double, correlations: [Double]) throws -> [[Double]] {
        guard q.isFinite, q >= 0 else { throw OffDiagonalError(description: "‖x‖² must be finite and ≥ 0") }
        for rho in correlations {
            guard rho.isFinite, abs(rho) <= 1 else { throw OffDiagonalError(description: "correlation \(rho) is outside [−1, 1]") }
            guard n0 >= 2 || abs(rho) == 1 else {
                throw OffDiagonalError(description: "correlation \(rho) needs two input coordinates (n0 ≥ 2)")
            }
        }
        let r = q.squareRoot()
        var x = [Double](repeating: 0, count: n0)
        x[0] = r
        return [x] + correlations.map { rho in
            var y = [Double](repeating: 0, count: n0)
            y[0] = r * rho
            if abs(rho) < 1 { y[1] = r * ((1 - rho) * (1 + rho)).squareRoot() }
            return y
        }
    }
}

/// A rejected off-diagonal run, with a one-line description.
public struct OffDiagonalError: Error, CustomStringConvertible, Sendable {
    public let description: String
}

/// Simulates `samples` networks (sample indices `firstSample ..< firstSample + samples`) of
/// `architecture` (whose `inputNorm2` is `q`) and accumulates `OffDiagonalStatistics` over the
/// reference input and one input per correlation: one `ExplicitNetwork` per sample, one batched
/// forward/backward pass over the `1 + K` inputs, then `Θ(x, x)` and `Θ(x, x′_k)` from the stored
/// activations and backward vectors.
///
/// The reproducibility contract of `simulate`: networks are pure functions of (seed, sample),
/// blocks are summed in index order and merged in block order, so the result depends only on
/// the samples completed — bit-identical for every thread count; a time budget stops at a
/// prefix. Block sizes depend only on the architecture and the number of correlations.
public func simulateOffDiagonal(
    _ architecture: SimulatedArchitecture, correlations: [Double], samples: Int, firstSample: Int = 0,
    maxSeconds: Double? = nil, seed: UInt64, threads: Int = 1, progress: ((Int) -> Void)? = nil,
    isCancelled: (@Sendable () -> Bool)? = nil
) throws -> BlockedRunResult<OffDiagonalStatistics> {
    guard samples >= 0, firstSample >= 0, firstSample <= Int.max - samples else {
        throw OffDiagonalError(description: "sample indices must be non-negative")
    }
    guard threads >= 1 else { throw OffDiagonalError(description: "at least one thread is needed") }
    guard maxSeconds.map({ !$0.isNaN }) ?? true else { throw OffDiagonalError(description: "the time budget must be a number") }
    let inputs = try OffDiagonalInputs.make(inputDimension: architecture.inputDimension, inputNorm2: architecture.inputNorm2,
                                            correlations: correlations)
    let prototype = try ExplicitNetwork(zeroed: architecture)
    let batch = inputs.count
    let blockSize = offDiagonalBlockSize(architecture, correlations: correlations.count)
    return runBlocks(samples: samples, blockSize: blockSize, maxSeconds: maxSeconds, threads: threads, progress: progress,
                     isCancelled: isCancelled) { deadline in
        var network = prototype
        let pass = NetworkPass(layerWidths: network.layerWidths, batchCapacity: batch)
        for (a, x) in inputs.enumerated() { pass.setInput(a, x) }
        var values = [Double](repeating: 0, count: batch - 1)
        return { (range: Range<Int>) -> OffDiagonalStatistics? in
            var statistics = OffDiagonalStatistics(correlations: correlations)
            var meter = DeadlineMeter(deadline)
            for s in range {
                guard network.reinitialize(seed: seed, sample: firstSample + s, meter: &meter),
                      pass.compute(network, batch: batch, meter: &meter) else { return nil }
                for k in 1..<batch { values[k - 1] = pass.ntk(0, k) }
                statistics.add(diagonal: pass.ntk(0, 0), offDiagonal: values)
            }
            return statistics
        }
    }
}

/// Networks per block of `simulateOffDiagonal` (shards start at multiples of it): a power of two
/// ≤ 256 with about 2²⁵ weight·input products per block — a fraction of a second, so time
/// budgets hold. Powers of two, so 256 is a multiple of the block size of every depth of a sweep.
public func offDiagonalBlockSize(_ architecture: SimulatedArchitecture, correlations: Int) -> Int {
    let work = max(1, architecture.weightsPerNetwork * (1 + correlations))
    var blockSize = 256
    while blockSize > 1 && blockSize * work > 1 << 25 { blockSize /= 2 }
    return blockSize
}
