import Foundation
import Testing

@testable import MonteCarlo

/// Deterministic pseudo-random vectors for the tests (not the simulator's streams).
private func randomVectors(count: Int, dimension: Int, seed: UInt64) -> [[Double]] {
    var g = Xoshiro256PlusPlus(key: seed)
    return (0..<count).map { _ in (0..<dimension).map { _ in ZigguratGaussian.shared.next(using: &g) } }
}

@Suite("Gradient steps: the fixed-pattern tangent Q, the smooth and kink parts, E[fQ] against exact values")
struct GradientStepTests {
    /// Θ matrix and outputs of `net` on `inputs`, with the pass kept for pattern comparisons.
    func evaluate(_ net: ExplicitNetwork, _ inputs: [[Double]]) throws -> (NetworkPass, [Double], [Double]) {
        let pass = try net.pass(inputs)
        return (pass, pass.ntkMatrix(), (0..<inputs.count).map(pass.output))
    }

    @Test("check: q-finite-differences — the fixed-pattern tangent of f and Θ(x_a, x_b) equals central differences when no unit crosses; Q along ∇f, ḟ = Θ")
    func tangentMatchesFiniteDifferences() throws {
        var checked = 0
        for (sample, biases) in [(0, true), (1, false), (2, true), (3, true)] {
            let net = try ExplicitNetwork(inputDimension: 4, hiddenWidths: [5, 3, 4], sigma2: 2.2, trainableBiases: biases, seed: 31, sample: sample)
            let inputs = randomVectors(count: 2, dimension: 4, seed: UInt64(sample) + 7)
            let (pass, kernel, _) = try evaluate(net, inputs)
            let gradient = pass.gradient(net, input: 0)
            let random = randomVectors(count: 1, dimension: net.parameterCount, seed: 99 + UInt64(sample))[0]
            for direction in [gradient, random] {
                let tangent = pass.fixedPatternTangent(net, direction: direction)
                let t = 1e-6
                let (plusPass, plusKernel, plusOut) = try evaluate(net.updated(along: direction, step: t), inputs)
                let (minusPass, minusKernel, minusOut) = try evaluate(net.updated(along: direction, step: -t), inputs)
                // Central differences are the fixed-pattern derivative only if no unit crossed.
                guard (0..<2).allSatisfy({ pass.samePatterns($0, as: plusPass, $0) && pass.samePatterns($0, as: minusPass, $0) }) else { continue }
                checked += 1
                for k in 0..<4 {
                    let fd = (plusKernel[k] - minusKernel[k]) / (2 * t)
                    #expect(abs(fd - tangent.kernel[k]) <= 1e-6 * max(1, abs(fd)), "Θ̇[\(k)] \(tangent.kernel[k]) vs \(fd)")
                }
                for a in 0..<2 {
                    let fd = (plusOut[a] - minusOut[a]) / (2 * t)
                    #expect(abs(fd - tangent.outputs[a]) <= 1e-6 * max(1, abs(fd)))
                }
            }
            // Along ∇f(x_0): ḟ(x_0) = ‖∇f‖² = Θ(x_0, x_0).
            let q = pass.fixedPatternTangent(net, direction: gradient)
            #expect(abs(q.outputs[0] - kernel[0]) <= 1e-12 * kernel[0])
        }
        #expect(checked >= 6, "too few directions without crossings were checked: \(checked)")
    }

    @Test("the vectorised weighted gradient equals the network's own Σ_a c_a ∇f(x_a), with and without biases")
    func weightedGradientAgrees() throws {
        for biases in [true, false] {
            let net = try ExplicitNetwork(inputDimension: 3, hiddenWidths: [4, 5], sigma2: 2.5, trainableBiases: biases, seed: 8, sample: 1)
            let pass = try net.pass(randomVectors(count: 4, dimension: 3, seed: 3))
            let c = [0.5, -1, 2, 0]
            var fast: [Double] = []
            pass.weightedGradient(net, weights: c, into: &fast)
            let reference = pass.gradient(net, weights: c)
            #expect(fast.count == reference.count)
            for (u, v) in zip(fast, reference) { #expect(abs(u - v) <= 1e-13 * max(1, abs(v))) }
        }
    }

    @Test("check: kink-is-crossings — per network, ΔΘ/η + (f − y)Q is O(η) when no unit crosses and O(1)/η·η-sized jumps otherwise")
    func kinkComesFromCrossings() throws {
        let architecture = SimulatedArchitecture(inputDimension: 3, hiddenWidths: [2, 2], sigma2: 2, inputNorm2: 1)
        var sawCrossing = false, sawSmooth = 0
        for sample in 0..<600 {
            let net = try ExplicitNetwork(architecture: architecture, seed: 5, sample: sample)
            let input = [[1.0, 0, 0]]
            let pass = try net.pass(input)
            let theta = pass.ntk(0, 0), f = pass.output(0)
            let gradient = pass.gradient(net, input: 0)
            let q = pass.fixedPatternTangent(net, direction: gradient).kernel[0]
            var remainders: [Double] = []
            var crossed: [Bool] = []
            for eta in [3e-2, 3e-3] {
                let after = try net.updated(along: gradient, step: -eta * f).pass(input)
                remainders.append((after.ntk(0, 0) - theta) / eta + f * q)
                crossed.append(!after.samePatterns(0, as: pass, 0))
            }
            if !crossed[0] && !crossed[1] && abs(remainders[0]) > 1e-9 {
                // Smooth: the remainder is the O(η) curvature term, ten times smaller at η/10.
                #expect(abs(remainders[1] / remainders[0] - 0.1) < 0.05, "sample \(sample): \(remainders)")
                sawSmooth += 1
            }
            for (k, eta) in [3e-2, 3e-3].enumerated() where crossed[k] {
                // A crossing: Θ jumps by an amount that does not shrink with η.
                #expect(abs(remainders[k] * eta) > 1e-6 * theta, "sample \(sample): a crossing without a jump")
                sawCrossing = true
            }
        }
        #expect(sawSmooth > 100)
        #expect(sawCrossing)
    }

    /// E[fQ] of simulated steps against a golden value (|z| < 4).
    func expectFQ(_ inputDimension: Int, _ hidden: [Int], sigma2: Double, inputNorm2: Double = 1, exact: Double, samples: Int) throws {
        let experiment = try GradientStepExperiment(
            architecture: SimulatedArchitecture(inputDimension: inputDimension, hiddenWidths: hidden, sigma2: sigma2, inputNorm2: inputNorm2),
            learningRates: [1e-3], target: 0, correlation: nil)
        let run = simulateGradientSteps(experiment, samples: samples, seed: 2026, threads: 2)
        let fq = run.statistic.fQ
        let z = (fq.mean - exact) / fq.standardError
        #expect(abs(z) < 4, "\([inputDimension] + hidden) σ² = \(sigma2): E[fQ] = \(fq.mean) ± \(fq.standardError), exact \(exact), z = \(z)")
        #expect(fq.standardError < 0.2 * exact, "too few samples to test anything: \(fq.standardError) vs \(exact)")
        // E[Q] = 0 by the sign symmetry W^L → −W^L.
        #expect(abs(run.statistic.q.mean / run.statistic.q.standardError) < 4)
    }

    @Test("check: fq-simulated-agreement — simulated E[fQ] agrees with the exact values of derivations/11 on six architectures in the three phases (|z| < 4)")
    func simulatedFQAgreesWithExact() throws {
        try expectFQ(3, [2, 2], sigma2: 1.5, exact: 63.0 / 4, samples: 30_000)             // ordered
        try expectFQ(3, [2, 2], sigma2: 2, exact: 440.0 / 9, samples: 30_000)              // edge of chaos
        try expectFQ(3, [2, 2], sigma2: 2.5, exact: 2125.0 / 18, samples: 30_000)          // chaotic
        try expectFQ(3, [2], sigma2: 2, inputNorm2: 2, exact: 16, samples: 20_000)         // L = 2: 2σ⁴X0(X0+β)/n0
        try expectFQ(4, [3, 3, 3], sigma2: 2, exact: 150, samples: 15_000)
        try expectFQ(5, [7, 6], sigma2: 2, exact: 10016.0 / 525, samples: 8_000)
    }

    @Test("gradient-step runs are bit-identical for 1 and 3 threads, stop at a prefix under a time budget, and shards add up to the whole")
    func reproducibility() throws {
        let experiment = try GradientStepExperiment(
            architecture: SimulatedArchitecture(inputDimension: 3, hiddenWidths: [4, 3], sigma2: 2.5, inputNorm2: 1),
            learningRates: [1e-2, 1e-3], target: 0.5, correlation: 0.3)
        let one = simulateGradientSteps(experiment, samples: 3000, seed: 4, threads: 1).statistic
        let three = simulateGradientSteps(experiment, samples: 3000, seed: 4, threads: 3).statistic
        #expect(one == three)
        var merged = simulateGradientSteps(experiment, samples: 1000, seed: 4).statistic
        merged.merge(simulateGradientSteps(experiment, samples: 2000, firstSample: 1000, seed: 4).statistic)
        #expect(merged.count == 3000)
        for k in 0..<2 {
            #expect(abs(merged.step(k).deltaOverEta.mean - one.step(k).deltaOverEta.mean) <= 1e-9 * max(1, abs(one.step(k).deltaOverEta.mean)))
        }
        #expect(one.offDiagonalStep(1, rates: 2) != nil && one.offDiagonal(rates: 2) != nil)
        let none = simulateGradientSteps(experiment, samples: 3000, maxSeconds: 0, seed: 4, threads: 2)
        #expect(none.statistic.count == 0 && none.stoppedBy == .timeBudget)
    }

    @Test("gradient-step experiments refuse bad rates, targets and correlations")
    func badExperiments() {
        let a = SimulatedArchitecture(inputDimension: 1, hiddenWidths: [2], sigma2: 2, inputNorm2: 1)
        #expect(throws: TrainingDataError.self) { try GradientStepExperiment(architecture: a, learningRates: [0], target: 0, correlation: nil) }
        #expect(throws: TrainingDataError.self) { try GradientStepExperiment(architecture: a, learningRates: [], target: 0, correlation: nil) }
        #expect(throws: TrainingDataError.self) { try GradientStepExperiment(architecture: a, learningRates: [-1], target: 0, correlation: nil) }
        #expect(throws: TrainingDataError.self) { try GradientStepExperiment(architecture: a, learningRates: [1], target: .nan, correlation: nil) }
        #expect(throws: TrainingDataError.self) { try GradientStepExperiment(architecture: a, learningRates: [1], target: 0, correlation: 0.5) }
        #expect(throws: TrainingDataError.self) { try GradientStepExperiment(architecture: a, learningRates: [1], target: 0, correlation: 2) }
    }
}

@Suite("Training: datasets, optimizers, kernel measures, training runs")
struct TrainingTests {
    @Test("CSV datasets: last column is the target, header and comments skipped; malformed files throw one clear message")
    func csv() throws {
        let set = try TrainingSet.parseCSV("# comment\nx1,x2,y\n1,2,3\n\n-4.5, 5e-1 ,6\r\n")
        #expect(set.dimension == 2 && set.count == 2)
        #expect(set.inputs == [1, 2, -4.5, 0.5] && set.targets == [3, 6])
        let bad: [(String, String)] = [
            ("", "no data rows"), ("# only\n", "no data rows"), ("a,b\n", "no data rows"),
            ("1,2\n1,2,3\n", "line 2: 3 fields"), ("1,x\n", "line 1, column 2"), ("1,nan\n", "not a finite number"),
            ("1,1e999\n", "not a finite number"), ("5\n", "at least one input"), ("1,2\n3,\n", "column 2"),
        ]
        for (text, message) in bad {
            do {
                _ = try TrainingSet.parseCSV(text)
                Issue.record("accepted \(text.debugDescription)")
            } catch let e as TrainingDataError {
                #expect(e.description.contains(message), "\(text.debugDescription): \(e.description)")
                #expect(!e.description.contains("\n"))
            }
        }
    }

    @Test("synthetic sets: sphere inputs have the requested norm, mixtures three balanced classes, both seeded and prefix-stable")
    func synthetic() throws {
        let sphere = try TrainingSet.sphere(count: 10, dimension: 5, inputNorm2: 2, seed: 3) { $0[0] }
        for a in 0..<10 {
            let x = sphere.input(a)
            #expect(abs(x.reduce(0) { $0 + $1 * $1 } - 2) < 1e-12)
            #expect(sphere.targets[a] == x[0])
        }
        let smaller = try TrainingSet.sphere(count: 4, dimension: 5, inputNorm2: 2, seed: 3) { $0[0] }
        #expect(Array(sphere.inputs.prefix(20)) == smaller.inputs)
        let mixture = try TrainingSet.gaussianMixture(count: 9, dimension: 4, seed: 3)
        #expect(mixture.targets == [-1, 0, 1, -1, 0, 1, -1, 0, 1])
        #expect(try TrainingSet.gaussianMixture(count: 9, dimension: 4, seed: 3) == mixture)
        #expect(try TrainingSet.gaussianMixture(count: 9, dimension: 4, seed: 4) != mixture)
    }

    @Test("GD is −η g; Adam's first step is −η·g/(|g| + ε) and it keeps bias-corrected moment estimates")
    func optimizers() {
        var gd = GradientDescent(parameterCount: 3, learningRate: 0.1)
        #expect(gd.update(gradient: [1, -2, 0]) == [-0.1, 0.2, -0])
        var adam = Adam(parameterCount: 3, learningRate: 0.01)
        let first = adam.update(gradient: [4, -0.5, 0])
        #expect(abs(first[0] + 0.01) < 1e-9 && abs(first[1] - 0.01) < 1e-9 && first[2] == 0)
        // Second step with the same gradient: m̂ = g, v̂ = g², the same update again.
        let second = adam.update(gradient: [4, -0.5, 0])
        #expect(abs(second[0] + 0.01) < 1e-9 && adam.steps == 2)
    }

    @Test("kernel measures: relative change, alignment (1 for Θ ∝ yyᵀ) and loss")
    func measures() {
        let y = [1.0, -2, 0.5]
        let kernel = y.flatMap { a in y.map { 3 * a * $0 } }
        #expect(abs(KernelTrainingMeasures.alignment(kernel: kernel, targets: y) - 1) < 1e-14)
        let identity: [Double] = [1, 0, 0, 0, 1, 0, 0, 0, 1]
        #expect(abs(KernelTrainingMeasures.alignment(kernel: identity, targets: y) - 1 / 3.0.squareRoot()) < 1e-14)
        #expect(abs(KernelTrainingMeasures.relativeChange(current: identity.map { 2 * $0 }, initial: identity) - 1) < 1e-15)
        #expect(KernelTrainingMeasures.loss(outputs: [1, 2], targets: [0, 0]) == 1.25)
    }

    @Test("training: GD lowers the loss of a small network, records the schedule, is deterministic, and refuses a mismatched dimension")
    func training() throws {
        let data = try TrainingSet.gaussianMixture(count: 12, dimension: 4, seed: 1)
        let a = SimulatedArchitecture(inputDimension: 4, hiddenWidths: [8, 8], sigma2: 2, inputNorm2: 1)
        let run = try trainNetwork(a, data: data, optimizer: .gd, learningRate: .relativeToKernel(0.5), steps: 50, recordEvery: 20,
                                   track: 5, seed: 3)
        #expect(run.records.map(\.step) == [0, 20, 40, 50])
        #expect(run.records[0].relativeKernelChange == 0)
        #expect(run.records.last!.loss < run.records[0].loss)
        let again = try trainNetwork(a, data: data, optimizer: .gd, learningRate: .relativeToKernel(0.5), steps: 50, recordEvery: 20,
                                     track: 5, seed: 3)
        #expect(again.records == run.records)
        let adam = try trainNetwork(a, data: data, optimizer: .adam, learningRate: .absolute(1e-3), steps: 30, recordEvery: 30, track: 5, seed: 3)
        #expect(adam.records.last!.loss < adam.records[0].loss)
        let wrong = SimulatedArchitecture(inputDimension: 3, hiddenWidths: [8], sigma2: 2, inputNorm2: 1)
        #expect(throws: TrainingDataError.self) {
            try trainNetwork(wrong, data: data, optimizer: .gd, learningRate: .absolute(0.1), steps: 1, recordEvery: 1, track: 1, seed: 1)
        }
    }
}

@Suite("VectorMeans")
struct VectorMeansTests {
    @Test("means and standard errors of several quantities; empty statistics give NaN, never a trap")
    func vectorMeans() {
        var m = VectorMeans()
        #expect(m.mean(0).isNaN && m.standardError(3).isNaN && m.dimension == 0)
        m.add([1, 10])
        m.add([3, 10])
        var other = VectorMeans()
        other.add([5, 10])
        m.merge(other)
        m.merge(VectorMeans())
        #expect(m.count == 3 && m.mean(0) == 3 && m.mean(1) == 10)
        #expect(abs(m.standardError(0) - (4.0 / 3).squareRoot()) < 1e-14 && m.standardError(1) == 0)
        #expect(GradientStepStatistics().step(2).kink.mean.isNaN)
    }
}
