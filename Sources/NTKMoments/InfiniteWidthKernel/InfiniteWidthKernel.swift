import Foundation
import Multiprecision

/// Θ*(x, x′), Σ*(x, x′), the diagonals and the normalized NTK in double precision.
public typealias InfiniteWidthKernelValue = KernelValues<Double>

/// The infinite-width NTK and NNGP in IEEE double precision: the convenience front of
/// `InfiniteWidthKernelRecursion` (derivations/09). For any precision or certified enclosures
/// use the recursion with `MPFRKernelArithmetic` or `EnclosureKernelArithmetic`.
///
/// Accuracy: relative errors of a few units of 2^-53 per layer (tests compare against 256-bit
/// MPFR); `conservativeDigits` is the number of significant digits the CLI labels as reliable.
public struct InfiniteWidthKernel: Sendable {
    public let architecture: Architecture
    public let recursion: InfiniteWidthKernelRecursion<DoubleKernelArithmetic>

    /// A double whose value cannot be represented by the kernel (overflow, or an invalid input).
    public struct InvalidInput: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// Widths n₀, n₁, …, n_{L−1} (only their ratios matter), σ², and whether biases are trainable.
    public init(widths: [Int], sigma2: Double, trainableBiases: Bool = true) throws {
        guard sigma2.isFinite, sigma2 > 0, let s = BigRational(exactly: sigma2) else {
            throw InvalidInput(description: "σ² must be a positive finite number (got \(sigma2))")
        }
        try self.init(architecture: Architecture(widths: widths, sigma2: s, trainableBiases: trainableBiases))
    }

    public init(architecture: Architecture) throws {
        guard DoubleArithmetic.supportedRange.contains(architecture.sigma2) else {
            throw InvalidInput(description: "double arithmetic handles σ² from 1e-30 to 1e30; use MPFR")
        }
        self.architecture = architecture
        recursion = InfiniteWidthKernelRecursion(architecture: architecture, arithmetic: DoubleKernelArithmetic())
    }

    /// Significant digits labelled reliable for depth L: a conservative 64(L + 1)·2^-53 relative
    /// error (the angle map contracts, so per-layer errors add up at most linearly).
    public static func conservativeDigits(depth: Int) -> Int {
        let bound = 64 * Double(depth + 1) * 0x1p-53
        return max(0, Int((-Foundation.log10(bound)).rounded(.down)))
    }

    /// Kernel values for q = ‖x‖², q′ = ‖x′‖², c = ⟨x, x′⟩. The Gram defect qq′ − c² is computed
    /// with fused multiply-adds (no cancellation); c² may exceed qq′ by rounding only.
    public func evaluate(q1: Double, q2: Double, c: Double) throws -> InfiniteWidthKernelValue {
        guard q1.isFinite, q2.isFinite, c.isFinite, q1 >= 0, q2 >= 0 else {
            throw InvalidInput(description: "q, q′ must be finite and non-negative and c finite (got \(q1), \(q2), \(c))")
        }
        let exact = Self.productDifference(q1, q2, c)
        guard exact >= -8 * (q1 * q2).ulp else {
            throw InvalidInput(description: "the Gram matrix is not positive semidefinite: c² > q·q′")
        }
        return try checked(recursion.evaluate(q1: q1, q2: q2, c: c, defect: max(0, exact)))
    }

    /// Kernel values for two inputs of squared norm `inputNorm2` and correlation ρ ∈ [−1, 1].
    public func evaluate(correlation rho: Double, inputNorm2 q: Double = 1) throws -> InfiniteWidthKernelValue {
        guard rho.isFinite, rho >= -1, rho <= 1 else {
            throw InvalidInput(description: "the correlation must lie in [−1, 1] (got \(rho))")
        }
        guard q.isFinite, q >= 0 else { throw InvalidInput(description: "‖x‖² must be finite and non-negative (got \(q))") }
        // q²(1 − ρ)(1 + ρ): 1 − ρ and 1 + ρ are exact where they are small (Sterbenz).
        return try checked(recursion.evaluate(q1: q, q2: q, c: rho * q, defect: q * q * ((1 - rho) * (1 + rho))))
    }

    /// Θ*(x, x) for ‖x‖² = q.
    public func diagonal(q: Double) -> Double { recursion.diagonal(q: q) }

    /// The kernel matrices of a list of input vectors (all of dimension n₀), on `threads` threads.
    /// Angles come from 2·atan2(‖u − v‖, ‖u + v‖) with u, v the unit vectors (accurate at every
    /// angle, unlike arccos of the cosine).
    public func matrix(inputs: [[Double]], threads: Int = 2) throws -> KernelMatrix<Double> {
        let n0 = architecture.inputDimension
        for (i, x) in inputs.enumerated() {
            guard x.count == n0 else {
                throw InvalidInput(description: "input \(i + 1) has dimension \(x.count), the network's input dimension is \(n0)")
            }
            guard x.allSatisfy(\.isFinite) else { throw InvalidInput(description: "input \(i + 1) has a non-finite entry") }
        }
        let gram = Self.gram(inputs)
        let m = recursion.matrix(gram: gram, threads: threads)
        for row in m.ntk + m.nngp where !row.allSatisfy(\.isFinite) {
            throw InvalidInput(description: "a kernel entry overflows double precision; use MPFR")
        }
        return m
    }

    /// q q′ − c² with one rounding error in each product (Kahan's difference of products).
    static func productDifference(_ q1: Double, _ q2: Double, _ c: Double) -> Double {
        let w = c * c
        let errorOfSquare = (-w).addingProduct(c, c)      // c² − w exactly
        let difference = (-w).addingProduct(q1, q2)       // q q′ − w, one rounding
        return difference - errorOfSquare
    }

    /// The Gram data of double vectors, with each angle from 2·atan2(‖u − v‖, ‖u + v‖).
    public static func gram(_ inputs: [[Double]]) -> KernelGram<Double> {
        let n = inputs.count
        let norms2 = inputs.map { x in x.reduce(0) { $0 + $1 * $1 } }
        let units = inputs.enumerated().map { i, x in norms2[i] > 0 ? x.map { $0 / norms2[i].squareRoot() } : x }
        var products: [[Double]] = [], defects: [[Double]] = [], angles: [[Double]] = []
        for i in 0..<n {
            var row: [Double] = [], drow: [Double] = [], arow: [Double] = []
            for j in (i + 1)..<max(i + 1, n) {
                var c = 0.0, minus = 0.0, plus = 0.0
                for k in 0..<inputs[i].count {
                    c += inputs[i][k] * inputs[j][k]
                    let d = units[i][k] - units[j][k], s = units[i][k] + units[j][k]
                    minus += d * d
                    plus += s * s
                }
                row.append(c)
                drow.append(0)
                arow.append(2 * Foundation.atan2(minus.squareRoot(), plus.squareRoot()))
            }
            products.append(row)
            defects.append(drow)
            angles.append(arow)
        }
        return KernelGram(norms2: norms2, products: products, defects: defects, angles: angles)
    }

    func checked(_ v: InfiniteWidthKernelValue) throws -> InfiniteWidthKernelValue {
        guard [v.ntk, v.nngp, v.ntkDiagonal1, v.ntkDiagonal2, v.normalized].allSatisfy(\.isFinite) else {
            throw InvalidInput(description: "a kernel value overflows double precision; use MPFR")
        }
        return v
    }
}
