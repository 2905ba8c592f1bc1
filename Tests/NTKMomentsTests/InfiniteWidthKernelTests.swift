import Foundation
import Testing
import Multiprecision
@testable import NTKMoments

/// An independent evaluation of the infinite-width kernel, written without the arc-cosine
/// formulas: Gaussian integrals by quadrature, composed in the forward (Jacot) form
///   Σ^{l+1} = σ² E[ReLU(u)ReLU(v)],  Θ^{l+1} = n_l E[ReLU(u)ReLU(v)] + β + σ² E[ReLU′(u)ReLU′(v)] Θ^l
/// with (u, v) ~ N(0, Σ^l) the pre-activations of layer l, Σ¹ = (σ²/n₀)·Gram, Θ¹ = ⟨x, x′⟩ + β.
enum QuadratureKernel {
    static func normalCDF(_ x: Double) -> Double { 0.5 * erfc(-x / 2.0.squareRoot()) }
    static func normalPDF(_ x: Double) -> Double { exp(-x * x / 2) / (2 * Double.pi).squareRoot() }

    /// ∫₀^∞ φ(z) g(z) dz by composite Simpson on [0, 12] (φ(12) ≈ 10^-32).
    static func halfLine(_ g: (Double) -> Double) -> Double {
        let n = 6000, h = 12.0 / Double(n)
        var s = 0.0
        for i in 0...n {
            let z = Double(i) * h
            let w: Double = (i == 0 || i == n) ? 1 : (i % 2 == 1 ? 4 : 2)
            s += w * normalPDF(z) * g(z)
        }
        return s * h / 3
    }

    /// With u = a z₁ and v = b z₁ + s z₂ (z independent standard normals), a, s ≥ 0:
    /// E[ReLU(u)ReLU(v)] = ∫_{z₁>0} φ(z₁) a z₁ E[ReLU(b z₁ + s z₂)] dz₁ and
    /// E[ReLU(m + sZ)] = m Φ(m/s) + s φ(m/s); P(u > 0, v > 0) = ∫_{z₁>0} φ(z₁) Φ(b z₁/s) dz₁.
    static func expectations(varU: Double, varV: Double, cov: Double) -> (relu: Double, derivative: Double) {
        let a = varU.squareRoot()
        let b = a > 0 ? cov / a : 0
        let s = max(0, varV - b * b).squareRoot()
        func meanReLU(_ m: Double) -> Double { s == 0 ? max(m, 0) : m * normalCDF(m / s) + s * normalPDF(m / s) }
        func positive(_ m: Double) -> Double { s == 0 ? (m > 0 ? 1 : 0) : normalCDF(m / s) }
        let relu = halfLine { z in a * z * meanReLU(b * z) }
        let derivative = halfLine { z in positive(b * z) }
        return (relu, derivative)
    }

    /// (Θ*, Σ*) for widths n₀ … n_{L−1}.
    static func kernel(widths: [Int], sigma2: Double, beta: Double, q1: Double, q2: Double, c: Double) -> (ntk: Double, nngp: Double) {
        var s11 = sigma2 / Double(widths[0]) * q1, s22 = sigma2 / Double(widths[0]) * q2, s12 = sigma2 / Double(widths[0]) * c
        var theta = c + beta
        for l in 1..<widths.count {
            let n = Double(widths[l])
            let cross = expectations(varU: s11, varV: s22, cov: s12)
            let d1 = expectations(varU: s11, varV: s11, cov: s11).relu
            let d2 = expectations(varU: s22, varV: s22, cov: s22).relu
            theta = n * cross.relu + beta + sigma2 * cross.derivative * theta
            s11 = sigma2 * d1
            s22 = sigma2 * d2
            s12 = sigma2 * cross.relu
        }
        return (theta, s12)
    }
}

@Suite("Infinite-width kernel")
struct InfiniteWidthKernelTests {
    @Test("check: kernel-quadrature — the arc-cosine recursion agrees with Gaussian integrals by quadrature")
    func quadrature() throws {
        let widths = [3, 5, 2, 7, 4]
        for (sigma2, biases) in [(2.0, true), (1.3, false), (3.0, true)] {
            let k = try InfiniteWidthKernel(widths: widths, sigma2: sigma2, trainableBiases: biases)
            for (q1, q2, c) in [(1.0, 1.0, 0.3), (2.0, 0.5, -0.7), (1.5, 1.5, 1.4), (0.7, 1.1, 0.0), (1.0, 2.0, -1.4)] {
                let v = try k.evaluate(q1: q1, q2: q2, c: c)
                let ref = QuadratureKernel.kernel(widths: widths, sigma2: sigma2, beta: biases ? 1 : 0, q1: q1, q2: q2, c: c)
                #expect(abs(v.ntk - ref.ntk) <= 1e-10 * abs(ref.ntk), "σ²=\(sigma2) (\(q1),\(q2),\(c)): \(v.ntk) vs \(ref.ntk)")
                #expect(abs(v.nngp - ref.nngp) <= 1e-10 * abs(ref.nngp) + 1e-14, "NNGP \(v.nngp) vs \(ref.nngp)")
            }
        }
    }

    @Test("check: kernel-diagonal-exact — at ρ = 1 the kernel is the diagonal formula exactly: constant width, n0 = M, σ² = 2 gives L(‖x‖² + β)")
    func diagonalExact() throws {
        for depth in [1, 2, 10, 50] {
            let a = try Architecture(width: 7, depth: depth, sigma2: 2)
            let d = try InfiniteWidthKernel(architecture: a).evaluate(correlation: 1, inputNorm2: 3)
            #expect(d.ntk == Double(depth) * 4)
            #expect(d.ntk == d.ntkDiagonal1 && d.normalized == 1)
            let m = InfiniteWidthKernelRecursion(architecture: a, arithmetic: try MPFRKernelArithmetic(precision: 200))
            let vm = try m.evaluate(q1: 3, q2: 3, c: 3)
            #expect(vm.ntk == BigFloat(4 * depth, precision: 200))
            let e = InfiniteWidthKernelRecursion(architecture: a, arithmetic: try EnclosureKernelArithmetic(precision: 100))
            let ve = try e.evaluate(q1: 3, q2: 3, c: 3)
            #expect(ve.ntk.lower == ve.ntk.upper && ve.ntk.lower == BigFloat(4 * depth, precision: 100))
        }
        // Any architecture: ρ = 1 reproduces Θ*(x, x) bit for bit, also with different norms.
        let a = try Architecture(widths: [4, 9, 3, 6], sigma2: BigRational(7, 3), trainableBiases: false)
        let k = InfiniteWidthKernelRecursion(architecture: a, arithmetic: try MPFRKernelArithmetic(precision: 150))
        let v = try k.evaluate(q1: 5, q2: 5, c: 5)
        #expect(v.ntk == v.ntkDiagonal1)
        // x′ = (3/2)x without biases: Θ* is bilinear in the norms, so the normalized kernel is 1.
        let w = try k.evaluate(q1: 4, q2: 9, c: 6)
        #expect((w.normalized - BigFloat(1, precision: 150)).magnitude().doubleValue() < 1e-40)
    }

    /// In fact E[Θ] at finite width equals Θ*(x, x) up to the dead-layer probability (< L·2^-M):
    /// the first moment has no finite-width correction.
    @Test("check: kernel-diagonal-moments — Θ*(x, x) equals the exact finite-width E[Θ] up to P(dead)")
    func diagonalAgainstMoments() throws {
        let depth = 4
        var errors: [Double] = []
        for m in [50, 100, 400] {
            let a = try Architecture(width: m, depth: depth, inputDimension: 5, sigma2: 3, inputNorm2: 2)
            let s = try MomentSummary(architecture: a, mode: .mpfr(precision: 128))
            let mean = try #require(s.mean.approximation(precision: 64)).doubleValue()
            let kernel = try InfiniteWidthKernel(architecture: a).diagonal(q: 2)
            errors.append(abs(mean - kernel) / kernel)
        }
        #expect(errors.allSatisfy { $0 < 1e-13 }, "\(errors)")
    }

    @Test("check: kernel-certified — certified enclosures contain the 600-bit value")
    func certifiedContains() throws {
        let a = try Architecture(widths: [3, 5, 2, 7, 4, 4, 4, 4], sigma2: BigRational(5, 2))
        let reference = InfiniteWidthKernelRecursion(architecture: a, arithmetic: try MPFRKernelArithmetic(precision: 600))
        for p in [53, 128, 300] {
            let certified = InfiniteWidthKernelRecursion(architecture: a, arithmetic: try EnclosureKernelArithmetic(precision: p))
            for (q1, q2, c) in [(BigRational(1), BigRational(1), BigRational(3, 10)), (2, BigRational(1, 2), BigRational(-99, 100)),
                                (1, 1, 1 - BigRational(1, 10).power(12)), (1, 1, BigRational(-1) + BigRational(1, 10).power(9)),
                                (1, 1, 0), (3, 3, 3)] {
                let r = try reference.evaluate(q1: q1, q2: q2, c: c)
                let e = try certified.evaluate(q1: q1, q2: q2, c: c)
                for (enc, value) in [(e.ntk, r.ntk), (e.nngp, r.nngp), (e.normalized, r.normalized), (e.ntkDiagonal1, r.ntkDiagonal1)] {
                    #expect(!(value < enc.lower) && !(enc.upper < value), "p=\(p) c=\(c): \(value) ∉ [\(enc.lower), \(enc.upper)]")
                    // Tight: the enclosure loses at most ~20 bits to the depth and the input's conditioning.
                    let rel = (enc.width / value.magnitude()).doubleValue()
                    #expect(rel < pow(2, Double(-p + 24)), "p=\(p) relative width \(rel)")
                }
            }
        }
    }

    @Test("check: kernel-near-one — the digits hold near ρ = 1: 53-, 128- and 256-bit results agree at ρ = 1 − 10^-k")
    func nearOne() throws {
        let a = try Architecture(width: 10, depth: 20, sigma2: 2)
        let k53 = try InfiniteWidthKernel(architecture: a)
        let k128 = InfiniteWidthKernelRecursion(architecture: a, arithmetic: try MPFRKernelArithmetic(precision: 128))
        let k256 = InfiniteWidthKernelRecursion(architecture: a, arithmetic: try MPFRKernelArithmetic(precision: 256))
        for exponent in [2, 4, 8, 12, 15] {
            let rho = 1 - pow(10, -Double(exponent))
            let exact = try #require(BigRational(exactly: rho))
            let d = try k53.evaluate(correlation: rho)
            let m128 = try k128.evaluate(q1: 1, q2: 1, c: exact)
            let m256 = try k256.evaluate(q1: 1, q2: 1, c: exact)
            // The quantity that needs the digits: Θ*(x, x) − Θ*(x, x′), of order 10^-k/2 relative.
            let gap256 = m256.ntkDiagonal1 - m256.ntk
            let gap128 = BigFloat(m128.ntkDiagonal1 - m128.ntk, precision: 256)
            #expect(((gap128 - gap256) / gap256).magnitude().doubleValue() < 1e-30, "k=\(exponent)")
            let gap53 = d.ntkDiagonal1 - d.ntk
            #expect(abs(gap53 - gap256.doubleValue()) <= 1e-15 * d.ntk, "k=\(exponent)")
            #expect(abs(d.ntk - m256.ntk.doubleValue()) <= 1e-14 * d.ntk)
            #expect(((m128.ntk - BigFloat(m256.ntk, precision: 128)) / m128.ntk).magnitude().doubleValue() < 1e-36)
        }
    }

    @Test("Double agrees with 256-bit MPFR within its conservative label over a grid and depths")
    func doubleAccuracy() throws {
        for depth in [1, 3, 50, 200] {
            let a = try Architecture(width: 10, depth: depth, sigma2: BigRational(9, 4))
            let k = try InfiniteWidthKernel(architecture: a)
            let m = InfiniteWidthKernelRecursion(architecture: a, arithmetic: try MPFRKernelArithmetic(precision: 256))
            let bound = pow(10, -Double(InfiniteWidthKernel.conservativeDigits(depth: depth)))
            for rho in stride(from: -1.0, through: 1.0, by: 0.125) {
                let d = try k.evaluate(correlation: rho)
                let r = try m.evaluate(q1: 1, q2: 1, c: try #require(BigRational(exactly: rho)))
                #expect(abs(d.ntk - r.ntk.doubleValue()) <= bound * abs(d.ntk), "L=\(depth) ρ=\(rho)")
                #expect(abs(d.nngp - r.nngp.doubleValue()) <= bound * abs(d.nngp) + 1e-300, "L=\(depth) ρ=\(rho)")
            }
        }
    }

    @Test("the matrix of input vectors matches pairwise evaluation and does not depend on the thread count")
    func matrix() throws {
        let k = try InfiniteWidthKernel(widths: [3, 6, 6, 6], sigma2: 2)
        let inputs: [[Double]] = [[1, 0, 0], [0.6, 0.8, 0], [1, 1e-7, 0], [-1, 2, 0.5], [0, 0, 0], [2, 0, 0]]
        let m1 = try k.matrix(inputs: inputs, threads: 1)
        let m2 = try k.matrix(inputs: inputs, threads: 2)
        let reference = InfiniteWidthKernelRecursion(architecture: k.architecture, arithmetic: try MPFRKernelArithmetic(precision: 200))
        #expect(m1.ntk == m2.ntk && m1.nngp == m2.nngp)
        for i in inputs.indices {
            for j in inputs.indices {
                // Reference: 200-bit MPFR from the exact Gram entries of the double inputs.
                func exact(_ x: [Double]) -> [BigRational] { x.map { BigRational(exactly: $0)! } }
                func dot(_ x: [BigRational], _ y: [BigRational]) -> BigRational { zip(x, y).reduce(BigRational(0)) { $0 + $1.0 * $1.1 } }
                let x = exact(inputs[i]), y = exact(inputs[j])
                let v = try reference.evaluate(q1: dot(x, x), q2: dot(y, y), c: dot(x, y))
                #expect(abs(m1.ntk[i][j] - v.ntk.doubleValue()) <= 1e-14 * m1.ntk[i][j], "(\(i),\(j))")
                #expect(abs(m1.normalized[i][j] - v.normalized.doubleValue()) <= 1e-14, "(\(i),\(j))")
            }
        }
        // A zero input kills the hidden layers (ReLU′(0) = 0): Θ* = β.
        #expect(m1.ntk[4][0] == 1 && m1.ntk[4][4] == 1)
        #expect(throws: InfiniteWidthKernel.InvalidInput.self) { try k.matrix(inputs: [[1, 2]]) }
    }

    @Test("bad input is refused")
    func invalid() throws {
        let k = try InfiniteWidthKernel(widths: [3, 6], sigma2: 2)
        #expect(throws: InfiniteWidthKernel.InvalidInput.self) { try k.evaluate(correlation: 1.5) }
        #expect(throws: InfiniteWidthKernel.InvalidInput.self) { try k.evaluate(q1: 1, q2: 1, c: 1.1) }
        let m = InfiniteWidthKernelRecursion(architecture: k.architecture, arithmetic: try MPFRKernelArithmetic(precision: 64))
        #expect(throws: KernelGramError.self) { try m.evaluate(q1: 1, q2: 4, c: BigRational(201, 100)) }
        #expect(throws: KernelGramError.self) { try m.evaluate(q1: -1, q2: 4, c: 0) }
    }
}

/// Golden values from neural-tangents 0.6.5 (jax 0.4.30, float64), computed outside the repo:
/// `stax.serial(Dense(n, W_std=σ, b_std=0 or None, parameterization='standard'), Relu(), …,
/// Dense(1, …))` and `kernel_fn(X, X, ('ntk', 'nngp'))` with jax_enable_x64. In its standard
/// parameterization a Dense layer maps ntk ↦ n_in·nngp + W_std²·ntk (+1 with a bias) — the
/// gradient with respect to the actual weights, exactly this project's NTK; b_std = 0 is a
/// trainable zero-initialized bias (β = 1), b_std = None none (β = 0). An independent
/// implementation, hence legitimate golden values (float64, so ~14 digits).
@Suite("Infinite-width kernel against neural-tangents")
struct NeuralTangentsGoldenTests {
    static let inputs: [[Double]] = [[1.0, 0.5, -0.25, 2.0], [0.5, 1.0, 1.0, -0.5], [1.0, 0.5, -0.25, 2.125], [-1.0, 0.0, 0.5, 0.25]]
    /// (widths, σ², biases, upper-triangle NTK (0,1),(0,2),(0,3),(1,2),(1,3),(2,3), NNGP likewise)
    static let cases: [([Int], Double, Bool, [Double], [Double])] = [
        ([4, 4, 4], 2.0, true,
         [4.14471524145963, 19.526963411627676, 3.1047070993912795, 4.202735416848812, 3.002311432421278, 3.2175088602791884],
         [0.8631349523845364, 2.7812600257037374, 0.5673864875259053, 0.8969295720889607, 0.4289169930789365, 0.6016826541080224]),
        ([4, 3, 5, 2, 7], 1.5, false,
         [1.9661244706479906, 9.10852901408954, 1.3259140933433473, 2.046674885293494, 0.9770763170534262, 1.400814621365376],
         [0.2904184617922215, 0.6600083817352316, 0.20420837479495477, 0.3034081798545906, 0.1443411194320825, 0.21466837739589273]),
        ([4] + Array(repeating: 10, count: 9), 2.5, true,
         [219.01375941027845, 973.1068370068647, 156.0017094109072, 228.40136142869017, 112.83857201617481, 163.6238042557258],
         [14.461263203431917, 25.9028175410817, 10.410527079298333, 15.138202858377346, 7.18784613683305, 10.912383242109769]),
    ]

    @Test("check: kernel-neural-tangents — Θ* and Σ* agree with neural-tangents' analytic kernel_fn")
    func agree() throws {
        for (widths, sigma2, biases, ntk, nngp) in Self.cases {
            let k = try InfiniteWidthKernel(widths: widths, sigma2: sigma2, trainableBiases: biases)
            let m = try k.matrix(inputs: Self.inputs)
            var index = 0
            var worst = 0.0
            for i in 0..<4 {
                for j in (i + 1)..<4 {
                    worst = max(worst, abs(m.ntk[i][j] - ntk[index]) / ntk[index], abs(m.nngp[i][j] - nngp[index]) / nngp[index])
                    index += 1
                }
            }
            #expect(worst < 1e-13, "\(widths): \(worst)")
        }
    }
}

@Suite("Deep certified kernels (small-angle series)")
struct DeepCertifiedKernelTests {
    @Test("check: kernel-certified-deep — at depth 30000 (angles below 2^-8 after the first layers) the 128-bit enclosure contains the 400-bit value and stays tight")
    func deepEnclosureContainsReference() throws {
        let a = try Architecture(width: 3, depth: 30_000, sigma2: 2)
        let reference = InfiniteWidthKernelRecursion(architecture: a, arithmetic: try MPFRKernelArithmetic(precision: 400))
        let certified = InfiniteWidthKernelRecursion(architecture: a, arithmetic: try EnclosureKernelArithmetic(precision: 128))
        for c in [BigRational(1, 2), BigRational(-9, 10), 1 - BigRational(1, 10).power(8)] {
            let r = try reference.evaluate(q1: 1, q2: 1, c: c)
            let e = try certified.evaluate(q1: 1, q2: 1, c: c)
            for (enc, value) in [(e.ntk, r.ntk), (e.nngp, r.nngp), (e.normalized, r.normalized)] {
                #expect(!(value < enc.lower) && !(enc.upper < value), "c=\(c): \(value) ∉ [\(enc.lower), \(enc.upper)]")
                let rel = (enc.width / value.magnitude()).doubleValue()
                #expect(rel < 1e-25, "c=\(c): relative width \(rel)")
            }
        }
    }
}

@Suite("Deep certified kernels: the fast path for runs of layers")
struct DeepKernelFastPathTests {
    /// Constant width with biases (the angle at ρ = 1/2 falls below 2^-8 near layer 2400), and
    /// irregular widths (several segments, σ² ≠ 2) without biases.
    static func architectures() throws -> [Architecture] {
        [try Architecture(width: 3, depth: 2_500, sigma2: 2),
         try Architecture(width: 3, depth: 6_000, sigma2: 2),
         try Architecture(inputDimension: 4, hiddenRuns: [.init(width: 5, count: 1_000), .init(width: 2, count: 2_000), .init(width: 7, count: 1_500)],
                          sigma2: BigRational(3, 2), trainableBiases: false)]
    }

    /// Correlations whose angles start far above 2^-8 (the switch comes after thousands of layers),
    /// just above and just below it (cos 2^-8 ≈ 1 − 2^-17), below it from the first layer, and 1.
    static let correlations: [BigRational] = [BigRational(1, 2), BigRational(-9, 10), 1 - BigRational(1, 1 << 17) * BigRational(99, 100),
                                              1 - BigRational(1, 1 << 17) * BigRational(101, 100), 1 - BigRational(1, 10).power(8), 1]

    @Test("check: kernel-certified-deep — the fast path's enclosures contain the 1000-bit value, across the switch at angle 2^-8, and are at most 4× as wide as the generic loop's")
    func fastPathEnclosesAndStaysTight() throws {
        for a in try Self.architectures() {
            let reference = InfiniteWidthKernelRecursion(architecture: a, arithmetic: try MPFRKernelArithmetic(precision: 1000))
            for c in Self.correlations {
                let r = try reference.evaluate(q1: 1, q2: 1, c: c)
                for p in [64, 139] {
                    let fast = InfiniteWidthKernelRecursion(architecture: a, arithmetic: try EnclosureKernelArithmetic(precision: p))
                    var generic = fast
                    generic.usesLayerRunner = false
                    let e = try fast.evaluate(q1: 1, q2: 1, c: c)
                    let g = try generic.evaluate(q1: 1, q2: 1, c: c)
                    let label = "L=\(a.depth) p=\(p) c=\(c.approximateDouble)"
                    for (name, enc, old, value) in [("ntk", e.ntk, g.ntk, r.ntk), ("nngp", e.nngp, g.nngp, r.nngp),
                                                    ("diagonal", e.ntkDiagonal1, g.ntkDiagonal1, r.ntkDiagonal1),
                                                    ("normalized", e.normalized, g.normalized, r.normalized)] {
                        #expect(!(value < enc.lower) && !(enc.upper < value), "\(label) \(name): \(value) ∉ [\(enc.lower), \(enc.upper)]")
                        let limit = BigFloat.product(old.width, BigFloat(4, precision: 64), precision: 64, rounding: .up)
                        #expect(!(limit < enc.width), "\(label) \(name): width \(enc.width) > 4 × \(old.width)")
                    }
                    if c == 1 {
                        // φ = 0 runs the same operations in both paths: bit for bit.
                        #expect(e.ntk.lower == g.ntk.lower && e.ntk.upper == g.ntk.upper, "\(label): diagonal not bit-identical")
                    }
                }
            }
        }
    }

    @Test("runs of layers stop handing back when their preconditions fail (negative Horner sum, angle above 2^-8)")
    func declinesOutsideItsDomain() throws {
        let p = 100
        let arithmetic = try EnclosureKernelArithmetic(precision: p)
        let one = arithmetic.constant(1), pi = arithmetic.pi
        let layers = SmallAngleKernelLayers(precision: p, halfSigma2: one, halfSigma2OverPi: one / pi, inversePi: one / pi, beta: one)
        var angle = arithmetic.constant(BigRational(1, 1000)), t = arithmetic.constant(-1), scale = one
        var rho: Enclosure? = nil
        #expect(layers.run(angle: &angle, t: &t, scale: &scale, correlation: &rho, ratio: one, count: 10) == 0)
        t = one
        angle = arithmetic.constant(BigRational(1, 100))
        #expect(layers.run(angle: &angle, t: &t, scale: &scale, correlation: &rho, ratio: one, count: 10) == 0)
        #expect(rho == nil)
        angle = arithmetic.constant(BigRational(1, 1000))
        #expect(layers.run(angle: &angle, t: &t, scale: &scale, correlation: &rho, ratio: one, count: 10) == 10)
        #expect(rho != nil && angle.upper < arithmetic.constant(BigRational(1, 1000)).lower)
    }
}
