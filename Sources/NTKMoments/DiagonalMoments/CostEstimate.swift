#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Multiprecision

/// Cost estimates that let a front end refuse hopeless jobs before starting them.
public enum CostEstimate {
    /// Upper estimate of the decimal digits of the exact rational E[Θ²] (numerator plus
    /// denominator): each hidden layer of width n contributes about n bits (from 2^{−n}) and
    /// a few times log₂ n (from the 1/n factors), doubled for the second moment.
    public static func exactDecimalDigits(_ a: Architecture) -> Double {
        var bits = Double(a.sigma2.bitSize * 2 * a.depth + a.inputNorm2.bitSize * 2 + 64)
        var previous = a.inputDimension
        for run in a.hiddenRuns {
            let perLayer = Double(run.width) + 4 * (log2Int(run.width) + log2Int(previous)) + 8
            bits += 2 * perLayer * Double(run.count)
            previous = run.width
        }
        return bits * 0.30103
    }

    /// Rough work of the MPFR or interval recursion, in units of one 128-bit width segment:
    /// each run of equal widths costs O(1) segment applications (plus O(log r) squarings),
    /// and MPFR's multiplication costs about p^1.6.
    public static func roundedWork(_ a: Architecture, precision p: Int) -> Double {
        (Double(a.hiddenRuns.count) * 2 + 1) * pow(Double(p) / 128, 1.6)
    }

    /// Work beyond this (about a minute on one core: 2·10⁶ segments at 10⁵ bits is hours) is
    /// refused by the command line.
    public static let roundedWorkLimit = 4e7

    static func log2Int(_ n: Int) -> Double { Double(Int.bitWidth - n.leadingZeroBitCount) }

    /// Non-zero entries of one layer of the E[Θ^k] recursion, k = 3 … 8 (a test ties them to
    /// the state space).
    static let tupleLayerEntries: [Int: Double] = [3: 140, 4: 378, 5: 882, 6: 1848, 7: 3564, 8: 6435]

    /// Estimated wall seconds of E[Θ³] … E[Θ^p] (`HigherMomentSummary`) in a rounded
    /// arithmetic or in exact rationals (whose size `exactDecimalDigits` also limits). Measured
    /// with the release build on the project's 2-core machine (`make bench` compares):
    /// * every layer applied on its own (runs of at most 8 equal layers; longer runs and, except
    ///   in Double, periodic stretches go by repeated squaring, each matrix product costing
    ///   about as much as C(k+3, 3)/16 applications) costs, per non-zero entry of its matrix, about 62 ns in
    ///   MPFR at 128 bits (growing like the cube root of the precision), twice that for
    ///   certified enclosures and 1.5 ns in Double;
    /// * each distinct width pair builds its layer from (k+1)(k+2)/2 joint moments, exact
    ///   rationals at about 6 µs each, whatever the arithmetic.
    public static func higherMomentSeconds(_ a: Architecture, maxOrder p: Int, mode: ArithmeticMode) -> Double {
        guard p >= 3 else { return 0 }
        let perEntry: Double
        // Exact rationals grow along the run: E[Θ^k] has about k/2 times the digits of E[Θ²]
        // (`exactDecimalDigits`), and an operation costs about its operands' length, so an
        // entry costs about 2·10⁻¹⁰ s per final digit, weighted by k/2 (measured: 300 random
        // widths at p = 8 in 80 s, estimated 86 s).
        var exactDigits: Double? = nil
        switch mode {
        case .exact:
            exactDigits = exactDecimalDigits(a)
            perEntry = 2.06e-10 * exactDigits!
        case .double: perEntry = 1.5e-9
        case .mpfr(let bits): perEntry = 62e-9 * pow(Double(max(bits, 128)) / 128, 1.0 / 3)
        case .certified(let bits): perEntry = 124e-9 * pow(Double(max(bits, 128)) / 128, 1.0 / 3)
        }
        // As the engine runs them: layers one by one, long runs and periodic stretches (not in
        // Double) by repeated squaring, a matrix product costing about `states` applications.
        var applied = 0.0, products = 0.0
        var pairs = WidthPairIndex()
        func squarings(_ n: Int) -> Double { 2 * log2Int(n) }
        let isDouble: Bool = { if case .double = mode { return true } else { return false } }()
        for block in a.layerBlocks(periodic: !isDouble) {
            switch block {
            case .segment(let segment) where segment.count <= 8:
                applied += Double(segment.count)
                _ = pairs.number(segment.previous, segment.width)
            case .segment(let segment):
                products += squarings(segment.count)
            case .periodic(let period, let repeats):
                products += Double(period.count) + squarings(repeats) + period.map { $0.count > 1 ? squarings($0.count) : 0 }.reduce(0, +)
            }
        }
        let orders = 3...min(p, HigherMomentSummary.maximumOrder)
        func weight(_ k: Int) -> Double { exactDigits == nil ? 1 : Double(k) / 2 }
        let entries = orders.map { (tupleLayerEntries[$0] ?? 0) * weight($0) }.reduce(0, +)
        let productEntries = orders.map { Double(($0 + 3) * ($0 + 2) * ($0 + 1) / 6) / 16 * (tupleLayerEntries[$0] ?? 0) * weight($0) }.reduce(0, +)
        let jointMoments = orders.map { Double(($0 + 1) * ($0 + 2) / 2) }.reduce(0, +)
        return (applied * entries + products * productEntries) * perEntry + Double(pairs.count) * jointMoments * 6e-6
    }
}
