import Multiprecision

/// Which entries of a transfer matrix can ever be non-zero. The automaton's states form a
/// chain with self-loops, so every product of layer matrices stays inside the reachability
/// closure of one layer's pattern; storing only those entries keeps products cheap.
final class TransferPattern: Sendable {
    let size: Int
    /// (row, column) of every stored entry.
    let entries: [(row: Int, column: Int)]
    /// For each (row, column): its position in `entries`, or −1.
    let position: [Int]
    /// For each stored entry (i, k) of a product A·B: the pairs (position of (i, j) in A,
    /// position of (j, k) in B) that contribute.
    let productTerms: [[(Int, Int)]]

    init(size: Int, oneStep: Set<[Int]>) {
        var reach = Array(repeating: Array(repeating: false, count: size), count: size)
        for edge in oneStep { reach[edge[0]][edge[1]] = true }
        for k in 0..<size { for i in 0..<size where reach[i][k] { for j in 0..<size where reach[k][j] { reach[i][j] = true } } }
        var entries: [(row: Int, column: Int)] = []
        var position = Array(repeating: -1, count: size * size)
        for i in 0..<size { for j in 0..<size where reach[i][j] {
            position[i * size + j] = entries.count
            entries.append((i, j))
        } }
        var productTerms: [[(Int, Int)]] = []
        for (i, k) in entries {
            var terms: [(Int, Int)] = []
            for j in 0..<size {
                let left = position[i * size + j], right = position[j * size + k]
                if left >= 0 && right >= 0 { terms.append((left, right)) }
            }
            productTerms.append(terms)
        }
        self.size = size
        self.entries = entries
        self.position = position
        self.productTerms = productTerms
    }
}

/// A square matrix of scalars on a fixed sparsity pattern, times 2^scale.
///
/// The power-of-two scale is only used by scalars with a bounded exponent range (`Double`):
/// after each product the entries are renormalised so that none overflows or underflows.
struct TransferMatrix<Scalar: MomentScalar> {
    let pattern: TransferPattern
    var values: [Scalar]
    var scale: Int = 0

    /// self·other (apply self's layers first, then other's).
    func multiplied(by other: TransferMatrix, zero: Scalar) -> TransferMatrix {
        var result = TransferMatrix(pattern: pattern, values: Array(repeating: zero, count: values.count),
                                    scale: scale + other.scale)
        for (index, terms) in pattern.productTerms.enumerated() {
            for (l, r) in terms { result.values[index].accumulateProduct(values[l], other.values[r]) }
        }
        result.renormalize()
        return result
    }

    mutating func renormalize() { Rescaling.normalize(&values, scale: &scale) }

    /// self^n (n ≥ 1) by repeated squaring.
    func power(_ n: Int, zero: Scalar) -> TransferMatrix {
        precondition(n >= 1)
        var result: TransferMatrix? = nil
        var square = self
        var remaining = n
        while true {
            if remaining & 1 == 1 { result = result.map { $0.multiplied(by: square, zero: zero) } ?? square }
            remaining >>= 1
            if remaining == 0 { break }
            square = square.multiplied(by: square, zero: zero)
        }
        return result!
    }
}

/// A row vector of path weights, times 2^scale.
struct PathVector<Scalar: MomentScalar> {
    var values: [Scalar]
    var scale: Int = 0

    /// v ← v·M.
    func applying(_ matrix: TransferMatrix<Scalar>, zero: Scalar) -> PathVector {
        var result = PathVector(values: Array(repeating: zero, count: values.count), scale: 0)
        apply(matrix, into: &result)
        return result
    }

    /// output ← self·M, reusing output's storage (the hot loop of general architectures).
    func apply(_ matrix: TransferMatrix<Scalar>, into output: inout PathVector) {
        for i in output.values.indices { output.values[i].setZero() }
        output.scale = scale + matrix.scale
        let entries = matrix.pattern.entries
        matrix.values.withUnsafeBufferPointer { m in
            values.withUnsafeBufferPointer { v in
                output.values.withUnsafeMutableBufferPointer { out in
                    for index in 0..<entries.count {
                        let entry = entries[index]
                        out[entry.column].accumulateProduct(v[entry.row], m[index])
                    }
                }
            }
        }
        output.renormalize()
    }

    /// v ← v·M^power by repeated squaring: O(log power) matrix products.
    ///
    /// For scalars with a bounded exponent range (`Double`) a matrix power can hold entries
    /// more than 2^1000 apart (e.g. the bias self-loop ≈ 1 next to weight paths ≈ (σ²/2)^r in
    /// the ordered phase); one shared scale would flush the small ones to zero even when they
    /// carry the whole answer. When a square shows such a spread, the remaining layers are
    /// applied one at a time instead: vectors tolerate the spread, because an entry that far
    /// below the largest one cannot matter to a sum of non-negative terms.
    func applying(_ matrix: TransferMatrix<Scalar>, power: Int, zero: Scalar) -> PathVector {
        var result = self
        var scratch = PathVector(values: values.map { _ in zero }, scale: 0)
        func applyDirectly(_ count: Int) {
            for _ in 0..<count {
                result.apply(matrix, into: &scratch)
                swap(&result, &scratch)
            }
        }
        if power <= 8 {
            applyDirectly(power)
            return result
        }
        var remaining = power
        var square = matrix
        var level = 0
        while true {
            if Rescaling.hasDangerousSpread(square.values) {
                // `remaining` still counts squares of size 2^level: that many base layers each.
                let layersLeft = remaining << level
                // One step per layer is O(L): for long runs (depth 10^9 would take many
                // minutes) finish in 53-bit MPFR instead, whose unbounded exponent has no
                // spread problem, by repeated squaring of the base layer.
                if layersLeft > Self.directApplicationLimit,
                   let vector = result as? PathVector<Double>, let base = matrix as? TransferMatrix<Double>,
                   let finished = vector.applyingInWideExponentRange(base, power: layersLeft) as? PathVector<Scalar> {
                    return finished
                }
                applyDirectly(layersLeft)
                return result
            }
            if remaining & 1 == 1 { result = result.applying(square, zero: zero) }
            remaining >>= 1
            if remaining == 0 { break }
            square = square.multiplied(by: square, zero: zero)
            level += 1
        }
        return result
    }

    /// Runs longer than this are not applied one layer at a time (see `applying(_:power:zero:)`).
    static var directApplicationLimit: Int { 1 << 16 }

    /// Σ v_i·w_i (times 2^scale).
    func dot(_ weights: [Scalar], zero: Scalar) -> (value: Scalar, scale: Int) {
        var total = zero
        for (v, w) in zip(values, weights) { total.accumulateProduct(v, w) }
        return (total, scale)
    }

    mutating func renormalize() { Rescaling.normalize(&values, scale: &scale) }
}

enum Rescaling {
    /// Divides out the power of two `exponentToRemove` finds and adds it to `scale`:
    /// values·2^scale is unchanged (exactly, away from the ends of the exponent range).
    static func normalize<S: MomentScalar>(_ values: inout [S], scale: inout Int) {
        let shift = exponentToRemove(values)
        guard shift != 0 else { return }
        for i in values.indices { values[i] = values[i].rescaled(byPowerOfTwo: -shift) }
        scale += shift
    }

    /// True when non-zero entries span more than 2^450: squaring can double the spread, and
    /// past ~2^1000 one shared scale no longer represents them all. Always false for
    /// unbounded scalars.
    static func hasDangerousSpread<S: MomentScalar>(_ values: [S]) -> Bool {
        guard S.needsRescaling else { return false }
        var low = Int.max, high = Int.min
        for v in values {
            guard let e = v.rescalingExponent else { continue }
            low = min(low, e)
            high = max(high, e)
        }
        return low != Int.max && (high - low > 450 || low < -1000)
    }

    /// The power of two to divide out so that the largest entry is near 1, or 0 when the
    /// scalars need no rescaling or are already in a comfortable range (|e| ≤ 256).
    static func exponentToRemove<S: MomentScalar>(_ values: [S]) -> Int {
        guard S.needsRescaling else { return 0 }
        var maxExponent = Int.min
        for v in values {
            if let e = v.rescalingExponent, e > maxExponent { maxExponent = e }
        }
        guard maxExponent != Int.min, abs(maxExponent) > 256 else { return 0 }
        return maxExponent
    }
}

extension PathVector where Scalar == Double {
    /// v·M^power computed in 53-bit MPFR (a Double's significand with an unbounded exponent),
    /// then returned as Doubles under one shared scale. Entries more than ~2^1074 below the
    /// largest become 0, which a vector tolerates (see `applying(_:power:zero:)`).
    func applyingInWideExponentRange(_ matrix: TransferMatrix<Double>, power: Int) -> PathVector<Double> {
        let p = 53
        let zero = BigFloat(precision: p)
        let wideVector = PathVector<BigFloat>(values: values.map { BigFloat($0, precision: p).timesPowerOfTwo(scale) })
        let wideMatrix = TransferMatrix<BigFloat>(pattern: matrix.pattern,
                                                  values: matrix.values.map { BigFloat($0, precision: p).timesPowerOfTwo(matrix.scale) })
        let product = wideVector.applying(wideMatrix, power: power, zero: zero)
        let top = product.values.compactMap(\.exponent).max() ?? 0
        return PathVector(values: product.values.map { $0.timesPowerOfTwo(-top).doubleValue() }, scale: top)
    }
}
