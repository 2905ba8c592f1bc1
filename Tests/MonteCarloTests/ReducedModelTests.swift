import Foundation
import Testing

@testable import MonteCarlo

/// The reduced-model sampler of `ntk distribution` (derivations/08): its random variates, its
/// moments against the exact golden moments, and its whole law against explicitly simulated
/// networks (two-sample Kolmogorov–Smirnov), so that the reduction itself is tested.
@Suite("Reduced-model sampler")
struct ReducedModelTests {
    @Test("binomial(n, 1/2): χ² goodness of fit for popcount (n = 37) and BTRS (n = 2000, 10⁵)")
    func binomial() {
        for n in [37, 2000, 100_000] {
            var random = RandomVariates(key: 12345 &+ UInt64(n))
            let draws = 200_000
            var counts: [Int: Int] = [:]
            for _ in 0..<draws { counts[random.binomialHalf(n), default: 0] += 1 }
            // Cells with expected count ≥ 20, the rest pooled into two tails.
            func logPmf(_ k: Int) -> Double {
                lgamma(Double(n) + 1) - lgamma(Double(k) + 1) - lgamma(Double(n - k) + 1) - Double(n) * log(2)
            }
            let mean = Double(n) / 2, sd = (Double(n) / 4).squareRoot()
            let low = Int(mean - 3.5 * sd), high = Int(mean + 3.5 * sd)
            var chi2 = 0.0, cells = 0
            var tailObserved = 0, tailExpected = 0.0
            for k in 0...n {
                let expected = Double(draws) * exp(logPmf(k))
                let observed = Double(counts[k] ?? 0)
                if k < low || k > high || expected < 20 {
                    tailObserved += Int(observed); tailExpected += expected
                    continue
                }
                chi2 += (observed - expected) * (observed - expected) / expected
                cells += 1
            }
            if tailExpected > 0 { chi2 += (Double(tailObserved) - tailExpected) * (Double(tailObserved) - tailExpected) / tailExpected; cells += 1 }
            // χ² with `cells − 1` degrees of freedom: mean d, sd √(2d); 5 sd is far out.
            let d = Double(cells - 1)
            #expect(chi2 < d + 5 * (2 * d).squareRoot(), "n = \(n): χ² = \(chi2) on \(cells - 1) d.f.")
            #expect(counts.keys.allSatisfy { $0 >= 0 && $0 <= n })
        }
    }

    @Test("χ²_k: mean k and variance 2k", arguments: [1, 2, 3, 7, 1000])
    func chiSquare(k: Int) {
        var random = RandomVariates(key: 99 &+ UInt64(k))
        let n = 200_000
        var sum = 0.0, sum2 = 0.0
        for _ in 0..<n {
            let x = random.chiSquare(k)
            sum += x; sum2 += x * x
        }
        let mean = sum / Double(n), variance = sum2 / Double(n) - mean * mean
        #expect(abs(mean - Double(k)) < 5 * (2 * Double(k) / Double(n)).squareRoot(), "mean \(mean)")
        #expect(abs(variance / (2 * Double(k)) - 1) < 0.05, "variance \(variance)")
    }

    @Test("check: distribution-moments — sampled E[(Θ/E[Θ])^k], k ≤ 4, agree with the exact golden moments (|z| < 4)")
    func momentsAgree() {
        // Widths 3,2,2, σ² = 2, ‖x‖² = 1, biases: E[Θ] = 61/12, E[Θ²] = 8809/72, E[Θ³] = 30467/4,
        // E[Θ⁴] = 21200807/24 (the golden values of derivations/08).
        let network = ReducedNetwork(inputDimension: 3, hiddenRuns: [.init(width: 2, count: 2)], sigma2: 2, inputNorm2: 1, trainableBiases: true)
        let mu = 61.0 / 12
        let exact = [1.0, (8809.0 / 72) / (mu * mu), (30467.0 / 4) / (mu * mu * mu), (21200807.0 / 24) / (mu * mu * mu * mu)]
        let run = sampleDistribution(network, reference: mu, thresholds: [2, 5], samples: 400_000, seed: 7, threads: 2)
        for k in 1...4 {
            let m = run.statistic.moment(k)
            let z = (m.mean - exact[k - 1]) / m.standardError
            #expect(abs(z) < 4, "k = \(k): \(m.mean) ± \(m.standardError) vs \(exact[k - 1])")
        }
    }

    @Test("bit-identical for 1 and 2 threads; a shard offset continues the same sample streams")
    func reproducible() {
        let network = ReducedNetwork(inputDimension: 50, hiddenRuns: [.init(width: 50, count: 19)], sigma2: 2.5, inputNorm2: 1, trainableBiases: true)
        let a = sampleDistribution(network, reference: 1, thresholds: [1, 3], samples: 5000, seed: 3, threads: 1)
        let b = sampleDistribution(network, reference: 1, thresholds: [1, 3], samples: 5000, seed: 3, threads: 2)
        #expect(a.statistic == b.statistic)
        var first = sampleDistribution(network, reference: 1, thresholds: [1, 3], samples: 2000, seed: 3, threads: 2).statistic
        let second = sampleDistribution(network, reference: 1, thresholds: [1, 3], samples: 3000, firstSample: 2000, seed: 3, threads: 2).statistic
        first.merge(second)
        #expect(first.count == a.statistic.count && first.histogram == a.statistic.histogram && first.exceedances == a.statistic.exceedances)
    }

    /// Two-sample Kolmogorov–Smirnov statistic sup |F₁ − F₂|.
    static func ksStatistic(_ a: [Double], _ b: [Double]) -> Double {
        let x = a.sorted(), y = b.sorted()
        var i = 0, j = 0, d = 0.0
        while i < x.count && j < y.count {
            let v = min(x[i], y[j])
            while i < x.count && x[i] <= v { i += 1 }
            while j < y.count && y[j] <= v { j += 1 }
            d = max(d, abs(Double(i) / Double(x.count) - Double(j) / Double(y.count)))
        }
        return d
    }

    struct KSCase: Sendable, CustomTestStringConvertible {
        let widths: [Int], sigma2: Double, inputNorm2: Double, biases: Bool
        var testDescription: String { "widths \(widths) σ²=\(sigma2) ‖x‖²=\(inputNorm2) \(biases ? "biases" : "no biases")" }
    }

    @Test("check: distribution-ks — the reduced model's law of Θ matches explicitly simulated networks (two-sample KS)",
          arguments: [KSCase(widths: [4, 4, 4], sigma2: 2, inputNorm2: 1, biases: true),
                      KSCase(widths: [3, 5, 2], sigma2: 2.5, inputNorm2: 0.5, biases: false),
                      KSCase(widths: [6, 6, 6, 6, 6, 6], sigma2: 1.5, inputNorm2: 2, biases: true),
                      KSCase(widths: [2, 1, 3], sigma2: 2, inputNorm2: 1, biases: true)])
    func kolmogorovSmirnov(_ c: KSCase) {
        let n = 20_000
        let simulated = SimulatedArchitecture(inputDimension: c.widths[0], hiddenWidths: Array(c.widths.dropFirst()),
                                              sigma2: c.sigma2, inputNorm2: c.inputNorm2, trainableBiases: c.biases)
        let explicit = NetworkThetaSampler(architecture: simulated, seed: 11)
        let a = (0..<n).map { explicit.theta(sample: $0) }
        let network = ReducedNetwork(inputDimension: c.widths[0], hiddenRuns: c.widths.dropFirst().map { .init(width: $0, count: 1) },
                                     sigma2: c.sigma2, inputNorm2: c.inputNorm2, trainableBiases: c.biases)
        let sampler = ReducedThetaSampler(network: network, seed: 12)
        let scratch = ReducedThetaSampler.Scratch()
        let scale = exp(network.logScale)
        let b = (0..<n).map { sampler.scaledTheta(sample: $0, scratch: scratch) * scale }
        let d = Self.ksStatistic(a, b)
        // Critical value at α = 0.001: 1.949·√(2/n).
        let critical = 1.949 * (2.0 / Double(n)).squareRoot()
        #expect(d < critical, "KS D = \(d), critical \(critical)")
        print("KS \(c.testDescription): D = \(String(format: "%.4f", d)) (critical at 0.001: \(String(format: "%.4f", critical)))")
    }
}

@Suite("Exact sampling plan")
struct ExactSamplingPlanTests {
    @Test("check: exact-standard-errors — exact s.e. and the samples that separate two models, from golden moments")
    func plan() {
        // Widths 3,2,2, σ² = 2: E[Θ] = 61/12, E[Θ²] = 8809/72, E[Θ³] = 30467/4, E[Θ⁴] = 21200807/24.
        let m = [61.0 / 12, 8809.0 / 72, 30467.0 / 4, 21200807.0 / 24]
        let plan = ExactSamplingPlan(moments: m)
        let se = plan.standardErrors(samples: 10_000)
        #expect(abs(se.mean - (13897.0 / 144 / 10_000).squareRoot()) < 1e-15)
        #expect(abs(se.secondMoment - ((m[3] - m[1] * m[1]) / 10_000).squareRoot()) < 1e-12)
        let n = plan.samplesToSeparate(meanDifference: 0.1, secondMomentDifference: 0, z: 4)
        let ratio: Double = 4 * (13897.0 / 144).squareRoot() / 0.1
        let expected: Double = (ratio * ratio).rounded(.up)
        #expect(n.mean == expected)
        #expect(n.secondMoment == nil)
        // The sample standard errors of a long reduced-model run approach the exact ones.
        let network = ReducedNetwork(inputDimension: 3, hiddenRuns: [.init(width: 2, count: 2)], sigma2: 2, inputNorm2: 1, trainableBiases: true)
        let run = sampleDistribution(network, reference: 1, thresholds: [], samples: 200_000, seed: 9, threads: 2)
        let sampleSE = run.statistic.moment(1).standardError
        #expect(abs(sampleSE / plan.standardErrors(samples: 200_000).mean - 1) < 0.02)
    }
}
