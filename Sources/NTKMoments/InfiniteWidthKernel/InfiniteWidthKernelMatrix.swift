import Dispatch
import Foundation
import Multiprecision

/// The kernel matrices of a list of inputs: Θ*(x_i, x_j), Σ*(x_i, x_j) and the normalized NTK,
/// each symmetric, row-major.
public struct KernelMatrix<Scalar: Sendable>: Sendable {
    public var ntk: [[Scalar]]
    public var nngp: [[Scalar]]
    public var normalized: [[Scalar]]
}

/// The Gram data of a list of inputs: squared norms, inner products and Gram defects
/// q_i q_j − c_ij² (the latter computed by the caller without cancellation where it can).
public struct KernelGram<Scalar: Sendable>: Sendable {
    public var norms2: [Scalar]
    /// Row i holds the entries j > i (index j − i − 1).
    public var products: [[Scalar]]
    public var defects: [[Scalar]]
    /// Per pair, optionally, the angle ∠(x_i, x_j) already computed from a well-conditioned
    /// form (same layout as `products`); nil means atan2(√defect, c).
    public var angles: [[Scalar]]?

    public init(norms2: [Scalar], products: [[Scalar]], defects: [[Scalar]], angles: [[Scalar]]? = nil) {
        self.norms2 = norms2
        self.products = products
        self.defects = defects
        self.angles = angles
    }
}

extension KernelGram where Scalar: KernelScalar {
    /// The Gram data of vectors given as scalars of one arithmetic; an interval arithmetic gives
    /// enclosures of the exact Gram entries, whose widths then propagate honestly.
    public init(vectors: [[Scalar]], zero: Scalar) {
        func dot(_ a: [Scalar], _ b: [Scalar]) -> Scalar {
            var s = zero
            for k in a.indices { s = s + a[k] * b[k] }
            return s
        }
        let n = vectors.count
        let norms2 = vectors.map { dot($0, $0) }
        var products: [[Scalar]] = [], defects: [[Scalar]] = []
        for i in 0..<n {
            var row: [Scalar] = [], drow: [Scalar] = []
            for j in (i + 1)..<max(i + 1, n) {
                let c = dot(vectors[i], vectors[j])
                row.append(c)
                drow.append(norms2[i] * norms2[j] - c * c)
            }
            products.append(row)
            defects.append(drow)
        }
        self.init(norms2: norms2, products: products, defects: defects)
    }
}

extension InfiniteWidthKernelRecursion {
    /// The kernel matrices of the inputs described by `gram`, computed on `threads` threads.
    /// Every entry is computed independently by the same operations, so the output does not
    /// depend on the thread count. Diagonal entries need no transcendental function.
    public func matrix(gram: KernelGram<Scalar>, threads: Int = 2) -> KernelMatrix<Scalar> {
        let n = gram.norms2.count
        let diagonals = gram.norms2.map { diagonal(q: $0) }
        let nngpDiagonal = gram.norms2.map { q in evaluate(q1: q, q2: q, c: q, defect: zero).nngp }
        let workers = max(1, min(threads, n))
        // Rows are dealt round-robin; row i costs n − i − 1 pairs, so the workers stay balanced.
        let results = ConcurrentSlots<[(Int, [KernelValues<Scalar>])]>(count: workers)
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            var mine: [(Int, [KernelValues<Scalar>])] = []
            for i in stride(from: w, to: n, by: workers) {
                var row: [KernelValues<Scalar>] = []
                row.reserveCapacity(n - i - 1)
                for j in (i + 1)..<max(i + 1, n) {
                    let k = j - i - 1
                    let q1 = gram.norms2[i], q2 = gram.norms2[j], c = gram.products[i][k]
                    let pair: (ntk: Scalar, nngp: Scalar)
                    if let angles = gram.angles {
                        pair = offDiagonal(q1: q1, q2: q2, c: c, rootProduct: (q1 * q2).kernelSquareRoot(), angle: angles[i][k])
                    } else {
                        pair = evaluatePair(q1: q1, q2: q2, c: c, defect: gram.defects[i][k])
                    }
                    row.append(assemble(pair, diagonals[i], diagonals[j]))
                }
                mine.append((i, row))
            }
            results.set(w, mine)
        }
        var ntk = [[Scalar]](repeating: [], count: n)
        var nngp = ntk, normalized = ntk
        for i in 0..<n {
            ntk[i] = Array(repeating: zero, count: n)
            nngp[i] = ntk[i]
            normalized[i] = ntk[i]
            ntk[i][i] = diagonals[i]
            nngp[i][i] = nngpDiagonal[i]
            normalized[i][i] = assemble((diagonals[i], nngpDiagonal[i]), diagonals[i], diagonals[i]).normalized
        }
        for w in 0..<workers {
            for (i, row) in results.get(w) {
                for (k, v) in row.enumerated() {
                    let j = i + 1 + k
                    ntk[i][j] = v.ntk; ntk[j][i] = v.ntk
                    nngp[i][j] = v.nngp; nngp[j][i] = v.nngp
                    normalized[i][j] = v.normalized; normalized[j][i] = v.normalized
                }
            }
        }
        return KernelMatrix(ntk: ntk, nngp: nngp, normalized: normalized)
    }

    /// (Θ*, Σ*) of one pair from its Gram entries and defect.
    func evaluatePair(q1: Scalar, q2: Scalar, c: Scalar, defect: Scalar) -> (ntk: Scalar, nngp: Scalar) {
        let root: Scalar, angle: Scalar
        if defect.isExactlyZero {
            root = c.roughValue >= 0 ? c : zero - c
            angle = c.roughValue >= 0 ? zero : map.pi
        } else {
            root = (q1 * q2).kernelSquareRoot()
            angle = Scalar.kernelArctangent2(y: defect.kernelSquareRoot(), x: c)
        }
        return offDiagonal(q1: q1, q2: q2, c: c, rootProduct: root, angle: angle)
    }
}

/// Fixed slots written by concurrent workers, one slot per worker (each slot written once,
/// read after all workers finished); the lock makes the hand-over explicit.
final class ConcurrentSlots<Value>: @unchecked Sendable {
    private var values: [Value?]
    private let lock = NSLock()
    init(count: Int) { values = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ v: Value) { lock.withLock { values[i] = v } }
    func get(_ i: Int) -> Value { lock.withLock { values[i]! } }
}
