// Release-mode benchmarks for `make bench`: each case runs several times and reports the
// median wall time and the throughput, next to the target it is measured against.
import Foundation
import MonteCarlo
import Multiprecision
import NTKMoments

func seconds(_ body: () -> Void) -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

/// `ntk-bench WORD` runs only the cases whose name contains WORD.
let benchFilter = CommandLine.arguments.dropFirst().first

func report(_ name: String, runs: Int, work: Double, unit: String, target: String, _ body: () -> Void) {
    guard benchFilter.map({ name.contains($0) }) ?? true else { return }
    body()  // warm-up
    let times = (0..<runs).map { _ in seconds(body) }
    let m = median(times)
    let throughput = work / m
    let rate = throughput >= 1e6 ? String(format: "%.2fe6", throughput / 1e6) : String(format: "%.0f", throughput)
    print(name.padding(toLength: 58, withPad: " ", startingAt: 0)
          + String(format: "%10.2f ms", m * 1000) + "   " + "\(rate) \(unit)".padding(toLength: 22, withPad: " ", startingAt: 0)
          + "target: \(target)")
}

/// Through `MomentSummary`, the path `ntk moments` takes (specialized inside the library).
func summary(_ a: Architecture, _ mode: ArithmeticMode) {
    _ = try! MomentSummary(architecture: a, mode: mode)
}

print("ntk-bench: medians of several runs, release build, \(ProcessInfo.processInfo.activeProcessorCount) cores")
print(String(repeating: "-", count: 110))

// Issue 11: the infinite-width kernel matrix (1000 inputs, depth 50; 499,500 off-diagonal pairs).
do {
    var g = SystemRandomNumberGenerator()
    let kernelNet = try! Architecture(width: 100, depth: 50, inputDimension: 10, sigma2: 2)
    let inputs = (0..<1000).map { _ in (0..<10).map { _ in Double.random(in: -1...1, using: &g) } }
    let doubleKernel = try! InfiniteWidthKernel(architecture: kernelNet)
    report("kernel matrix 1000 inputs, depth 50, Double, 2 threads", runs: 5, work: 499_500, unit: "pairs/s", target: "< 1 s") {
        _ = try! doubleKernel.matrix(inputs: inputs, threads: 2)
    }
    // 100 inputs (4950 pairs) stand for the 499,500 pairs of 1000 inputs: multiply by 100.9.
    let small = Array(inputs.prefix(100))
    func exactGram<A: KernelArithmetic>(_ a: A) -> KernelGram<A.Scalar> {
        KernelGram(vectors: small.map { $0.map { a.constant(BigRational(exactly: $0)!) } }, zero: a.constant(0))
    }
    let mpfr = try! MPFRKernelArithmetic(precision: 256)
    let mpfrKernel = InfiniteWidthKernelRecursion(architecture: kernelNet, arithmetic: mpfr)
    let mpfrGram = exactGram(mpfr)
    report("kernel matrix 100 inputs (4950 pairs), depth 50, 256-bit MPFR, 2 thr", runs: 3, work: 4950, unit: "pairs/s",
           target: "x100.9 for 1000 inputs: ~1 min") {
        _ = mpfrKernel.matrix(gram: mpfrGram, threads: 2)
    }
    let certified = try! EnclosureKernelArithmetic(precision: 256)
    let certifiedKernel = InfiniteWidthKernelRecursion(architecture: kernelNet, arithmetic: certified)
    let certifiedGram = exactGram(certified)
    report("kernel matrix 100 inputs, depth 50, 256-bit certified, 2 thr", runs: 3, work: 4950, unit: "pairs/s", target: "(information)") {
        _ = certifiedKernel.matrix(gram: certifiedGram, threads: 2)
    }
    // The transcendental functions one layer of one pair costs, 256 bits.
    let x = BigFloat(0.7, precision: 256), y = BigFloat(0.3, precision: 256)
    let n = 20_000
    report("  MPFR 256-bit sin_cos", runs: 3, work: Double(n), unit: "calls/s", target: "(information)") { for _ in 0..<n { _ = x.sineAndCosine() } }
    report("  MPFR 256-bit asin", runs: 3, work: Double(n), unit: "calls/s", target: "(information)") { for _ in 0..<n { _ = y.arcsine() } }
    report("  MPFR 256-bit fastArcsine (table and series)", runs: 3, work: Double(n), unit: "calls/s", target: "(information)") {
        for _ in 0..<n { _ = y.fastArcsine() }
    }
    report("  MPFR 256-bit sqrt", runs: 3, work: Double(n), unit: "calls/s", target: "(information)") { for _ in 0..<n { _ = y.squareRoot() } }
    report("  MPFR 256-bit atan2", runs: 3, work: Double(n), unit: "calls/s", target: "(information)") { for _ in 0..<n { _ = BigFloat.arctangent2(y: y, x: x) } }
    report("  MPFR 256-bit multiply", runs: 3, work: Double(n), unit: "calls/s", target: "(information)") { for _ in 0..<n { _ = x * y } }
    report("  MPFR 300-bit sin_cos (raised precision at small angles)", runs: 3, work: Double(n), unit: "calls/s", target: "(information)") {
        let z = BigFloat(0.01, precision: 300)
        for _ in 0..<n { _ = z.sineAndCosine() }
    }
}
if benchFilter == "kernel" || benchFilter == "MPFR 256" { exit(0) }

let deep = try! Architecture(width: 1000, depth: 1_000_000, sigma2: 2)
report("constant width M=1000, L=10^6, 256-bit MPFR", runs: 7, work: 1e6, unit: "layers/s", target: "< 20 ms") {
    summary(deep, .mpfr(precision: 256))
}

let alternatingCount = 100_000
let alternating = try! Architecture(widths: [100] + (0..<alternatingCount).map { $0 % 2 == 0 ? 101 : 100 }, sigma2: 2)
report("alternating widths 100,101, L=10^5, 256-bit MPFR", runs: 5, work: Double(alternatingCount), unit: "layers/s", target: ">= 2e5 layers/s") {
    summary(alternating, .mpfr(precision: 256))
}
report("alternating widths 100,101, L=10^5, Double", runs: 7, work: Double(alternatingCount), unit: "layers/s", target: ">= 5e6 layers/s") {
    summary(alternating, .double)
}
var generator = SystemRandomNumberGenerator()
let varied = try! Architecture(widths: [100] + (0..<20_000).map { _ in Int.random(in: 50...5000, using: &generator) }, sigma2: 2)
report("20000 distinct random widths (no reuse), 256-bit MPFR", runs: 3, work: 20_000, unit: "layers/s", target: "(information)") {
    summary(varied, .mpfr(precision: 256))
}
report("20000 distinct random widths (no reuse), Double", runs: 3, work: 20_000, unit: "layers/s", target: "(information)") {
    summary(varied, .double)
}

let exactCase = try! Architecture(width: 100, depth: 300, sigma2: 2)
report("exact rationals, M=100, L=300", runs: 3, work: 300, unit: "layers/s", target: "< 1 s") {
    summary(exactCase, .exact)
}
report("certified enclosure, M=1000, L=10^6, 256-bit", runs: 5, work: 1e6, unit: "layers/s", target: "(information)") {
    summary(deep, .certified(precision: 256))
}

let study = ConvergenceStudy.default
report("default convergence table (45 rows, 128-bit)", runs: 3, work: 45, unit: "rows/s", target: "seconds") {
    for g in study.groups { _ = try! study.rows(for: g) }
}
var extended = ConvergenceStudy.default
extended.lambdaValues.append(2)
extended.widths.append(1_000_000)
report("extended table (M to 10^6, lambda to 2; 72 rows)", runs: 3, work: 72, unit: "rows/s", target: "seconds") {
    for g in extended.groups { _ = try! extended.rows(for: g) }
}

let mc = SimulatedArchitecture(inputDimension: 100, hiddenWidths: Array(repeating: 100, count: 49), sigma2: 2, inputNorm2: 1)
let threads = ProcessInfo.processInfo.activeProcessorCount
report("Monte Carlo width 100, depth 50, 4096 samples, \(threads) threads", runs: 5, work: 4096, unit: "samples/s", target: ">= 500 samples/s") {
    _ = simulate(mc, samples: 4096, seed: 1, threads: threads)
}

// Issue 14: higher moments, the reduced-model sampler, general widths without periodicity.
var seeded = SystemRandomNumberGenerator()
let irregularCount = 100_000
let irregular = try! Architecture(widths: [100] + (0..<irregularCount).map { _ in [100, 101, 102].randomElement(using: &seeded)! }, sigma2: 2)
report("irregular widths from {100,101,102}, L=10^5, 256-bit MPFR", runs: 5, work: Double(irregularCount), unit: "layers/s", target: ">= 5e5 layers/s") {
    summary(irregular, .mpfr(precision: 256))
}
let periodic = try! Architecture(inputDimension: 100, hiddenRuns: (0..<1_000_000).flatMap { _ in [WidthRun(width: 100, count: 1), WidthRun(width: 101, count: 1)] }, sigma2: 2)
report("periodic (100,101)x10^6, L=2·10^6, 256-bit MPFR", runs: 5, work: 2e6, unit: "layers/s", target: "O(log L): < 50 ms") {
    summary(periodic, .mpfr(precision: 256))
}
let irregular4 = try! Architecture(widths: [100] + (0..<20_000).map { _ in [100, 101, 102].randomElement(using: &seeded)! }, sigma2: 2)
report("E[Θ⁴], irregular widths, L=2·10^4, 256-bit MPFR", runs: 3, work: 20_000, unit: "layers/s", target: ">= 2e4 layers/s") {
    _ = TupleMomentRecursion(arithmetic: MPFRArithmetic(precision: 256, sigma2: 2, inputNorm2: 1), order: 4).moment(of: irregular4)
}
report("E[Θ⁴], constant width M=1000, L=10^6, 256-bit MPFR", runs: 5, work: 1e6, unit: "layers/s", target: "< 100 ms") {
    _ = TupleMomentRecursion(arithmetic: MPFRArithmetic(precision: 256, sigma2: 2, inputNorm2: 1), order: 4).moment(of: deep)
}
// Issue 12: the exact first-step change E[fQ], same speed class as E[Θ²].
report("E[fQ], irregular widths from {100,101,102}, L=10^5, 256-bit MPFR", runs: 5, work: Double(irregularCount), unit: "layers/s", target: ">= 1e5 layers/s") {
    _ = FirstStepRecursion(arithmetic: MPFRArithmetic(precision: 256, sigma2: 2, inputNorm2: 1)).expectation(of: irregular)
}
report("E[fQ], constant width M=1000, L=10^6, 256-bit MPFR", runs: 7, work: 1e6, unit: "layers/s", target: "O(log L): < 20 ms") {
    _ = FirstStepRecursion(arithmetic: MPFRArithmetic(precision: 256, sigma2: 2, inputNorm2: 1)).expectation(of: deep)
}
report("E[fQ] summary (E[fQ], E[Θ], bounds), irregular L=10^5, 256-bit", runs: 3, work: Double(irregularCount), unit: "layers/s", target: "(information)") {
    _ = try! FirstStepSummary(architecture: irregular, mode: .mpfr(precision: 256))
}
let reduced = ReducedNetwork(inputDimension: 1000, hiddenRuns: [.init(width: 1000, count: 99)], sigma2: 2, inputNorm2: 1, trainableBiases: true)
report("distribution: width 1000, depth 100, 10^5 samples, \(threads) threads", runs: 3, work: 1e5, unit: "samples/s", target: ">= 1e5 samples/s") {
    _ = sampleDistribution(reduced, reference: 200, thresholds: [2], samples: 100_000, seed: 1, threads: threads)
}
report("expand σ²=2.5, λ=1 (c1…c3, 25 digits)", runs: 3, work: 1, unit: "runs/s", target: "(information)") {
    _ = try! FiniteWidthExpansion(family: .init(sigma2: BigRational(5, 2), lambda: 1), order: 3, digits: 30, points: 12)
}

// Issue 11: off-diagonal Θ(x, x′) on explicit networks, 11 correlations per network in one batch.
let offdiagNet = SimulatedArchitecture(inputDimension: 100, hiddenWidths: Array(repeating: 100, count: 19), sigma2: 2, inputNorm2: 1)
let elevenCorrelations = (0...10).map { Double($0) / 10 }
report("offdiag: width 100, depth 20, 11 correlations, 2 threads", runs: 3, work: 1000, unit: "samples/s", target: ">= 300 samples/s") {
    _ = try! simulateOffDiagonal(offdiagNet, correlations: elevenCorrelations, samples: 1000, seed: 1, threads: 2)
}
report("offdiag: width 100, depth 20, 1 correlation, 2 threads", runs: 3, work: 1000, unit: "samples/s", target: "(information: cost of one pair)") {
    _ = try! simulateOffDiagonal(offdiagNet, correlations: [0.5], samples: 1000, seed: 1, threads: 2)
}
report("offdiag: width 100, depth 20, one input (Θ(x,x) only), 2 threads", runs: 3, work: 1000, unit: "samples/s", target: "(information: one input)") {
    _ = try! simulateOffDiagonal(offdiagNet, correlations: [], samples: 1000, seed: 1, threads: 2)
}
report("offdiag: width 100, depth 20, 11 correlations, 1 thread", runs: 3, work: 500, unit: "samples/s", target: "(information)") {
    _ = try! simulateOffDiagonal(offdiagNet, correlations: elevenCorrelations, samples: 500, seed: 1, threads: 1)
}
report("Θ(x,x) sampler (validate), width 100, depth 20, 1 thread", runs: 3, work: 2000, unit: "samples/s", target: "(information: single input)") {
    _ = simulate(offdiagNet, samples: 2000, seed: 1, threads: 1)
}
// Issue 12: simulated gradient steps and training runs on the shared ExplicitNetwork.
let stepExperiment = try! GradientStepExperiment(
    architecture: SimulatedArchitecture(inputDimension: 100, hiddenWidths: Array(repeating: 100, count: 19), sigma2: 2, inputNorm2: 1),
    learningRates: [1e-3], target: 0, correlation: nil)
report("simulated GD steps, width 100, depth 20, 1000 networks, 2 threads", runs: 3, work: 1000, unit: "steps/s", target: ">= 200 steps/s") {
    _ = simulateGradientSteps(stepExperiment, samples: 1000, seed: 1, threads: 2)
}
let trainingData = try! TrainingSet.sphere(count: 100, dimension: 300, seed: 1) { $0[0] }
let trainingArchitecture = SimulatedArchitecture(inputDimension: 300, hiddenWidths: Array(repeating: 300, count: 19), sigma2: 2, inputNorm2: 1)
report("training step (full-batch GD), width 300, depth 20, 100 inputs", runs: 3, work: 5, unit: "steps/s", target: "(information)") {
    _ = try! trainNetwork(trainingArchitecture, data: trainingData, optimizer: .gd, learningRate: .absolute(1e-3), steps: 5,
                          recordEvery: 1000, track: 1, seed: 1)
}
// The matrix–matrix kernel of training (hand-written loops), for comparison with a BLAS dgemm:
// one forward and one backward pass at width 300, depth 20, batch 100 is 2·2·Σ_l n_l n_{l-1}·100 flops.
let passNetwork = try! ExplicitNetwork(architecture: trainingArchitecture, seed: 1, sample: 0)
let batchPass = NetworkPass(layerWidths: passNetwork.layerWidths, batchCapacity: 100)
for a in 0..<100 { batchPass.setInput(a, trainingData.input(a)) }
let passFlops = 4.0 * 100 * Double((1..<passNetwork.layerWidths.count).reduce(0) { $0 + passNetwork.layerWidths[$1] * passNetwork.layerWidths[$1 - 1] })
report("forward+backward pass, width 300, depth 20, batch 100 (GFLOP/s)", runs: 5, work: passFlops / 1e9 * 10, unit: "GFLOP/s", target: "(information)") {
    for _ in 0..<10 { batchPass.compute(passNetwork, batch: 100) }
}
var benchGradient: [Double] = []
let gradientCoefficients = [Double](repeating: 0.01, count: 100)
report("weighted gradient Σ c_a ∇f(x_a), same network (GFLOP/s)", runs: 5, work: passFlops / 2e9 * 10, unit: "GFLOP/s", target: "(information)") {
    for _ in 0..<10 { batchPass.weightedGradient(passNetwork, weights: gradientCoefficients, into: &benchGradient) }
}
