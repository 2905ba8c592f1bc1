import Experiments
import MonteCarlo
import NTKMoments
import NTKOutput

/// The text and the density chart of a `DistributionResult` (its JSON is the result's own
/// encoding), shared by `distribution run` and `merge`.
struct DistributionReport {
    let result: DistributionResult
    /// The threads a run used (nil for merged shards).
    let threads: Int?

    var text: String {
        let r = result
        var out = runHeader(r.network.architecture, samples: "\(r.samples)", stop: "stopped by \(r.stoppedBy.label)", seconds: r.seconds,
                            threads: threads, seeds: r.seeds)
        out += "law           \(r.model == .exact ? "exact" : "gradient-independence") reduced model: a binomial and two chi-squares per layer (derivations/08); Monte Carlo estimates ± standard errors\n"
        out += "E[Θ]          \(r.meanExact.formatted(significantDigits: 10)) (exact recursion); below, x = Θ/E[Θ]\n"
        out += "moments       k   Monte Carlo ± s.e.   exact E[Θ^k]/E[Θ]^k   z\n"
        for m in r.moments {
            let exactSE = m.standardErrorKind == .exact
            out += "              \(m.order)   \(estimateText(m.estimate)) ± \(estimateText(m.standardError, 2))\(exactSE ? "" : "†")   \(estimateText(m.exact, 8))   \(exactSE ? zScoreText(m.z) : "–")\n"
        }
        out += "              (s.e. exact for k ≤ 2, from E[Θ²], E[Θ⁴]; † sample s.e., optimistic for heavy tails, so no z)\n"
        out += "quantiles     " + r.quantiles.map { q in
            "\(q.level == 0.5 ? "median" : (shortestDecimal(q.level * 100) + "%")) \(q.value.map { estimateText($0, 4) } ?? "–")"
        }.joined(separator: "  ") + "   (±0.1 %: histogram resolution)\n"
        out += "tails         " + r.tails.map { t in
            "P(Θ > \(shortestDecimal(t.threshold))·E[Θ]) = \(estimateText(t.probability, 4)) ± \(estimateText(t.standardError, 2))"
        }.joined(separator: "; ") + "\n"
        let (mean, variance) = (r.logMean, r.logVariance)
        out += "log           E[log x] = \(estimateText(mean.value, 5)) ± \(estimateText(mean.standardError, 2)); Var[log x] = \(estimateText(variance.value, 5)) ± \(estimateText(variance.standardError, 2)) (normal-theory s.e.)"
            + "; a lognormal law would have E[log x] = −Var/2 = \(estimateText(r.lognormalLogMean, 5))\n"
        if r.zeroSamples > 0 { out += "Θ = 0         \(r.zeroSamples) samples (dead networks without biases; left out of the log-moments)\n" }
        return out
    }

    /// The density of log₁₀ x with its lognormal fit (`result.density`, which the request must
    /// have asked for).
    func chart(logDensity: Bool) throws -> LineChart {
        guard let density = result.density else {
            throw UsageError("--chart: too few distinct positive samples to draw a density")
        }
        let a = result.network.architecture
        let empirical = density.histogram.map { (x: $0.x, y: $0.density) }
        let fit = density.lognormalFit.map { (x: $0.x, y: $0.density) }.filter { !logDensity || $0.y > 1e-300 }
        // The title names the whole network: width M (or the width list), L, σ², biases.
        let hidden = Set(a.hiddenRuns.map(\.width))
        let widths = hidden.count == 1 && a.inputDimension == hidden.first! ? "M = \(hidden.first!)"
            : "widths \(ReportedNetwork.compactWidths(a, limit: 6))"
        let title = "Law of Θ/E[Θ]: \(widths), L = \(a.depth), σ² = \(a.sigma2.displayText), \(a.trainableBiases ? "biases" : "no biases"), \(result.samples) samples"
        return LineChart(title: title, xLabel: "Θ/E[Θ] (log scale)", yLabel: "density of log₁₀(Θ/E[Θ])", xScale: .log10,
                         yScale: logDensity ? .log10 : .linear,
                         series: [ChartSeries(name: "reduced-model samples", points: empirical, lineStyle: .none, showsMarkers: true),
                                  ChartSeries(name: "lognormal fit (sample log-moments)", points: fit, lineStyle: .solid, showsMarkers: false)],
                         width: 900, height: 520)
    }
}
