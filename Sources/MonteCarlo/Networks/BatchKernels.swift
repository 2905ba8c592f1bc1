// The register-blocked SIMD loops of `NetworkPass`: one layer forward and one backward over a
// batch stored unit-major with the batch innermost.

/// The SIMD vector of the batch loops: four inputs at a time.
typealias BatchVector = SIMD4<Double>

@inline(__always) func loadBatch(_ p: UnsafePointer<Double>) -> BatchVector {
    UnsafeRawPointer(p).loadUnaligned(as: BatchVector.self)
}

@inline(__always) func storeBatch(_ v: BatchVector, _ p: UnsafeMutablePointer<Double>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: BatchVector.self)
}

/// `output[i][a] = b_i + Σ_j W_ij input[j][a]` (then `max(·, 0)` when `relu`) for the first `used`
/// columns. Register blocking: four rows of `W` times one vector of four inputs, so each loaded
/// input vector serves four products and the four running sums stay in registers.
@inline(__always)
func forwardLayer(
    weights: UnsafePointer<Double>, biases: UnsafePointer<Double>?, rows: Int, fanIn: Int, input: UnsafeMutablePointer<Double>,
    output: UnsafeMutablePointer<Double>, columns: Int, used: Int, relu: Bool
) {
    let zero = BatchVector(repeating: 0)
    func finish(_ sum: BatchVector, row: Int, chunk: Int) {
        var h = sum + BatchVector(repeating: biases?[row] ?? 0)
        if relu { h = h.replacing(with: zero, where: .!(h .> zero)) }
        storeBatch(h, output + row * columns + chunk)
    }
    var row = 0
    while row + 4 <= rows {
        let w0 = weights + row * fanIn, w1 = w0 + fanIn, w2 = w1 + fanIn, w3 = w2 + fanIn
        for chunk in stride(from: 0, to: used, by: BatchVector.scalarCount) {
            var s0 = zero, s1 = zero, s2 = zero, s3 = zero
            var x = UnsafePointer(input + chunk)
            for j in 0..<fanIn {
                let v = loadBatch(x)
                s0 += w0[j] * v
                s1 += w1[j] * v
                s2 += w2[j] * v
                s3 += w3[j] * v
                x += columns
            }
            finish(s0, row: row, chunk: chunk)
            finish(s1, row: row + 1, chunk: chunk)
            finish(s2, row: row + 2, chunk: chunk)
            finish(s3, row: row + 3, chunk: chunk)
        }
        row += 4
    }
    while row < rows {
        let w0 = weights + row * fanIn
        for chunk in stride(from: 0, to: used, by: BatchVector.scalarCount) {
            var s0 = zero, s1 = zero
            var x = UnsafePointer(input + chunk)
            var j = 0
            while j + 2 <= fanIn {
                s0 += w0[j] * loadBatch(x)
                s1 += w0[j + 1] * loadBatch(x + columns)
                x += 2 * columns
                j += 2
            }
            if j < fanIn { s0 += w0[j] * loadBatch(x) }
            finish(s0 + s1, row: row, chunk: chunk)
        }
        row += 1
    }
}

/// `lower[j][a] = 1{activations[j][a] > 0} Σ_i W_ij upper[i][a]` for the first `used` columns.
/// Register blocking: four columns `j` of `W` times one vector of four backward entries per row
/// `i`, so the four sums stay in registers and each loaded `upper` vector serves four products.
@inline(__always)
func backwardLayer(
    weights: UnsafePointer<Double>, rows: Int, fanIn: Int, upper: UnsafeMutablePointer<Double>, lower: UnsafeMutablePointer<Double>,
    activations: UnsafeMutablePointer<Double>, columns: Int, used: Int
) {
    let zero = BatchVector(repeating: 0)
    func finish(_ sum: BatchVector, unit: Int, chunk: Int) {
        let active = loadBatch(activations + unit * columns + chunk) .> zero
        storeBatch(zero.replacing(with: sum, where: active), lower + unit * columns + chunk)
    }
    var j = 0
    while j + 4 <= fanIn {
        for chunk in stride(from: 0, to: used, by: BatchVector.scalarCount) {
            var s0 = zero, s1 = zero, s2 = zero, s3 = zero
            var w = weights + j
            var d = UnsafePointer(upper + chunk)
            for _ in 0..<rows {
                let v = loadBatch(d)
                s0 += w[0] * v
                s1 += w[1] * v
                s2 += w[2] * v
                s3 += w[3] * v
                w += fanIn
                d += columns
            }
            finish(s0, unit: j, chunk: chunk)
            finish(s1, unit: j + 1, chunk: chunk)
            finish(s2, unit: j + 2, chunk: chunk)
            finish(s3, unit: j + 3, chunk: chunk)
        }
        j += 4
    }
    while j < fanIn {
        for chunk in stride(from: 0, to: used, by: BatchVector.scalarCount) {
            var s0 = zero
            var w = weights + j
            var d = UnsafePointer(upper + chunk)
            for _ in 0..<rows {
                s0 += w[0] * loadBatch(d)
                w += fanIn
                d += columns
            }
            finish(s0, unit: j, chunk: chunk)
        }
        j += 1
    }
}
