import Testing

import MonteCarlo

// Tests of the labelled Monte Carlo claims of derivations/06 (and of the real-network side
// of two claims of derivations/02). Only the MonteCarlo module's public API is used; the
// exact values are hard-coded rationals, computed offline by an independent Python
// implementation of derivations/02–03 (16 ordered pair states, exact fractions, per-layer
// expectations by direct binomial summation) that reproduces the golden table of derivations/03.

/// Constant-width network at σ² = 2, ‖x‖² = 1, trainable biases: depth L, width M = n₀.
private func constantWidth(_ M: Int, depth L: Int) -> SimulatedArchitecture {
    SimulatedArchitecture(inputDimension: M, hiddenWidths: Array(repeating: M, count: L - 1), sigma2: 2, inputNorm2: 1)
}

@Suite("Monte Carlo claims of the derivations (derivations/06)")
struct DerivationMonteCarloClaimTests {
    @Test("check: mc-estimators — mean, second moment, standard errors and delta-method SE from the power sums of {1, 2, 3, 6}")
    func estimators() {
        var moments = ThetaMoments()
        for theta in [1.0, 2, 3, 6] { moments.add(theta) }
        // By hand (exact fractions): m₁ = 3, m₂ = 25/2, m₃ = 63, m₄ = 697/2; with N/(N−1) = 4/3:
        // Var Θ = 14/3, Var Θ² = 769/3, Cov(Θ, Θ²) = 34; gradient of m₂/m₁² is (−25/27, 1/9);
        // delta-method variance of the ratio / N = 371/8748.
        #expect(moments.mean == 3)
        #expect(moments.secondMoment == 12.5)
        #expect(abs(moments.standardErrorOfMean - (14.0 / 3 / 4).squareRoot()) < 1e-15)
        #expect(abs(moments.standardErrorOfSecondMoment - (769.0 / 3 / 4).squareRoot()) < 1e-13)
        #expect(abs(moments.dispersion - 12.5 / 9) < 1e-15)
        #expect(abs(moments.dispersionStandardError - (371.0 / 8748).squareRoot()) < 1e-14)
    }

    @Test("check: degenerate-inputs — real networks: L = 1 gives Θ = ‖x‖² + β, ‖x‖² = 0 gives Θ = β, sample by sample")
    func degenerateInputs() {
        for biases in [true, false] {
            let beta: Double = biases ? 1 : 0
            let single = NetworkThetaSampler(
                architecture: SimulatedArchitecture(inputDimension: 5, hiddenWidths: [], sigma2: 3, inputNorm2: 0.25, trainableBiases: biases),
                seed: 31)
            #expect((0..<100).allSatisfy { single.theta(sample: $0) == 0.25 + beta })
            let zero = NetworkThetaSampler(
                architecture: SimulatedArchitecture(inputDimension: 3, hiddenWidths: [4, 1, 6], sigma2: 2, inputNorm2: 0, trainableBiases: biases),
                seed: 32)
            #expect((0..<100).allSatisfy { zero.theta(sample: $0) == beta })
        }
    }

    @Test("check: depth-two-law — real networks with L = 2 match E[Θ], E[Θ²] of Θ = uC + vA + β (|z| < 4)")
    func depthTwoLaw() {
        // n₀ = 3, n₁ = 4, σ² = 5/2, ‖x‖² = 2, β = 1: u = (X₀+β)σ²/n = 15/8, v = X₀σ²/n₀ = 5/3,
        // E[k] = 2, E[k²] = 5, E[(χ²_k)²] = 9:
        // E[Θ] = (u+v)·2 + 1 = 97/12, E[Θ²] = (u²+v²)·9 + 2uv·5 + 1 + 2(u+v)·2 = 19787/192.
        let u = 15.0 / 8, v = 5.0 / 3
        let mean = (u + v) * 2 + 1
        let second = (u * u + v * v) * 9 + 2 * u * v * 5 + 1 + 2 * (u + v) * 2
        #expect(abs(mean - 97.0 / 12) < 1e-12 && abs(second - 19787.0 / 192) < 1e-12)
        let run = simulate(
            SimulatedArchitecture(inputDimension: 3, hiddenWidths: [4], sigma2: 2.5, inputNorm2: 2),
            samples: 200_000, seed: 606, threads: 2)
        let m = run.moments
        let zMean = (m.mean - mean) / m.standardErrorOfMean
        let zSecond = (m.secondMoment - second) / m.standardErrorOfSecondMoment
        #expect(abs(zMean) < 4, "E[Θ]: MC \(m.mean) ± \(m.standardErrorOfMean), closed form \(mean)")
        #expect(abs(zSecond) < 4, "E[Θ²]: MC \(m.secondMoment) ± \(m.standardErrorOfSecondMoment), closed form \(second)")
    }

    @Test("check: mc-exact-not-gi — width 6, depth 3 (λ = 1/2): real networks agree with the exact model and reject GI")
    func exactNotGI() {
        // Exact: E[Θ] = 383/64, E[Θ²] = 25129/384, R = 1.8272853906…;
        // GI (the project's GI bookkeeping, derivations/05): E[Θ] = 6, E[Θ²] = 1163/18,
        // R = 1163/648 = 1.7947530864… (derivations/06: 1.7948).
        let exactMean = 383.0 / 64, exactSecond = 25129.0 / 384
        let exactR = exactSecond / (exactMean * exactMean)
        let giR = 1163.0 / 648
        let m = simulate(constantWidth(6, depth: 3), samples: 400_000, seed: 2022, threads: 2).moments
        #expect(abs((m.mean - exactMean) / m.standardErrorOfMean) < 4, "E[Θ] \(m.mean) ± \(m.standardErrorOfMean)")
        #expect(abs((m.secondMoment - exactSecond) / m.standardErrorOfSecondMoment) < 4,
                "E[Θ²] \(m.secondMoment) ± \(m.standardErrorOfSecondMoment)")
        let zExact = (m.dispersion - exactR) / m.dispersionStandardError
        let zGI = (m.dispersion - giR) / m.dispersionStandardError
        #expect(abs(zExact) < 4, "R \(m.dispersion) ± \(m.dispersionStandardError) vs exact \(exactR)")
        #expect(zGI > 4, "R \(m.dispersion) ± \(m.dispersionStandardError) vs GI \(giR)")
    }

    @Test("check: mc-depth-six-consistent — width 6, depth 6 (λ = 1): E[Θ] and E[Θ²] agree with the exact values (|z| < 4)")
    func depthSixConsistent() {
        // Exact: E[Θ] = 198745793/16777216, E[Θ²] = 7380320238439/8153726976 (R = 6.45005).
        let exactMean = 198_745_793.0 / 16_777_216
        let exactSecond = 7_380_320_238_439.0 / 8_153_726_976
        let m = simulate(constantWidth(6, depth: 6), samples: 150_000, seed: 2023, threads: 2).moments
        #expect(abs((m.mean - exactMean) / m.standardErrorOfMean) < 4, "E[Θ] \(m.mean) ± \(m.standardErrorOfMean)")
        #expect(abs((m.secondMoment - exactSecond) / m.standardErrorOfSecondMoment) < 4,
                "E[Θ²] \(m.secondMoment) ± \(m.standardErrorOfSecondMoment)")
    }

    @Test("check: mc-plugin-biased-low — heavy tails (width 2, depth 5): the plug-in dispersion is biased low and its 2-SE interval misses")
    func pluginBiasedLow() {
        // Exact R for widths 2,2,2,2,2 (σ² = 2, ‖x‖² = β = 1): 3354.3046875 / 8.734375² = 43.968…
        let exactR = 3354.3046875 / (8.734375 * 8.734375)
        let runs = 100
        var below = 0, missedFromAbove = 0, sum = 0.0
        for run in 0..<runs {
            let m = simulate(constantWidth(2, depth: 5), samples: 1000, seed: UInt64(5000 + run)).moments
            sum += m.dispersion
            if m.dispersion < exactR { below += 1 }
            if exactR > m.dispersion + 2 * m.dispersionStandardError { missedFromAbove += 1 }
        }
        // An unbiased, well-calibrated estimator would give about 50 below and 2–3 misses.
        #expect(below >= 65, "\(below) of \(runs) runs below the exact R")
        #expect(missedFromAbove >= 25, "\(missedFromAbove) of \(runs) intervals entirely below the exact R")
        #expect(sum / Double(runs) < exactR, "average plug-in R \(sum / Double(runs)) vs exact \(exactR)")
    }
}
