import Testing

@testable import MonteCarlo

/// Deterministic pseudo-random inputs for the tests (not the simulator's streams).
private func testVectors(count: Int, dimension: Int, seed: UInt64) -> [[Double]] {
    var g = Xoshiro256PlusPlus(key: seed)
    return (0..<count).map { _ in (0..<dimension).map { _ in ZigguratGaussian.shared.next(using: &g) } }
}

@Suite("ExplicitNetwork: forward/backward passes, NTK, gradients, updates")
struct ExplicitNetworkTests {
    @Test("Θ(x,x) of the explicit network has the exact law: width 6, depth 3 (E[Θ] = 383/64, E[Θ²] = 25129/384, |z| < 4)")
    func diagonalLaw() {
        // Golden values from the independent enumeration quoted in DerivationMonteCarloClaimTests
        // (check: mc-exact-not-gi). The input is a unit vector not on a coordinate axis: the law
        // depends only on ‖x‖² (rotation invariance of W¹).
        let input = [0.6, 0.8, 0, 0, 0, 0]
        let run = runBlocks(samples: 40_000, blockSize: 1024, maxSeconds: nil, threads: 2, progress: nil) { _ in
            let pass = NetworkPass(layerWidths: [6, 6, 6, 1], batchCapacity: 1)
            return { range in
                var m = ThetaMoments()
                for s in range {
                    let net = try! ExplicitNetwork(inputDimension: 6, hiddenWidths: [6, 6], sigma2: 2, seed: 77, sample: s)
                    try! pass.compute(net, inputs: [input])
                    m.add(pass.ntk(0, 0))
                }
                return m
            }
        }
        let m = run.statistic
        let mean = 383.0 / 64, second = 25129.0 / 384
        #expect(abs((m.mean - mean) / m.standardErrorOfMean) < 4, "E[Θ] \(m.mean) ± \(m.standardErrorOfMean)")
        #expect(abs((m.secondMoment - second) / m.standardErrorOfSecondMoment) < 4, "E[Θ²] \(m.secondMoment) ± \(m.standardErrorOfSecondMoment)")
    }

    @Test("the NTK matrix equals J Jᵀ of the per-input parameter gradients, with and without trainable biases")
    func ntkIsGramOfGradients() throws {
        for biases in [true, false] {
            let net = try ExplicitNetwork(inputDimension: 3, hiddenWidths: [4, 5], sigma2: 2.5, trainableBiases: biases, seed: 5, sample: 9)
            #expect(net.parameterCount == 3 * 4 + 4 * 5 + 5 + (biases ? 4 + 5 + 1 : 0))
            let inputs = testVectors(count: 4, dimension: 3, seed: 1)
            let pass = try net.pass(inputs)
            let gradients = (0..<4).map { pass.gradient(net, input: $0) }
            let matrix = pass.ntkMatrix()
            for a in 0..<4 {
                for b in 0..<4 {
                    let gram = zip(gradients[a], gradients[b]).reduce(0) { $0 + $1.0 * $1.1 }
                    #expect(abs(matrix[a * 4 + b] - gram) <= 1e-12 * max(1, abs(gram)))
                }
            }
        }
    }

    @Test("parameter gradients agree with central finite differences of f; loss gradients with those of the loss")
    func gradientsMatchFiniteDifferences() throws {
        var net = try ExplicitNetwork(inputDimension: 3, hiddenWidths: [4, 3], sigma2: 2, seed: 11, sample: 0)
        // Nonzero biases, so that their gradients are exercised away from the initialisation.
        let shift = testVectors(count: 1, dimension: net.parameterCount, seed: 2)[0]
        try net.update(along: shift, step: 0.1)
        let inputs = testVectors(count: 3, dimension: 3, seed: 3)
        let pass = try net.pass(inputs)
        let g = pass.gradient(net, input: 1)
        let h = 1e-6
        for k in 0..<net.parameterCount {
            var e = [Double](repeating: 0, count: net.parameterCount)
            e[k] = 1
            let plus = try net.updated(along: e, step: h).outputs([inputs[1]])[0]
            let minus = try net.updated(along: e, step: -h).outputs([inputs[1]])[0]
            #expect(abs((plus - minus) / (2 * h) - g[k]) < 1e-6, "parameter \(k)")
        }
        let targets = [0.5, -1, 2]
        let lossGradient = try net.lossGradient(inputs: inputs, targets: targets)
        let v = testVectors(count: 1, dimension: net.parameterCount, seed: 4)[0]
        let directional = zip(lossGradient, v).reduce(0) { $0 + $1.0 * $1.1 }
        let fd = (try net.updated(along: v, step: h).loss(inputs: inputs, targets: targets)
            - net.updated(along: v, step: -h).loss(inputs: inputs, targets: targets)) / (2 * h)
        #expect(abs(fd - directional) < 1e-6 * max(1, abs(directional)))
    }

    @Test("an update θ + t·v changes f by t⟨∇f, v⟩ up to O(t²)")
    func updateFirstOrder() throws {
        let net = try ExplicitNetwork(inputDimension: 5, hiddenWidths: [8, 8], sigma2: 2, seed: 21, sample: 3)
        let x = testVectors(count: 1, dimension: 5, seed: 6)
        let f0 = try net.outputs(x)[0]
        let g = try net.pass(x).gradient(net, input: 0)
        let v = testVectors(count: 1, dimension: net.parameterCount, seed: 7)[0]
        let slope = zip(g, v).reduce(0) { $0 + $1.0 * $1.1 }
        var errors: [Double] = []
        for t in [1e-3, 1e-4] {
            let f = try net.updated(along: v, step: t).outputs(x)[0]
            errors.append(abs(f - f0 - t * slope))
        }
        // Second order: a tenfold smaller step makes the remainder about 100 times smaller
        // (exactly 0 when no ReLU changes sign, since f is then affine in each layer's weights
        // but quadratic overall).
        #expect(errors[1] <= errors[0] / 50 + 1e-15)
        #expect(errors[0] < 1e-3 * max(1, abs(slope)))
    }

    @Test("a network is a pure function of (architecture, seed, sample); passes are bit-identical for any thread count")
    func reproducibility() throws {
        let a = try ExplicitNetwork(inputDimension: 4, hiddenWidths: [7], sigma2: 2, seed: 3, sample: 5)
        let b = try ExplicitNetwork(inputDimension: 4, hiddenWidths: [7], sigma2: 2, seed: 3, sample: 5)
        let c = try ExplicitNetwork(inputDimension: 4, hiddenWidths: [7], sigma2: 2, seed: 3, sample: 6)
        #expect(a == b && a != c)
        // Row i of W^l is the start of the stream (seed, sample, l, i), scaled by σ/√n_{l-1}.
        var g = Xoshiro256PlusPlus(key: StreamKey.weightRow(seed: 3, sample: 5, layer: 2, row: 0))
        let z = (0..<7).map { _ in ZigguratGaussian.shared.next(using: &g) }
        #expect((0..<7).allSatisfy { a.parameters[a.weightOffset(2) + $0] == z[$0] * (2.0 / 7).squareRoot() })
        func run(_ threads: Int) -> ThetaMoments {
            runBlocks(samples: 300, blockSize: 16, maxSeconds: nil, threads: threads, progress: nil) { _ in
                let pass = NetworkPass(layerWidths: [4, 7, 7, 1], batchCapacity: 2)
                return { range in
                    var m = ThetaMoments()
                    for s in range {
                        let net = try! ExplicitNetwork(inputDimension: 4, hiddenWidths: [7, 7], sigma2: 2, seed: 8, sample: s)
                        try! pass.compute(net, inputs: [[1, 0, 0, 0], [0.5, 0.5, 0.5, 0.5]])
                        m.add(pass.ntk(0, 1))
                    }
                    return m
                }
            }.statistic
        }
        #expect(run(1) == run(3))
    }

    @Test("bad architectures, inputs and directions throw instead of trapping")
    func badInput() throws {
        #expect(throws: ExplicitNetwork.InvalidArchitecture.self) { try ExplicitNetwork(inputDimension: 0, hiddenWidths: [], sigma2: 2, seed: 1, sample: 0) }
        #expect(throws: ExplicitNetwork.InvalidArchitecture.self) { try ExplicitNetwork(inputDimension: 2, hiddenWidths: [0], sigma2: 2, seed: 1, sample: 0) }
        #expect(throws: ExplicitNetwork.InvalidArchitecture.self) { try ExplicitNetwork(inputDimension: 2, hiddenWidths: [], sigma2: .nan, seed: 1, sample: 0) }
        let net = try ExplicitNetwork(inputDimension: 2, hiddenWidths: [3], sigma2: 2, seed: 1, sample: 0)
        #expect(throws: ExplicitNetwork.InvalidArchitecture.self) { try net.pass([[1, 2, 3]]) }
        #expect(throws: ExplicitNetwork.InvalidArchitecture.self) { try net.pass([]) }
        #expect(throws: ExplicitNetwork.InvalidArchitecture.self) { try net.outputs([[1, .infinity]]) }
        #expect(throws: ExplicitNetwork.InvalidArchitecture.self) { try net.updated(along: [1], step: 1) }
        #expect(throws: ExplicitNetwork.InvalidArchitecture.self) { try net.loss(inputs: [[1, 2]], targets: []) }
    }
}
