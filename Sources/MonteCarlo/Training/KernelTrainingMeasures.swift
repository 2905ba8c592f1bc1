import Foundation

/// The quantities `ntk train` tracks (derivations/12-gradient-steps.md), on an empirical NTK
/// matrix `Θ` of `n` inputs stored row-major (`n·n` entries, symmetric).
public enum KernelTrainingMeasures {
    /// `‖Θ_t − Θ_0‖_F / ‖Θ_0‖_F`: the relative change of the kernel matrix since initialisation
    /// (NaN when `Θ_0 = 0`).
    public static func relativeChange(current: [Double], initial: [Double]) -> Double {
        precondition(current.count == initial.count, "kernel matrices of different sizes")
        var difference = 0.0, reference = 0.0
        for i in initial.indices {
            let d = current[i] - initial[i]
            difference += d * d
            reference += initial[i] * initial[i]
        }
        return (difference / reference).squareRoot()
    }

    /// Kernel–target alignment `⟨Θ, yyᵀ⟩_F / (‖Θ‖_F ‖y‖²) = yᵀΘy / (‖Θ‖_F ‖y‖²)` (Cristianini
    /// et al. 2002), in [−1, 1]: 1 when Θ is a positive multiple of yyᵀ (NaN when Θ = 0 or y = 0).
    public static func alignment(kernel: [Double], targets y: [Double]) -> Double {
        let n = y.count
        precondition(kernel.count == n * n, "the kernel must be n×n for n targets")
        var quadratic = 0.0, frobenius = 0.0
        for a in 0..<n {
            var row = 0.0
            for b in 0..<n {
                let k = kernel[a * n + b]
                row += k * y[b]
                frobenius += k * k
            }
            quadratic += y[a] * row
        }
        let y2 = y.reduce(0) { $0 + $1 * $1 }
        return quadratic / (frobenius.squareRoot() * y2)
    }

    /// The mean squared-error loss `(1/2n) Σ (f_a − y_a)²` that `ntk train` minimises.
    public static func loss(outputs f: [Double], targets y: [Double]) -> Double {
        precondition(f.count == y.count && !y.isEmpty, "one output per target")
        var s = 0.0
        for (fa, ya) in zip(f, y) { s += (fa - ya) * (fa - ya) }
        return s / (2 * Double(y.count))
    }
}

/// Running sums of several per-sample quantities `x_1 … x_k` (compensated), from which their
/// means and standard errors `√(Var x_i / N)` follow; mergeable block by block and shard by
/// shard like `ThetaMoments`, with the same reproducibility (merging order fixed by the runner).
public struct VectorMeans: MonteCarloStatistic, Codable, Hashable {
    public private(set) var count = 0
    public private(set) var sums: [CompensatedSum] = []
    public private(set) var squares: [CompensatedSum] = []

    enum CodingKeys: String, CodingKey { case count, sums, squares }

    public init() {}

    /// Adds one sample of all quantities (always the same number of them).
    public mutating func add(_ values: [Double]) {
        if sums.isEmpty {
            sums = Array(repeating: CompensatedSum(), count: values.count)
            squares = sums
        }
        precondition(values.count == sums.count, "every sample must carry the same quantities")
        count += 1
        for (i, x) in values.enumerated() {
            sums[i].add(x)
            squares[i].add(x * x)
        }
    }

    public mutating func merge(_ other: VectorMeans) {
        guard other.count > 0 else { return }
        if sums.isEmpty {
            sums = Array(repeating: CompensatedSum(), count: other.sums.count)
            squares = sums
        }
        precondition(sums.count == other.sums.count, "merging means of different quantities")
        count += other.count
        for i in sums.indices {
            sums[i].add(other.sums[i])
            squares[i].add(other.squares[i])
        }
    }

    /// Number of quantities.
    public var dimension: Int { sums.count }

    /// The sample mean of quantity `i` (NaN without samples).
    public func mean(_ i: Int) -> Double { i < sums.count ? sums[i].value / Double(count) : .nan }

    /// The standard error of `mean(i)`, `√(s²/N)` with the unbiased sample variance s²
    /// (NaN below two samples).
    public func standardError(_ i: Int) -> Double {
        guard count >= 2, i < sums.count else { return .nan }
        let n = Double(count), m = mean(i)
        let variance = max(0, squares[i].value / n - m * m) * n / (n - 1)
        return (variance / n).squareRoot()
    }
}
