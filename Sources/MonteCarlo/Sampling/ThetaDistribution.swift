import Foundation

/// The sampled law of x = Θ/E[Θ] (derivations/08): power sums of x up to the eighth (for the
/// moments E[x^k], k ≤ 4, and their standard errors), sums of log x and (log x)², counts above
/// chosen thresholds t (tail probabilities P(Θ > t·E[Θ])), and a fine histogram of log x (bin
/// width 1/500 over −50 … 50) from which quantiles are read to ±0.1 % relative. Everything is
/// a sum, so shards and blocks merge exactly (compensated sums, in a fixed order).
public struct ThetaDistribution: MonteCarloStatistic, Codable, Hashable {
    /// Bins per unit of log x.
    public static let binsPerUnit = 500
    /// log x range of the histogram; values outside are counted in `below`/`above`.
    public static let logRange = -50.0...50.0
    static var binCount: Int { Int((logRange.upperBound - logRange.lowerBound) * Double(binsPerUnit)) }

    public private(set) var count = 0
    /// Samples with Θ = 0 (dead networks without biases): no logarithm.
    public private(set) var zeros = 0
    /// Σ x^k for k = 1 … 8.
    public private(set) var powerSums: [CompensatedSum] = Array(repeating: CompensatedSum(), count: 8)
    public private(set) var sumLog = CompensatedSum()
    public private(set) var sumLogSquared = CompensatedSum()
    /// Thresholds t and the counts of samples with x > t.
    public private(set) var thresholds: [Double] = []
    public private(set) var exceedances: [Int] = []
    /// Sparse histogram of log x: bin index → count.
    public private(set) var histogram: [Int: Int] = [:]
    public private(set) var below = 0
    public private(set) var above = 0

    enum CodingKeys: String, CodingKey {
        case count, zeros, thresholds, exceedances, histogram, below, above
        case powerSums = "power_sums", sumLog = "sum_log", sumLogSquared = "sum_log_squared"
    }

    public init() {}

    public init(thresholds: [Double]) {
        self.thresholds = thresholds
        exceedances = Array(repeating: 0, count: thresholds.count)
    }

    /// Adds one sample x = Θ/E[Θ] ≥ 0.
    public mutating func add(_ x: Double) {
        count += 1
        var power = 1.0
        for k in 0..<8 {
            power *= x
            powerSums[k].add(power)
        }
        for (i, t) in thresholds.enumerated() where x > t { exceedances[i] += 1 }
        guard x > 0 else { zeros += 1; return }
        let l = log(x)
        sumLog.add(l)
        sumLogSquared.add(l * l)
        if l < Self.logRange.lowerBound { below += 1; return }
        if l >= Self.logRange.upperBound { above += 1; return }
        histogram[Int(((l - Self.logRange.lowerBound) * Double(Self.binsPerUnit)).rounded(.down)), default: 0] += 1
    }

    public mutating func merge(_ other: ThetaDistribution) {
        if thresholds.isEmpty && count == 0 {
            thresholds = other.thresholds
            exceedances = Array(repeating: 0, count: other.thresholds.count)
        }
        precondition(thresholds == other.thresholds || other.count == 0, "merging distributions with different thresholds")
        count += other.count
        zeros += other.zeros
        for k in 0..<8 { powerSums[k].add(other.powerSums[k]) }
        sumLog.add(other.sumLog)
        sumLogSquared.add(other.sumLogSquared)
        for i in exceedances.indices where i < other.exceedances.count { exceedances[i] += other.exceedances[i] }
        for (bin, c) in other.histogram { histogram[bin, default: 0] += c }
        below += other.below
        above += other.above
    }

    /// The sample mean of x^k (k = 1 … 4) and its standard error √((mean of x^{2k} − mean²)/(N − 1)).
    public func moment(_ k: Int) -> (mean: Double, standardError: Double) {
        precondition(k >= 1 && k <= 4)
        let n = Double(count)
        let mean = powerSums[k - 1].value / n
        let second = powerSums[2 * k - 1].value / n
        return (mean, count > 1 ? (max(0, second - mean * mean) / (n - 1)).squareRoot() : .nan)
    }

    /// E[log x] and Var[log x] over the samples with x > 0, with standard errors (the latter's
    /// from the normal-theory formula √(2/(n − 1))·Var, labelled approximate by callers).
    public var logMoments: (mean: Double, meanError: Double, variance: Double, varianceError: Double) {
        let n = Double(count - zeros)
        guard n > 1 else { return (.nan, .nan, .nan, .nan) }
        let mean = sumLog.value / n
        let variance = max(0, sumLogSquared.value / n - mean * mean) * n / (n - 1)
        return (mean, (variance / n).squareRoot(), variance, variance * (2 / (n - 1)).squareRoot())
    }

    /// P(x > t) for the i-th threshold, with its binomial standard error.
    public func tail(_ i: Int) -> (probability: Double, standardError: Double) {
        let p = Double(exceedances[i]) / Double(count)
        return (p, (p * (1 - p) / Double(count)).squareRoot())
    }

    /// The q-quantile of x (0 < q < 1): the centre of the histogram bin where the cumulative
    /// count reaches q·N (zeros come first). Relative resolution ±1/(2·binsPerUnit).
    public func quantile(_ q: Double) -> Double? {
        guard count > 0 else { return nil }
        let target = q * Double(count)
        var cumulative = Double(zeros)
        if cumulative >= target { return 0 }
        cumulative += Double(below)
        if cumulative >= target { return nil }
        for bin in histogram.keys.sorted() {
            cumulative += Double(histogram[bin]!)
            if cumulative >= target {
                return exp(Self.logRange.lowerBound + (Double(bin) + 0.5) / Double(Self.binsPerUnit))
            }
        }
        return nil
    }

    /// (log x at the bin centre, samples) for every non-empty bin, in increasing order.
    public var logHistogram: [(logX: Double, count: Int)] {
        histogram.keys.sorted().map { (Self.logRange.lowerBound + (Double($0) + 0.5) / Double(Self.binsPerUnit), histogram[$0]!) }
    }
}

/// The samples per block of `sampleDistribution` (shards start at multiples of it): about 10⁵
/// layer draws, which keeps the per-block overhead small.
public func distributionBlockSize(_ network: ReducedNetwork) -> Int {
    max(64, min(16_384, 200_000 / max(1, network.depth)))
}

/// Samples `samples` values of Θ/E[Θ] from the reduced model (`ReducedThetaSampler`), on
/// `threads` threads, with the reproducibility contract of `simulate`: the result depends only
/// on (network, seed, reference, thresholds, samples completed), bit-identical for every
/// thread count; a time budget stops at a prefix of the samples. `reference` is E[Θ]/Q^{L−1}
/// (the scale of `ReducedNetwork.logScale`). `firstSample` offsets the sample indices, for shards.
public func sampleDistribution(
    _ network: ReducedNetwork, reference: Double, thresholds: [Double], samples: Int, firstSample: Int = 0,
    maxSeconds: Double? = nil, seed: UInt64, threads: Int = 1, progress: ((Int) -> Void)? = nil,
    isCancelled: (@Sendable () -> Bool)? = nil
) -> BlockedRunResult<ThetaDistribution> {
    let sampler = ReducedThetaSampler(network: network, seed: seed)
    return runBlocks(samples: samples, blockSize: distributionBlockSize(network), maxSeconds: maxSeconds, threads: threads, progress: progress,
                     isCancelled: isCancelled) { deadline in
        let scratch = ReducedThetaSampler.Scratch()
        return { (range: Range<Int>) -> ThetaDistribution? in
            var d = ThetaDistribution(thresholds: thresholds)
            var meter = DeadlineMeter(deadline)
            for i in range {
                guard let theta = sampler.scaledTheta(sample: firstSample + i, scratch: scratch, meter: &meter) else { return nil }
                d.add(theta / reference)
            }
            return d
        }
    }
}
