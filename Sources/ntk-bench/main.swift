// Release-mode benchmarks for `make bench`: each case runs several times and reports the
// median wall time and the throughput, next to the target it is measured against.
import Experiments
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

/// What a row is measured against.
enum Target {
    /// Throughput at least this many units per second.
    case rate(Double)
    /// Median wall time at most this many seconds.
    case time(Double)
    /// No target: the row informs (e.g. a cost that users should know).
    case information(String)

    var text: String {
        switch self {
        case .rate(let r): return ">= " + rateText(r)
        case .time(let t): return t < 1 ? String(format: "<= %.0f ms", t * 1000) : String(format: "<= %.1f s", t)
        case .information(let why): return "(information\(why.isEmpty ? "" : ": " + why))"
        }
    }
}

func rateText(_ r: Double) -> String {
    r >= 1e6 ? String(format: "%.2fe6", r / 1e6) : r >= 1e4 ? String(format: "%.0fk", r / 1e3) : String(format: "%.0f", r)
}

/// Rows whose target is met only because the input lets the engine skip the work users pay
/// for (a handful of distinct widths cached, a periodic or constant width squared in O(log L)).
/// They are printed, labelled, and do not count.
enum Counting { case counts, trivial(String) }

nonisolated(unsafe) var countedRows = 0, metRows = 0
nonisolated(unsafe) var missed: [String] = []

func report(_ name: String, runs: Int, work: Double, unit: String, target: Target, counting: Counting = .counts, _ body: () -> Void) {
    guard benchFilter.map({ name.contains($0) }) ?? true else { return }
    body()  // warm-up
    let times = (0..<runs).map { _ in seconds(body) }
    let m = median(times)
    let throughput = work / m
    var verdict: String
    switch target {
    case .rate(let r): verdict = throughput >= r ? "met" : "NOT MET"
    case .time(let t): verdict = m <= t ? "met" : "NOT MET"
    case .information: verdict = ""
    }
    if case .trivial(let why) = counting, !verdict.isEmpty {
        verdict += " (trivial input: \(why); does not count)"
    } else if !verdict.isEmpty {
        countedRows += 1
        if verdict == "met" { metRows += 1 } else { missed.append(name) }
    }
    print(name.padding(toLength: 62, withPad: " ", startingAt: 0)
          + String(format: "%10.2f ms", m * 1000) + "   " + "\(rateText(throughput)) \(unit)".padding(toLength: 20, withPad: " ", startingAt: 0)
          + "target \(target.text)".padding(toLength: 24, withPad: " ", startingAt: 0) + verdict)
}

/// Through `MomentSummary`, the path `ntk moments` takes (specialized inside the library).
func summary(_ a: Architecture, _ mode: ArithmeticMode) {
    _ = try! MomentSummary(architecture: a, mode: mode)
}

/// n0 and L − 1 hidden widths drawn uniformly from `range` (fixed seed): no periodicity, and
/// for 60…140 all 81² width pairs occur — what `--widths-file` with random widths is.
func randomWidths(_ count: Int, _ range: ClosedRange<Int>, seed: UInt64) -> [Int] {
    var state = seed
    return (0..<count).map { _ in
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return range.lowerBound + Int((state >> 33) % UInt64(range.count))
    }
}

print("ntk-bench: medians of several runs, release build, \(ProcessInfo.processInfo.activeProcessorCount) cores")
print("Rows marked 'trivial input' meet their target through caching or periodicity and do not count.")
print(String(repeating: "-", count: 130))
let threads = ProcessInfo.processInfo.activeProcessorCount
let mpfr256 = ArithmeticMode.mpfr(precision: 256)

// Issue 22: general widths as users give them (--widths-file with random widths): 81 distinct
// widths, all 81² width pairs, no periodicity.
let generalCount = 200_000
// These two rows time the construction of the architecture from the width list as well (it
// merges runs and totals the widths), so that no per-layer work hides outside the clock.
let generalWidths = randomWidths(generalCount + 1, 60...140, seed: 22)
report("moments, random widths 60…140, L=2·10^5, 256-bit MPFR", runs: 5, work: Double(generalCount), unit: "layers/s", target: .rate(5e5)) {
    summary(try! Architecture(widths: generalWidths, sigma2: 2), mpfr256)
}
report("moments, random widths 60…140, L=2·10^5, Double", runs: 7, work: Double(generalCount), unit: "layers/s", target: .rate(5e6)) {
    summary(try! Architecture(widths: generalWidths, sigma2: 2), .double)
}
let general20k = try! Architecture(widths: randomWidths(20_001, 60...140, seed: 23), sigma2: 2)
report("moments, random widths 60…140, L=2·10^4, 256-bit certified", runs: 3, work: 20_000, unit: "layers/s", target: .information("")) {
    summary(general20k, .certified(precision: 256))
}
let exactGeneral = try! Architecture(widths: randomWidths(301, 60...140, seed: 24), sigma2: 2)
report("moments, random widths 60…140, L=300, exact rationals", runs: 3, work: 300, unit: "layers/s", target: .time(1)) {
    summary(exactGeneral, .exact)
}
report("E[Θ⁴], random widths 60…140, L=2·10^4, 256-bit MPFR", runs: 3, work: 20_000, unit: "layers/s", target: .rate(2e4)) {
    _ = TupleMomentRecursion(arithmetic: MPFRArithmetic(precision: 256, sigma2: 2, inputNorm2: 1), order: 4).moment(of: general20k)
}
let general100k = try! Architecture(widths: randomWidths(100_001, 60...140, seed: 25), sigma2: 2)
report("E[fQ], random widths 60…140, L=10^5, 256-bit MPFR", runs: 5, work: 1e5, unit: "layers/s", target: .rate(1e5)) {
    _ = FirstStepRecursion(arithmetic: MPFRArithmetic(precision: 256, sigma2: 2, inputNorm2: 1)).expectation(of: general100k)
}
report("E[fQ] summary (E[fQ], E[Θ], bounds), random widths, L=10^5, 256-bit", runs: 3, work: 1e5, unit: "layers/s", target: .information("")) {
    _ = try! FirstStepSummary(architecture: general100k, mode: mpfr256)
}
let distinct = try! Architecture(widths: randomWidths(20_001, 50...5000, seed: 26), sigma2: 2)
report("moments, 20000 random widths 50…5000 (pairs never repeat), 256-bit", runs: 3, work: 20_000, unit: "layers/s",
       target: .information("constants per layer")) {
    summary(distinct, mpfr256)
}
report("moments, 20000 random widths 50…5000 (pairs never repeat), Double", runs: 3, work: 20_000, unit: "layers/s",
       target: .information("constants per layer")) {
    summary(distinct, .double)
}

// The same engines on inputs that let them skip work (labelled; they do not count).
let deep = try! Architecture(width: 1000, depth: 1_000_000, sigma2: 2)
report("constant width M=1000, L=10^6, 256-bit MPFR", runs: 7, work: 1e6, unit: "layers/s", target: .time(0.02),
       counting: .trivial("O(log L) squaring")) {
    summary(deep, mpfr256)
}
let alternating = try! Architecture(widths: [100] + (0..<100_000).map { $0 % 2 == 0 ? 101 : 100 }, sigma2: 2)
report("alternating widths 100,101, L=10^5, 256-bit MPFR", runs: 5, work: 1e5, unit: "layers/s", target: .rate(2e5),
       counting: .trivial("periodic")) {
    summary(alternating, mpfr256)
}
report("alternating widths 100,101, L=10^5, Double", runs: 7, work: 1e5, unit: "layers/s", target: .rate(5e6),
       counting: .trivial("2 width pairs")) {
    summary(alternating, .double)
}
let fewWidths = try! Architecture(widths: randomWidths(100_001, 100...102, seed: 27), sigma2: 2)
report("random widths from {100,101,102}, L=10^5, 256-bit MPFR", runs: 5, work: 1e5, unit: "layers/s", target: .rate(5e5),
       counting: .trivial("9 width pairs")) {
    summary(fewWidths, mpfr256)
}
let periodic = try! Architecture(inputDimension: 100, hiddenRuns: (0..<1_000_000).flatMap { _ in [WidthRun(width: 100, count: 1), WidthRun(width: 101, count: 1)] }, sigma2: 2)
report("periodic (100,101)x10^6, L=2·10^6, 256-bit MPFR", runs: 5, work: 2e6, unit: "layers/s", target: .time(0.05),
       counting: .trivial("periodic, O(log L)")) {
    summary(periodic, mpfr256)
}
report("E[Θ⁴], constant width M=1000, L=10^6, 256-bit MPFR", runs: 5, work: 1e6, unit: "layers/s", target: .time(0.1),
       counting: .trivial("O(log L) squaring")) {
    _ = TupleMomentRecursion(arithmetic: MPFRArithmetic(precision: 256, sigma2: 2, inputNorm2: 1), order: 4).moment(of: deep)
}
report("E[fQ], constant width M=1000, L=10^6, 256-bit MPFR", runs: 7, work: 1e6, unit: "layers/s", target: .time(0.02),
       counting: .trivial("O(log L) squaring")) {
    _ = FirstStepRecursion(arithmetic: MPFRArithmetic(precision: 256, sigma2: 2, inputNorm2: 1)).expectation(of: deep)
}
report("certified enclosure, M=1000, L=10^6, 256-bit", runs: 5, work: 1e6, unit: "layers/s", target: .information("O(log L)")) {
    summary(deep, .certified(precision: 256))
}
let study = ConvergenceStudy.default
report("default convergence table (45 rows, 128-bit)", runs: 3, work: 45, unit: "rows/s", target: .time(5)) {
    for g in study.groups { _ = try! study.rows(for: g) }
}
var extended = ConvergenceStudy.default
extended.lambdaValues.append(2)
extended.widths.append(1_000_000)
report("extended table (M to 10^6, lambda to 2; 72 rows)", runs: 3, work: 72, unit: "rows/s", target: .time(10)) {
    for g in extended.groups { _ = try! extended.rows(for: g) }
}
report("expand σ²=2.5, λ=1 (c1…c3, 25 digits)", runs: 3, work: 1, unit: "runs/s", target: .information("")) {
    _ = try! FiniteWidthExpansion(family: .init(sigma2: BigRational(5, 2), lambda: 1), order: 3, digits: 30, points: 12)
}

// Issue 22: deep infinite-width kernels, as `ntk kernel --width 3 --depth 1000000 --correlation 0.5`
// runs them (default: MPFR intervals at 20 digits + 24 + 2·log₂ L guard bits = 139 bits).
let deepKernelNet = try! Architecture(width: 3, depth: 1_000_000, sigma2: 2)
let deepKernel = InfiniteWidthKernelRecursion(architecture: deepKernelNet, arithmetic: try! EnclosureKernelArithmetic(precision: 139))
report("kernel width 3, L=10^6, ρ=0.5, default (139-bit intervals)", runs: 3, work: 1e6, unit: "layers/s", target: .time(5)) {
    _ = try! deepKernel.evaluate(q1: 1, q2: 1, c: BigRational(1, 2))
}
// The cost per layer at 256 bits, for the cost estimate of `ntk kernel` (KernelCommand.checkCost).
let deep256Net = try! Architecture(width: 3, depth: 100_000, sigma2: 2)
let deep256Kernel = InfiniteWidthKernelRecursion(architecture: deep256Net, arithmetic: try! EnclosureKernelArithmetic(precision: 256))
report("kernel width 3, L=10^5, ρ=0.5, 256-bit intervals", runs: 3, work: 1e5, unit: "layers/s", target: .information("cost model")) {
    _ = try! deep256Kernel.evaluate(q1: 1, q2: 1, c: BigRational(1, 2))
}
let deepDoubleKernel = try! InfiniteWidthKernel(architecture: deepKernelNet)
report("kernel width 3, L=10^6, ρ=0.5, Double", runs: 5, work: 1e6, unit: "layers/s", target: .time(0.1)) {
    _ = try! deepDoubleKernel.evaluate(correlation: 0.5)
}
// Issue 11: the infinite-width kernel matrix (1000 inputs, depth 50; 499,500 off-diagonal pairs).
do {
    var g = SystemRandomNumberGenerator()
    let kernelNet = try! Architecture(width: 100, depth: 50, inputDimension: 10, sigma2: 2)
    let inputs = (0..<1000).map { _ in (0..<10).map { _ in Double.random(in: -1...1, using: &g) } }
    let doubleKernel = try! InfiniteWidthKernel(architecture: kernelNet)
    report("kernel matrix 1000 inputs, depth 50, Double, 2 threads", runs: 5, work: 499_500, unit: "pairs/s", target: .time(1)) {
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
    report("kernel matrix 100 inputs (4950 pairs), depth 50, 256-bit MPFR, 2 thr", runs: 3, work: 4950, unit: "pairs/s", target: .information("x100.9 for 1000 inputs")) {
        _ = mpfrKernel.matrix(gram: mpfrGram, threads: 2)
    }
    let certified = try! EnclosureKernelArithmetic(precision: 256)
    let certifiedKernel = InfiniteWidthKernelRecursion(architecture: kernelNet, arithmetic: certified)
    let certifiedGram = exactGram(certified)
    report("kernel matrix 100 inputs, depth 50, 256-bit certified, 2 thr", runs: 3, work: 4950, unit: "pairs/s", target: .information("")) {
        _ = certifiedKernel.matrix(gram: certifiedGram, threads: 2)
    }
    // The transcendental functions one layer of one pair costs, 256 bits.
    let x = BigFloat(0.7, precision: 256), y = BigFloat(0.3, precision: 256)
    let n = 20_000
    report("  MPFR 256-bit sin_cos", runs: 3, work: Double(n), unit: "calls/s", target: .information("")) { for _ in 0..<n { _ = x.sineAndCosine() } }
    report("  MPFR 256-bit asin", runs: 3, work: Double(n), unit: "calls/s", target: .information("")) { for _ in 0..<n { _ = y.arcsine() } }
    report("  MPFR 256-bit fastArcsine (table and series)", runs: 3, work: Double(n), unit: "calls/s", target: .information("")) {
        for _ in 0..<n { _ = y.fastArcsine() }
    }
    report("  MPFR 256-bit sqrt", runs: 3, work: Double(n), unit: "calls/s", target: .information("")) { for _ in 0..<n { _ = y.squareRoot() } }
    report("  MPFR 256-bit atan2", runs: 3, work: Double(n), unit: "calls/s", target: .information("")) { for _ in 0..<n { _ = BigFloat.arctangent2(y: y, x: x) } }
    report("  MPFR 256-bit multiply", runs: 3, work: Double(n), unit: "calls/s", target: .information("")) { for _ in 0..<n { _ = x * y } }
    report("  MPFR 300-bit sin_cos (raised precision at small angles)", runs: 3, work: Double(n), unit: "calls/s", target: .information("")) {
        let z = BigFloat(0.01, precision: 300)
        for _ in 0..<n { _ = z.sineAndCosine() }
    }
}

// Samplers. The Gaussian-generation limit: validate at width 100, depth 50 draws the columns of
// active units only, ≈ 100 + 48·100·50 + 50 = 240,150 Gaussians per network.
report("Gaussian generation (ziggurat, rows of 100), 1 thread", runs: 5, work: 1e7, unit: "normals/s", target: .information("the limit")) {
    _ = drawGaussianRows(rows: 100_000, rowLength: 100, seed: 1)
}
let gaussianRate = 1e7 / median((0..<5).map { _ in seconds { _ = drawGaussianRows(rows: 100_000, rowLength: 100, seed: 1) } })
let gaussiansPerValidateSample = 100.0 + 48 * 100 * 50 + 50
let validateLimit = gaussianRate / gaussiansPerValidateSample
let mc = SimulatedArchitecture(inputDimension: 100, hiddenWidths: Array(repeating: 100, count: 49), sigma2: 2, inputNorm2: 1)
if benchFilter == nil { print(String(format: "  Gaussian-generation limit for validate width 100, depth 50: %.0f samples/s per thread; target = %d threads x limit / 1.5",
             validateLimit, threads)) }
report("validate: width 100, depth 50, 4096 samples, \(threads) threads", runs: 5, work: 4096, unit: "samples/s",
       target: .rate((validateLimit * Double(threads) / 1.5).rounded())) {
    _ = simulate(mc, samples: 4096, seed: 1, threads: threads)
}
report("validate: width 100, depth 50, 2048 samples, 1 thread (scaling)", runs: 3, work: 2048, unit: "samples/s", target: .information("1 thread")) {
    _ = simulate(mc, samples: 2048, seed: 1, threads: 1)
}
let reduced = ReducedNetwork(inputDimension: 1000, hiddenRuns: [.init(width: 1000, count: 99)], sigma2: 2, inputNorm2: 1, trainableBiases: true)
report("distribution: width 1000, depth 100, 10^5 samples, \(threads) threads", runs: 3, work: 1e5, unit: "samples/s", target: .rate(1e5)) {
    _ = sampleDistribution(reduced, reference: 200, thresholds: [2], samples: 100_000, seed: 1, threads: threads)
}
report("distribution: width 1000, depth 100, 5·10^4 samples, 1 thread (scaling)", runs: 3, work: 5e4, unit: "samples/s",
       target: .information("1 thread")) {
    _ = sampleDistribution(reduced, reference: 200, thresholds: [2], samples: 50_000, seed: 1, threads: 1)
}
// Issue 11: off-diagonal Θ(x, x′) on explicit networks, 11 correlations per network in one batch.
let offdiagNet = SimulatedArchitecture(inputDimension: 100, hiddenWidths: Array(repeating: 100, count: 19), sigma2: 2, inputNorm2: 1)
let elevenCorrelations = (0...10).map { Double($0) / 10 }
report("offdiag: width 100, depth 20, 11 correlations, \(threads) threads", runs: 3, work: 1000, unit: "samples/s", target: .rate(300)) {
    _ = try! simulateOffDiagonal(offdiagNet, correlations: elevenCorrelations, samples: 1000, seed: 1, threads: threads)
}
report("offdiag: width 100, depth 20, 11 correlations, 1 thread (scaling)", runs: 3, work: 500, unit: "samples/s", target: .information("1 thread")) {
    _ = try! simulateOffDiagonal(offdiagNet, correlations: elevenCorrelations, samples: 500, seed: 1, threads: 1)
}
report("offdiag: width 100, depth 20, 1 correlation, \(threads) threads", runs: 3, work: 1000, unit: "samples/s", target: .information("one pair")) {
    _ = try! simulateOffDiagonal(offdiagNet, correlations: [0.5], samples: 1000, seed: 1, threads: threads)
}
// Issue 12: simulated gradient steps and training runs on the shared ExplicitNetwork.
let stepExperiment = try! GradientStepExperiment(
    architecture: SimulatedArchitecture(inputDimension: 100, hiddenWidths: Array(repeating: 100, count: 19), sigma2: 2, inputNorm2: 1),
    learningRates: [1e-3], target: 0, correlation: nil)
report("simulated GD steps, width 100, depth 20, 1000 networks, 2 threads", runs: 3, work: 1000, unit: "steps/s", target: .rate(200)) {
    _ = simulateGradientSteps(stepExperiment, samples: 1000, seed: 1, threads: 2)
}
let trainingData = try! TrainingSet.sphere(count: 100, dimension: 300, seed: 1) { $0[0] }
let trainingArchitecture = SimulatedArchitecture(inputDimension: 300, hiddenWidths: Array(repeating: 300, count: 19), sigma2: 2, inputNorm2: 1)
report("training step (full-batch GD), width 300, depth 20, 100 inputs", runs: 3, work: 5, unit: "steps/s", target: .information("")) {
    _ = try! trainNetwork(trainingArchitecture, data: trainingData, optimizer: .gd, learningRate: .absolute(1e-3), steps: 5,
                          recordEvery: 1000, track: 1, seed: 1)
}
// The matrix–matrix kernel of training (hand-written loops), for comparison with a BLAS dgemm:
// one forward and one backward pass at width 300, depth 20, batch 100 is 2·2·Σ_l n_l n_{l-1}·100 flops.
let passNetwork = try! ExplicitNetwork(architecture: trainingArchitecture, seed: 1, sample: 0)
let batchPass = NetworkPass(layerWidths: passNetwork.layerWidths, batchCapacity: 100)
for a in 0..<100 { batchPass.setInput(a, trainingData.input(a)) }
let passFlops = 4.0 * 100 * Double((1..<passNetwork.layerWidths.count).reduce(0) { $0 + passNetwork.layerWidths[$1] * passNetwork.layerWidths[$1 - 1] })
report("forward+backward pass, width 300, depth 20, batch 100 (GFLOP/s)", runs: 5, work: passFlops / 1e9 * 10, unit: "GFLOP/s", target: .information("")) {
    for _ in 0..<10 { batchPass.compute(passNetwork, batch: 100) }
}
var benchGradient: [Double] = []
let gradientCoefficients = [Double](repeating: 0.01, count: 100)
report("weighted gradient Σ c_a ∇f(x_a), same network (GFLOP/s)", runs: 5, work: passFlops / 2e9 * 10, unit: "GFLOP/s", target: .information("")) {
    for _ in 0..<10 { batchPass.weightedGradient(passNetwork, weights: gradientCoefficients, into: &benchGradient) }
}

// Issue 19: the cost model the Monte Carlo commands consult before they start
// (SamplingCostModel): estimated against measured seconds on one thread, over a small grid
// per sampler. Goal: the ratio measured/estimated within a factor 3 either way.
func costRow(_ name: String, estimate: SamplingCost, samples: Int, _ body: () -> Void) {
    costRow(name, estimatedSeconds: estimate.seconds(samples: samples), body)
}
func costRow(_ name: String, estimatedSeconds estimated: Double, runs: Int = 3, _ body: () -> Void) {
    let row = "cost model: " + name
    guard benchFilter.map({ row.contains($0) }) ?? true else { return }
    let measured = median((0..<runs).map { _ in seconds(body) })
    let ratio = measured / estimated
    let verdict = ratio >= 1.0 / 3 && ratio <= 3 ? "met" : "NOT MET"
    countedRows += 1
    if verdict == "met" { metRows += 1 } else { missed.append(row) }
    print(row.padding(toLength: 62, withPad: " ", startingAt: 0)
          + String(format: "%10.2f ms   estimated %9.2f ms   measured/estimated %5.2f   target within x3   ", measured * 1000, estimated * 1000, ratio)
          + verdict)
}
func constant(_ width: Int, _ depth: Int) -> SimulatedArchitecture {
    SimulatedArchitecture(inputDimension: width, hiddenWidths: Array(repeating: width, count: depth - 1), sigma2: 2, inputNorm2: 1)
}
for (width, depth, samples) in [(10, 100, 20_000), (100, 20, 2000), (1000, 10, 20), (3000, 5, 4)] {
    let a = constant(width, depth)
    costRow("validate width \(width), depth \(depth), \(samples) networks", estimate: SamplingCostModel.validate(a, threads: 1), samples: samples) {
        _ = simulate(a, samples: samples, seed: 1, threads: 1)
    }
}
for (width, depth, samples, correlations) in [(30, 100, 400, 1), (100, 10, 400, 11), (1000, 5, 10, 11)] {
    let a = constant(width, depth), rhos = (0..<correlations).map { Double($0) / Double(max(1, correlations)) }
    costRow("offdiag width \(width), depth \(depth), \(correlations) correlations, \(samples) networks",
            estimate: SamplingCostModel.offDiagonal(a, correlations: correlations, threads: 1), samples: samples) {
        _ = try! simulateOffDiagonal(a, correlations: rhos, samples: samples, seed: 1, threads: 1)
    }
}
for (width, depth, samples) in [(30, 100, 200), (100, 10, 200), (1000, 5, 5)] {
    let e = try! GradientStepExperiment(architecture: constant(width, depth), learningRates: [0.01], target: 0, correlation: nil)
    costRow("step width \(width), depth \(depth), \(samples) networks", estimate: SamplingCostModel.gradientStep(e, threads: 1), samples: samples) {
        _ = simulateGradientSteps(e, samples: samples, seed: 1, threads: 1)
    }
}
for (width, depth, samples) in [(100, 10, 200_000), (1000, 1000, 2000), (100_000, 10_000, 200)] {
    let network = ReducedNetwork(inputDimension: width, hiddenRuns: [.init(width: width, count: depth - 1)], sigma2: 2, inputNorm2: 1,
                                 trainableBiases: true)
    costRow("distribution width \(width), depth \(depth), \(samples) samples", estimate: SamplingCostModel.distribution(network, threads: 1),
            samples: samples) {
        _ = sampleDistribution(network, reference: 1, thresholds: [], samples: samples, seed: 1, threads: 1)
    }
}
for (width, depth, inputs, steps) in [(30, 20, 50, 500), (100, 5, 100, 200), (300, 5, 100, 20)] {
    let a = constant(width, depth)
    let data = try! TrainingSet.sphere(count: inputs, dimension: width, seed: 1) { $0[0] }
    costRow("train width \(width), depth \(depth), \(inputs) inputs, \(steps) GD steps",
            estimate: SamplingCostModel.training(a, inputs: inputs, tracked: 20, recordEvery: 10, adam: false), samples: steps) {
        _ = try! trainNetwork(a, data: data, optimizer: .gd, learningRate: .absolute(1e-3), steps: steps, recordEvery: 10, track: 20, seed: 1)
    }
}
// `ntk kernel`'s estimate (KernelCostModel), the same way: one pair at the default precision
// over depths up to 10⁶, 256 bits, Double, and a matrix of 40 inputs.
for (depth, arithmetic, precision, inputs) in [(1000, KernelRequest.Arithmetic.mpfr, 139, 0), (10_000, .mpfr, 139, 0),
                                               (100_000, .mpfr, 139, 0), (1_000_000, .mpfr, 139, 0), (10_000, .certified, 256, 0),
                                               (1_000_000, .double, 53, 0), (50, .mpfr, 103, 40)] {
    var request = KernelRequest(network: try! Architecture(width: 3, depth: depth, sigma2: 2), correlation: [BigRational(1, 2)],
                                arithmetic: arithmetic, precision: arithmetic == .double ? nil : precision)
    if inputs > 0 {
        request.correlation = nil
        request.vectors = (0..<inputs).map { i in (0..<3).map { BigRational(($0 * 7 + i * 3) % 11 - 5, 4) } }
    }
    let label = inputs > 0 ? "\(inputs) inputs (\(request.pairCount) pairs)" : "1 pair"
    costRow("kernel L = \(depth), \(arithmetic.rawValue) \(arithmetic == .double ? "" : "\(precision) bits, ")\(label)",
            estimatedSeconds: KernelCostModel.seconds(pairs: request.pairCount, depth: depth, arithmetic: arithmetic, precision: request.workingPrecision)) {
        _ = try! request.run(.silent)
    }
}

// The extrapolated limits of E[Θ^p]/E[Θ]^p (limit --max-moment, table --moment) at the edge
// of chaos with biases, where p ≥ 4 has no closed form: one row per order (p = 8 runs once,
// it takes about 7 s).
for p in 4...8 {
    let bits = LimitRequest(lambda: 1, sigma2: 2, maxMoment: p).workingPrecision
    costRow("limit E[Θ^\(p)]/E[Θ]^\(p), σ²=2, λ=1, extrapolated",
            estimatedSeconds: NormalizedMomentLimit.extrapolationSeconds(order: p, precision: bits), runs: p == 8 ? 1 : 3) {
        _ = try! NormalizedMomentLimit(order: p, sigma2: 2, lambda: 1, precision: bits)
    }
}

// E[Θ³] … E[Θ^p] of `ntk moments --max-moment p` (CostEstimate.higherMomentSeconds): random
// widths (a layer per segment, a joint-moment table per width pair) and a periodic pattern.
let higherRandom = try! Architecture(widths: randomWidths(20_001, 60...140, seed: 28), sigma2: 2)
let higherPeriodic = try! Architecture(inputDimension: 3, hiddenRuns: (0..<300_000).flatMap { _ in [100, 101, 102].map { WidthRun(width: $0, count: 1) } }, sigma2: 2)
for (name, a, p, mode) in [("p=6, 20000 random widths, MPFR 128", higherRandom, 6, ArithmeticMode.mpfr(precision: 128)),
                           ("p=8, 20000 random widths, Double", higherRandom, 8, .double),
                           ("p=8, (100,101,102)x300000, certified", higherPeriodic, 8, .certified(precision: 128)),
                           ("p=8, 100 random widths, exact", try! Architecture(widths: randomWidths(101, 60...140, seed: 29), sigma2: 2), 8, .exact)] {
    costRow("moments \(name)", estimatedSeconds: CostEstimate.higherMomentSeconds(a, maxOrder: p, mode: mode), runs: 1) {
        _ = try! HigherMomentSummary(architecture: a, mode: mode, maxOrder: p)
    }
}

print(String(repeating: "-", count: 130))
if benchFilter == nil || countedRows > 0 {
    print("targets met: \(metRows) of \(countedRows) counted rows" + (missed.isEmpty ? "" : "; not met: " + missed.joined(separator: "; ")))
}
