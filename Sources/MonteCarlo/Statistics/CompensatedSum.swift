/// A sum of doubles in two stages. Terms added one by one (`add(_ term: Double)`) are carried as
/// an unevaluated pair `high + low` (double-double), updated with Knuth's error-free TwoSum: the
/// error is of order `ε² · Σ|terms|` (ε = 2⁻⁵³) instead of `ε · n · Σ|terms|`, so long runs of
/// 10⁹ terms of widely varying size lose no accuracy to accumulation. Whole sums merged into it
/// (`add(_ other:)`, how blocks, threads and shards are combined) are added exactly
/// (`ExactSum`), so merging is associative and commutative: a run split into any blocks or
/// shards and merged gives the same bits as long as each block's own terms are the same.
public struct CompensatedSum: Sendable, Hashable, Codable {
    /// The leading part of the terms added one by one.
    public private(set) var high: Double
    /// The accumulated rounding errors of the additions into `high`.
    public private(set) var low: Double
    /// The sums merged in, exactly.
    public private(set) var merged: ExactSum

    /// The empty sum, 0.
    public init() {
        high = 0
        low = 0
        merged = ExactSum()
    }

    /// The sum, `merged + high + low` computed exactly and rounded once to a double.
    public var value: Double { merged.isZero ? high + low : exactTotal.rounded }

    /// Whether the parts of the sum are finite numbers.
    public var isFinite: Bool { high.isFinite && low.isFinite && value.isFinite }

    /// Adds `term`. The rounding error of `high + term` is recovered exactly (TwoSum) and
    /// folded into `low`.
    @inline(__always)
    public mutating func add(_ term: Double) {
        let sum = high + term
        let termPart = sum - high
        let roundingError = (high - (sum - termPart)) + (term - termPart)
        high = sum
        low += roundingError
    }

    /// Adds the whole of another sum, exactly.
    public mutating func add(_ other: CompensatedSum) {
        merged.add(other.merged)
        merged.add(other.high)
        merged.add(other.low)
    }

    /// The sum exactly: `merged + high + low`.
    public var exactTotal: ExactSum {
        var total = merged
        total.add(high)
        total.add(low)
        return total
    }

    /// Equal when the sums are equal exactly, however they are split between the parts.
    public static func == (a: CompensatedSum, b: CompensatedSum) -> Bool { a.exactTotal == b.exactTotal }

    public func hash(into hasher: inout Hasher) { hasher.combine(exactTotal) }

    /// JSON: `high` and `low`, and `merged` as the canonical list of doubles whose exact sum it
    /// is (`ExactSum.expansion`; left out when zero, which is how files without it read).
    enum CodingKeys: String, CodingKey { case high, low, merged }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        high = try c.decode(Double.self, forKey: .high)
        low = try c.decode(Double.self, forKey: .low)
        let terms = try c.decodeIfPresent([Double].self, forKey: .merged) ?? []
        guard terms.count <= ExactSum.maximumExpansionLength else {
            throw DecodingError.dataCorruptedError(forKey: .merged, in: c, debugDescription: "more than \(ExactSum.maximumExpansionLength) terms")
        }
        merged = ExactSum(terms)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(high, forKey: .high)
        try c.encode(low, forKey: .low)
        guard !merged.isZero else { return }
        guard let terms = merged.expansion else {
            throw EncodingError.invalidValue(merged, .init(codingPath: c.codingPath, debugDescription: "the sum is not finite"))
        }
        try c.encode(terms, forKey: .merged)
    }
}
