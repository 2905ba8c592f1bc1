#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Multiprecision

/// The states of the p-th moment recursion: multisets of p path states (derivations/08).
///
/// E[Θ^p] sums over ordered p-tuples of paths. Simultaneous permutation of the p components
/// leaves every layer weight unchanged, so all orderings of one multiset carry the same
/// weight, and the recursion runs on the C(p+3, 3) multisets (4, 10, 20, 35, 56 for p = 1…5)
/// instead of the 4^p ordered tuples. Convention (as for the pair recursion): a vector entry
/// is the weight of one ordered representative; the matrix entry S → T sums the weights of
/// every ordering of S into T's representative; the top weight of T counts its orderings.
final class TupleStateSpace: TransferStateSpace {
    let order: Int
    let model: MomentModel
    /// Each state as its non-decreasing tuple of path states.
    let states: [[PathState]]
    /// For each one-step edge (S, T): the (number of forward factors i, number of backward
    /// factors j, multiplicity) of the orderings of S that move into T's representative.
    let edges: [TransferEdge]
    let pattern: TransferPattern
    var stateCount: Int { states.count }
    var maximumDegree: Int { order }
    /// Orderings of each state (p!/Π multiplicity!).
    let orderings: [Int]

    init(order p: Int, model: MomentModel) {
        self.order = p
        self.model = model
        var all: [[PathState]] = []
        func build(_ prefix: [PathState], from start: Int) {
            if prefix.count == p { all.append(prefix); return }
            for raw in start..<PathState.allCases.count { build(prefix + [PathState(rawValue: raw)!], from: raw) }
        }
        build([], from: 0)
        states = all
        var factor: [Int: PathFactor] = [:]
        for t in model.transitions { factor[t.from.rawValue * 4 + t.to.rawValue] = t.factor }

        // How many components of each path state a state has.
        let kinds = PathState.allCases.count
        let multiplicities = all.map { state in (0..<kinds).map { k in state.filter { $0.rawValue == k }.count } }
        var factorial = [1]
        for n in 1...max(1, p) { factorial.append(factorial[n - 1] * n) }
        orderings = multiplicities.map { c in c.reduce(factorial[p]) { $0 / factorial[$1] } }

        // The entry S → T counts the orderings o of S whose components all step to T's sorted
        // representative (o_i → T_i allowed), by their numbers of forward and backward factors.
        // Enumerating orderings and successor choices costs up to 4^p per ordering (seconds at
        // p = 8); instead, an ordering is a table n[s][t] (how many of T's components of kind t
        // come from S's components of kind s), with row sums c_s (S's multiplicities) and
        // column sums d_t (T's), and each table stands for Π_t d_t!/Π_s n[s][t]! orderings
        // (the arrangements within each block of T's equal components).
        var edgeList: [TransferEdge] = []
        var oneStep = Set<[Int]>()
        for (si, c) in multiplicities.enumerated() {
            for (ti, d) in multiplicities.enumerated() {
                var counts: [[Int]: Int] = [:]
                var rowLeft = c, columnLeft = d
                // Cells in row-major order; the last cell of each row takes what is left of the
                // row, and the last row what is left of each column.
                func fill(_ cell: Int, _ ways: Int, _ forward: Int, _ backward: Int) {
                    if cell == kinds * kinds {
                        counts[[forward, backward], default: 0] += ways
                        return
                    }
                    let s = cell / kinds, t = cell % kinds
                    let range = t == kinds - 1 ? rowLeft[s]...rowLeft[s] : 0...min(rowLeft[s], columnLeft[t])
                    for n in range where n <= columnLeft[t] {
                        // The last row must exhaust every column.
                        if s == kinds - 1 && columnLeft[t] != n { continue }
                        let f = factor[s * 4 + t]
                        if n > 0 && f == nil { continue }
                        rowLeft[s] -= n
                        columnLeft[t] -= n
                        fill(cell + 1, ways / factorial[n], forward + (f == .forward ? n : 0), backward + (f == .backward ? n : 0))
                        rowLeft[s] += n
                        columnLeft[t] += n
                    }
                }
                // Π_t d_t! first, then divided by each n! (exact: each step divides a multinomial).
                fill(0, d.reduce(1) { $0 * factorial[$1] }, 0, 0)
                guard !counts.isEmpty else { continue }
                edgeList.append(TransferEdge(source: si, target: ti, terms: counts.map { (forward: $0.key[0], backward: $0.key[1], count: $0.value) }
                    .sorted { ($0.forward, $0.backward) < ($1.forward, $1.backward) }))
                oneStep.insert([si, ti])
            }
        }
        edges = edgeList
        pattern = TransferPattern(size: all.count, oneStep: oneStep)
    }

    nonisolated(unsafe) private static var cache: [String: TupleStateSpace] = [:]
    private static let lock = NSLockLike()

    /// The (cached) state space of order p for a model.
    static func of(order p: Int, model: MomentModel) -> TupleStateSpace {
        let key = "\(model.rawValue)-\(p)"
        return lock.withLock {
            if let cached = cache[key] { return cached }
            let space = TupleStateSpace(order: p, model: model)
            cache[key] = space
            return space
        }
    }

    /// Number of components of state `s` in `state`.
    func count(_ s: PathState, in state: Int) -> Int { states[state].filter { $0 == s }.count }
}

/// The joint moments E[a^i b^j] of one hidden layer's factors, on the alive event for the
/// exact model (derivations/08):
///
///     E[A^i B^j ; k ≥ 1] = Σ_{k ≥ 1} C(n,k) 2^{−n} · k(k+2)⋯(k+2i−2) · (k−1)(k+1)⋯(k+2j−3),
///
/// with a = (σ²/p)A, b = (σ²/n)B. The polynomial in k is averaged exactly through factorial
/// moments, E[k(k−1)⋯(k−r+1)] = n(n−1)⋯(n−r+1)/2^r, and the k = 0 term is removed, so the
/// result is a rational plus a rational times 2^{−n}. The GI model uses B' ~ χ²_k on the same
/// k and no alive indicator.
struct JointLayerMoments {
    /// E[a^i b^j] as c₀·(σ²)^{i+j} + c₁·(σ²)^{i+j}·2^{−n}.
    static func coefficients(forward i: Int, backward j: Int, previous p: Int, width n: Int,
                             model: MomentModel) -> (main: BigRational, timesTwoToMinusN: BigRational) {
        // poly(k) = m_i(k)·m_j(k − 1) (exact) or m_i(k)·m_j(k) (GI), m_r(d) = d(d+2)⋯(d+2r−2).
        var poly: [BigRational] = [1]  // coefficients in k^0, k^1, …
        func multiply(byLinear shift: Int) {  // poly ← poly·(k + shift)
            var next = Array(repeating: BigRational(0), count: poly.count + 1)
            for (d, c) in poly.enumerated() {
                next[d + 1] += c
                next[d] += c * BigRational(shift)
            }
            poly = next
        }
        for r in 0..<i { multiply(byLinear: 2 * r) }
        let backwardShift = model == .exact ? -1 : 0
        for r in 0..<j { multiply(byLinear: backwardShift + 2 * r) }
        // E[k^m] = Σ_r S(m, r)·n^(r)/2^r (Stirling numbers of the second kind).
        let N = BigRational(n)
        var fallingOverPower: [BigRational] = [1]  // n^(r)/2^r
        for r in 1..<poly.count { fallingOverPower.append(fallingOverPower[r - 1] * (N - BigRational(r - 1)) / 2) }
        var stirling: [[Int]] = [[1]]
        for m in 1..<poly.count {
            var row = Array(repeating: 0, count: m + 1)
            for r in 1...m { row[r] = (r < m ? r * stirling[m - 1][r] : 0) + stirling[m - 1][r - 1] }
            stirling.append(row)
        }
        var expectation = BigRational(0)
        for (m, c) in poly.enumerated() where !c.isZero {
            var moment = BigRational(0)
            for r in 0...m where stirling[m][r] != 0 { moment += BigRational(stirling[m][r]) * fallingOverPower[r] }
            expectation += c * moment
        }
        // Scale: (1/p)^i (1/n)^j.
        var scale = BigRational(1)
        for _ in 0..<i { scale = scale / BigRational(p) }
        for _ in 0..<j { scale = scale / N }
        guard model == .exact else { return (expectation * scale, 0) }
        // Remove the k = 0 term, poly(0)·2^{−n}.
        return (expectation * scale, -poly[0] * scale)
    }

    /// The same coefficients for many fan-ins p: the polynomial average depends on the width n
    /// only, so it is computed once per (i, j, n) and each pair only divides by p^i (the same
    /// exact rationals, hence the same constants; general width sequences have ~n² pairs but
    /// only ~n widths).
    final class Cache {
        private var byWidth: [Int: [[(main: BigRational, timesTwoToMinusN: BigRational)]]] = [:]
        let model: MomentModel
        let order: Int
        init(model: MomentModel, order: Int) {
            self.model = model
            self.order = order
        }

        func coefficients(forward i: Int, backward j: Int, previous p: Int, width n: Int) -> (main: BigRational, timesTwoToMinusN: BigRational) {
            let table: [[(main: BigRational, timesTwoToMinusN: BigRational)]]
            if let known = byWidth[n] {
                table = known
            } else {
                // p = 1 leaves the factor (1/n)^j only.
                table = (0...order).map { i in
                    (0...(order - i)).map { j in JointLayerMoments.coefficients(forward: i, backward: j, previous: 1, width: n, model: model) }
                }
                byWidth[n] = table
            }
            let c = table[i][j]
            guard i > 0 else { return c }
            var divisor = BigRational(1)
            for _ in 0..<i { divisor *= BigRational(p) }
            return (c.main / divisor, c.timesTwoToMinusN / divisor)
        }
    }
}

/// E[Θ^p] by the transfer-matrix recursion over multisets of p paths (derivations/08), written
/// once for every arithmetic, like `MomentRecursion` (which it reproduces for p = 1, 2).
///
/// Cost: O(L) matrix-vector products for general widths, O(log L) per run of equal widths by
/// repeated squaring; the matrices have C(p+3, 3) states.
public struct TupleMomentRecursion<Arithmetic: MomentArithmetic>: Sendable {
    public typealias Scalar = Arithmetic.Scalar
    public let arithmetic: Arithmetic
    public let model: MomentModel
    public let order: Int
    let space: TupleStateSpace

    /// Precondition: 1 ≤ order ≤ 8 (checked by callers that take user input).
    public init(arithmetic: Arithmetic, model: MomentModel = .exact, order: Int) {
        precondition(order >= 1 && order <= 8, "moment order \(order) outside 1…8")
        self.arithmetic = arithmetic
        self.model = model
        self.order = order
        self.space = TupleStateSpace.of(order: order, model: model)
    }

    /// The engine's `layerEntryBudget` (tests lower it).
    var layerEntryBudget = TransferRecursionEngine<Arithmetic>.cachedLayerEntries

    var engine: TransferRecursionEngine<Arithmetic> {
        var engine = TransferRecursionEngine(arithmetic: arithmetic, model: model, space: space)
        engine.layerEntryBudget = layerEntryBudget
        return engine
    }

    /// E[Θ^p] (times 2^scale for `Double`), including the dead-network term P(dead)·β^p.
    // Specialized for the rounded arithmetics so that callers in other modules (the
    // experiments, the bench) do not run the engine through generic metadata and witness
    // tables, which cost as much as the layers themselves (perf: 11 % in metadata lookups).
    @_specialize(where Arithmetic == MPFRArithmetic)
    @_specialize(where Arithmetic == DoubleArithmetic)
    @_specialize(where Arithmetic == EnclosureArithmetic)
    public func moment(of architecture: Architecture) -> ScaledScalar<Scalar> {
        let p = order
        let beta = arithmetic.constant(BigRational(architecture.beta))
        func power(_ x: Scalar, _ n: Int) -> Scalar {
            var r = arithmetic.constant(1)
            for _ in 0..<n { r = r * x }
            return r
        }
        if architecture.depth == 1 {
            return ScaledScalar(power(arithmetic.inputNorm2 + beta, p))
        }
        if architecture.inputNorm2.isZero {
            return ScaledScalar(power(beta, p))
        }
        let zero = arithmetic.zero
        let x = arithmetic.inputNorm2
        let start = space.states.map { s -> Scalar in
            guard s.allSatisfy({ $0 == .prefixWeight || $0 == .prefixBias }) else { return zero }
            let w = s.filter { $0 == .prefixWeight }.count
            return power(x, w) * power(beta, p - w)
        }
        let vector = engine.propagate(start, through: architecture)
        // Top: u components in U give E[z^u] = (σ²/n_{L−1})^u (2u−1)!!; others 1.
        let last = BigRational(architecture.lastHiddenWidth)
        let top = space.states.indices.map { t -> Scalar in
            let u = space.count(.injected, in: t)
            var doubleFactorial = BigRational(1)
            for r in stride(from: 2 * u - 1, through: 1, by: -2) { doubleFactorial *= BigRational(r) }
            var lastPower = BigRational(1)
            for _ in 0..<u { lastPower *= last }
            return arithmetic.constant(BigRational(space.orderings[t]) * doubleFactorial / lastPower, sigma2Power: u, twoToMinus: 0)
        }
        let alive = vector.dot(top, zero: zero)
        let dead = model == .exact
            ? arithmetic.probabilityOfDeadLayer(hiddenRuns: architecture.hiddenWidthTotals) * power(beta, p)
            : zero
        return MomentRecursion<Arithmetic>.adding(alive, dead)
    }
}

/// A tiny lock without Foundation (the module avoids importing it).
final class NSLockLike: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    init() { pthread_mutex_init(&mutex, nil) }
    deinit { pthread_mutex_destroy(&mutex) }
    func withLock<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return body()
    }
}
