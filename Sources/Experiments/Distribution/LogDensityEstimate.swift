import Foundation
import MonteCarlo

/// The density of log₁₀ x, x = Θ/E[Θ], read from a distribution's histogram, with the
/// lognormal law of the same log-moments (normal in log x) beside it.
public struct LogDensityEstimate: Sendable, Equatable {
    /// A point (x, density of log₁₀ x at x).
    public struct Point: Sendable, Equatable, Codable {
        public var x: Double
        public var density: Double
        public init(x: Double, density: Double) {
            self.x = x
            self.density = density
        }
    }

    /// One point per non-empty bin, at its centre.
    public var histogram: [Point]
    /// 201 points of the lognormal density across the binned range.
    public var lognormalFit: [Point]

    public init(histogram: [Point], lognormalFit: [Point]) {
        self.histogram = histogram
        self.lognormalFit = lognormalFit
    }

    /// About 80 bins between the 0.1 % and 99.9 % quantiles; nil when the samples do not have
    /// two distinct positive quantiles or a positive variance of log x to draw from.
    public init?(_ distribution: ThetaDistribution) {
        let l = distribution.logMoments
        guard let lo = distribution.quantile(0.001), let hi = distribution.quantile(0.999), lo > 0, hi > lo, l.variance > 0 else {
            return nil
        }
        let ln10 = log(10.0)
        // Bins are whole multiples of the histogram's bins, aligned with them, so that no bin
        // gets one histogram bin more than its neighbour.
        let base = 1 / Double(ThetaDistribution.binsPerUnit)
        let origin = ThetaDistribution.logRange.lowerBound
        let low = origin + ((log(lo) - origin) / base).rounded(.down) * base
        let width = max(1, ((log(hi) - low) / 80 / base).rounded(.up)) * base
        let bins = Int(((log(hi) - low) / width).rounded(.up))
        let high = low + Double(bins) * width
        var counts = Array(repeating: 0, count: bins)
        for (x, c) in distribution.logHistogram where x >= low && x < high { counts[min(bins - 1, Int(((x - low) / width).rounded(.down)))] += c }
        let n = Double(distribution.count)
        histogram = counts.enumerated().filter { $0.element > 0 }.map { i, c in
            // Per unit log₁₀ x.
            Point(x: exp(low + (Double(i) + 0.5) * width), density: Double(c) / n / (width / ln10))
        }
        let s = l.variance.squareRoot()
        lognormalFit = (0...200).map { i in
            let u = low + (high - low) * Double(i) / 200
            return Point(x: exp(u), density: exp(-(u - l.mean) * (u - l.mean) / (2 * l.variance)) / (s * (2 * Double.pi).squareRoot()) * ln10)
        }
    }
}
