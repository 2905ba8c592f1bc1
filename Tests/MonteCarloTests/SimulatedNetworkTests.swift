import Testing

@testable import MonteCarlo

/// A row of the golden table (derivations/03): exact E[Θ] and E[Θ²] of a small network.
struct GoldenCase: Sendable, CustomTestStringConvertible {
    /// `n0, …, n_{L-1}` as written in derivations/01.
    let widths: [Int]
    let sigma2: Double
    let inputNorm2: Double
    let trainableBiases: Bool
    let exactMean: Double
    let exactSecondMoment: Double
    let samples: Int

    var architecture: SimulatedArchitecture {
        SimulatedArchitecture(
            inputDimension: widths[0], hiddenWidths: Array(widths.dropFirst()),
            sigma2: sigma2, inputNorm2: inputNorm2, trainableBiases: trainableBiases)
    }

    var testDescription: String {
        "widths \(widths.map(String.init).joined(separator: ",")), σ² = \(sigma2), "
            + "‖x‖² = \(inputNorm2), \(trainableBiases ? "biases" : "no biases")"
    }
}

@Suite("Explicitly simulated networks")
struct SimulatedNetworkTests {
    @Test("L = 1: Θ = ‖x‖² + β exactly for every sample", arguments: [true, false])
    func singleLayerIsDeterministic(trainableBiases: Bool) {
        let architecture = SimulatedArchitecture(
            inputDimension: 3, hiddenWidths: [], sigma2: 2, inputNorm2: 0.7, trainableBiases: trainableBiases)
        let sampler = NetworkThetaSampler(architecture: architecture, seed: 11)
        let expected = 0.7 + (trainableBiases ? 1 : 0)
        #expect((0..<50).allSatisfy { sampler.theta(sample: $0) == expected })
    }

    @Test("‖x‖² = 0 with L ≥ 2: every layer is dead and Θ = β exactly", arguments: [true, false])
    func zeroInputGivesBeta(trainableBiases: Bool) {
        let architecture = SimulatedArchitecture(
            inputDimension: 4, hiddenWidths: [5, 3, 6], sigma2: 2.5, inputNorm2: 0,
            trainableBiases: trainableBiases)
        let sampler = NetworkThetaSampler(architecture: architecture, seed: 12)
        let expected: Double = trainableBiases ? 1 : 0
        #expect((0..<50).allSatisfy { sampler.theta(sample: $0) == expected })
    }

    @Test("Θ varies from network to network when L ≥ 2 and ‖x‖² > 0")
    func thetaIsRandom() {
        // Width 8: a layer is dead (Θ = β exactly) with probability 2⁻⁸, so nearly every
        // sample must be a distinct value.
        let architecture = SimulatedArchitecture(
            inputDimension: 3, hiddenWidths: [8, 8], sigma2: 2, inputNorm2: 1)
        let sampler = NetworkThetaSampler(architecture: architecture, seed: 13)
        let alive = (0..<100).map { sampler.theta(sample: $0) }.filter { $0 != architecture.beta }
        #expect(alive.count >= 95)
        #expect(Set(alive).count == alive.count)
    }

    static let goldenCases: [GoldenCase] = [
        GoldenCase(
            widths: [1, 1], sigma2: 2, inputNorm2: 1, trainableBiases: true,
            exactMean: 4, exactSecondMoment: 45, samples: 200_000),
        GoldenCase(
            widths: [3, 2, 2], sigma2: 2, inputNorm2: 1, trainableBiases: true,
            exactMean: 61.0 / 12, exactSecondMoment: 8809.0 / 72, samples: 200_000),
        GoldenCase(
            widths: [3, 2, 2], sigma2: 2, inputNorm2: 1, trainableBiases: false,
            exactMean: 7.0 / 3, exactSecondMoment: 1457.0 / 36, samples: 200_000),
        GoldenCase(
            widths: [4, 3, 5], sigma2: 2.5, inputNorm2: 2, trainableBiases: true,
            exactMean: 417.0 / 32, exactSecondMoment: 95587.0 / 192, samples: 100_000),
        GoldenCase(
            widths: [5, 5, 5, 5], sigma2: 2, inputNorm2: 1, trainableBiases: true,
            exactMean: 8097.0 / 1024, exactSecondMoment: 6_486_829.0 / 32000, samples: 100_000),
    ]

    @Test("Monte Carlo E[Θ] and E[Θ²] agree with the exact golden values (|z| < 4)", arguments: goldenCases)
    func agreesWithGoldenValues(_ golden: GoldenCase) {
        let run = simulate(golden.architecture, samples: golden.samples, seed: 2024, threads: 2)
        let moments = run.moments
        #expect(run.samplesCompleted == golden.samples)
        let zMean = (moments.mean - golden.exactMean) / moments.standardErrorOfMean
        let zSecond = (moments.secondMoment - golden.exactSecondMoment) / moments.standardErrorOfSecondMoment
        #expect(abs(zMean) < 4, "E[Θ]: MC \(moments.mean) ± \(moments.standardErrorOfMean), exact \(golden.exactMean)")
        #expect(
            abs(zSecond) < 4,
            "E[Θ²]: MC \(moments.secondMoment) ± \(moments.standardErrorOfSecondMoment), exact \(golden.exactSecondMoment)")
    }

    @Test("Regenerating weight matrices in the backward pass gives the same Θ as storing them")
    func regenerationMatchesStorage() {
        let architecture = SimulatedArchitecture(
            inputDimension: 5, hiddenWidths: [7, 6, 8, 3], sigma2: 2.2, inputNorm2: 1.3)
        let storing = NetworkThetaSampler(
            architecture: architecture, seed: 99, weightStorageLimitBytes: .max)
        let regenerating = NetworkThetaSampler(
            architecture: architecture, seed: 99, weightStorageLimitBytes: 0)
        // Room for W² (6×7 = 42 doubles) but not for W³ (8×6 = 48) or W⁴ (3×8 = 24) as well.
        let mixed = NetworkThetaSampler(
            architecture: architecture, seed: 99, weightStorageLimitBytes: 45 * 8)
        #expect((2...4).allSatisfy { storing.storesWeights(ofLayer: $0) })
        #expect((2...4).allSatisfy { !regenerating.storesWeights(ofLayer: $0) })
        #expect(mixed.storesWeights(ofLayer: 2) && !mixed.storesWeights(ofLayer: 3))
        for sample in (0..<200).reversed() {
            let stored = storing.theta(sample: sample)
            #expect(regenerating.theta(sample: sample) == stored)
            #expect(mixed.theta(sample: sample) == stored)
        }
    }

    @Test("Θ of a sample depends only on (architecture, seed, sample), not on call history")
    func thetaIsAPureFunctionOfTheSample() {
        let architecture = SimulatedArchitecture(
            inputDimension: 3, hiddenWidths: [4, 4], sigma2: 2, inputNorm2: 1)
        let first = NetworkThetaSampler(architecture: architecture, seed: 5)
        let second = NetworkThetaSampler(architecture: architecture, seed: 5)
        let forward = (0..<64).map { first.theta(sample: $0) }
        let backward = (0..<64).reversed().map { second.theta(sample: $0) }
        #expect(forward == Array(backward.reversed()))
    }
}
