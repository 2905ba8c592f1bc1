import Multiprecision

/// `count` consecutive hidden layers of the same width.
public struct WidthRun: Sendable, Hashable {
    public var width: Int
    public var count: Int
    public init(width: Int, count: Int) {
        self.width = width
        self.count = count
    }
}

/// A fully connected ReLU network with one output, at initialization (derivations/01-model.md).
///
/// * `inputDimension` is n₀; `hiddenWidths` are n₁ … n_{L−1}, stored as runs of equal widths so
///   that a network of 10⁹ layers costs nothing to describe; the output width is 1.
/// * Depth `L` is the number of weight layers, `hiddenWidths.count + 1`.
/// * Weights are N(0, σ²/n_{l−1}); biases are zero and, when `trainableBiases`, their gradients
///   enter the NTK (β = 1), otherwise β = 0.
public struct Architecture: Sendable, Equatable {
    public private(set) var inputDimension: Int
    /// Runs of equal hidden widths, merged so that neighbouring runs differ in width.
    public private(set) var hiddenRuns: [WidthRun]
    public var sigma2: BigRational
    public var inputNorm2: BigRational
    public var trainableBiases: Bool

    /// Why an architecture is not acceptable.
    public struct InvalidArchitecture: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// Largest depth accepted (keeps every counter far from overflow).
    public static let maximumDepth = 1 << 50
    /// Largest layer width accepted.
    public static let maximumWidth = 1 << 50

    public init(inputDimension: Int, hiddenRuns: [WidthRun], sigma2: BigRational,
                inputNorm2: BigRational = 1, trainableBiases: Bool = true) throws {
        guard inputDimension >= 1, inputDimension <= Self.maximumWidth else {
            throw InvalidArchitecture(description: "input dimension \(inputDimension) must be an integer from 1 to 2^50")
        }
        var merged: [WidthRun] = []
        var total = 0
        for run in hiddenRuns {
            guard run.width >= 1, run.width <= Self.maximumWidth else {
                throw InvalidArchitecture(description: "width \(run.width) must be an integer from 1 to 2^50")
            }
            guard run.count >= 0 else {
                throw InvalidArchitecture(description: "repeat count \(run.count) must not be negative")
            }
            if run.count == 0 { continue }
            total += run.count
            guard total < Self.maximumDepth else {
                throw InvalidArchitecture(description: "depth exceeds 2^50 layers")
            }
            if let last = merged.last, last.width == run.width {
                merged[merged.count - 1].count += run.count
            } else {
                merged.append(run)
            }
        }
        guard sigma2.signum > 0 else {
            throw InvalidArchitecture(description: "sigma2 = \(sigma2) must be positive")
        }
        guard inputNorm2.signum >= 0 else {
            throw InvalidArchitecture(description: "input norm² = \(inputNorm2) must not be negative")
        }
        self.inputDimension = inputDimension
        self.hiddenRuns = merged
        self.hiddenWidthTotals = Self.widthTotals(merged)
        self.sigma2 = sigma2
        self.inputNorm2 = inputNorm2
        self.trainableBiases = trainableBiases
    }

    /// Convenience: widths n₀, n₁, …, n_{L−1} listed one by one.
    public init(widths: [Int], sigma2: BigRational, inputNorm2: BigRational = 1, trainableBiases: Bool = true) throws {
        guard let first = widths.first else {
            throw InvalidArchitecture(description: "the width list is empty (it needs at least the input dimension)")
        }
        try self.init(inputDimension: first, hiddenRuns: widths.dropFirst().map { WidthRun(width: $0, count: 1) },
                      sigma2: sigma2, inputNorm2: inputNorm2, trainableBiases: trainableBiases)
    }

    /// Constant hidden width M, depth L, input dimension n₀ (default M).
    public init(width: Int, depth: Int, inputDimension: Int? = nil, sigma2: BigRational,
                inputNorm2: BigRational = 1, trainableBiases: Bool = true) throws {
        guard depth >= 1 else {
            throw InvalidArchitecture(description: "depth \(depth) must be at least 1")
        }
        try self.init(inputDimension: inputDimension ?? width, hiddenRuns: [WidthRun(width: width, count: depth - 1)],
                      sigma2: sigma2, inputNorm2: inputNorm2, trainableBiases: trainableBiases)
    }

    /// L, the number of weight layers.
    public var depth: Int { hiddenRuns.reduce(0) { $0 + $1.count } + 1 }
    public var hiddenLayerCount: Int { depth - 1 }
    /// β: 1 with trainable biases, 0 without.
    public var beta: Int { trainableBiases ? 1 : 0 }
    /// n_{L−1}, the width feeding the output layer.
    public var lastHiddenWidth: Int { hiddenRuns.last?.width ?? inputDimension }

    /// Each distinct hidden width once, with the total number of layers of that width, in
    /// increasing width: what P(dead) = 1 − Π(1 − 2^{−n_j}) depends on (the product does not
    /// care about order), without one term per run of an alternating architecture.
    public private(set) var hiddenWidthTotals: [WidthRun]

    /// The totals of `hiddenWidthTotals`, made once at construction (every engine asks for
    /// them, and a width sequence can have 10⁶ runs).
    private static func widthTotals(_ runs: [WidthRun]) -> [WidthRun] {
        var index = WidthPairIndex()
        var counts: [Int] = []
        for run in runs {
            let (n, inserted) = index.number(run.width, 0)
            if inserted { counts.append(0) }
            counts[n] += run.count
        }
        return zip(index.pairs, counts).map { WidthRun(width: $0.0.first, count: $0.1) }.sorted { $0.width < $1.width }
    }

    /// Every width n₀ … n_{L−1}, expanded (only for small networks).
    public var expandedWidths: [Int] {
        [inputDimension] + hiddenRuns.flatMap { Array(repeating: $0.width, count: $0.count) }
    }

    /// The hidden layers as (n_{j−1}, n_j, how many consecutive layers share this pair):
    /// a run of width w after width p is one layer (p, w) followed by count−1 layers (w, w).
    var layerSegments: [LayerBlock.Segment] {
        var segments: [LayerBlock.Segment] = []
        forEachLayerSegment { segments.append($0) }
        return segments
    }

    /// `layerSegments` one by one, without building the array (a random width sequence has
    /// one segment per layer).
    func forEachLayerSegment(_ body: (LayerBlock.Segment) throws -> Void) rethrows {
        var previous = inputDimension
        for run in hiddenRuns {
            if previous == run.width {
                try body(.init(previous: previous, width: run.width, count: run.count))
            } else {
                try body(.init(previous: previous, width: run.width, count: 1))
                if run.count > 1 { try body(.init(previous: run.width, width: run.width, count: run.count - 1)) }
            }
            previous = run.width
        }
    }

    /// The hidden layers as blocks: single segments, and stretches where a short sequence of
    /// segments repeats (e.g. `(100,101)x1000000`), which the engines apply as one period
    /// matrix raised to a power — O(P + log r) products instead of O(P·r).
    ///
    /// With `periodic` false every segment is its own block (for `Double`, whose matrix products
    /// share one scale: a period's product could flush entries the vector path keeps).
    func layerBlocks(periodic: Bool) -> [LayerBlock] {
        guard periodic else { return layerSegments.map { .segment($0) } }
        return layerBlocks
    }

    var layerBlocks: [LayerBlock] {
        let segments = layerSegments
        var blocks: [LayerBlock] = []
        var i = 0
        // Periods that repeat at least twice from i, with the segments they cover.
        var repeating: [(period: Int, coverage: Int)] = []
        while i < segments.count {
            // The period (up to 16 segments) covering the most segments from i, at least 4 repeats.
            var best: (period: Int, repeats: Int)? = nil
            repeating.removeAll(keepingCapacity: true)
            for period in 1...16 where i + 4 * period <= segments.count {
                // A multiple of a period q whose run from i covers at least `period` segments
                // repeats inside that run (its stretch is q-periodic), so it covers no more
                // than q does and, being longer, never wins: skip it instead of rescanning the
                // whole run (a (100,101)x10⁶ pattern was scanned by 2, 4, …, 16). Such a q
                // repeats at least twice; random widths have none, so they pay nothing.
                if repeating.contains(where: { period % $0.period == 0 && $0.coverage >= period }) { continue }
                var repeats = 1
                while i + (repeats + 1) * period <= segments.count,
                      (0..<period).allSatisfy({ segments[i + repeats * period + $0] == segments[i + $0] }) {
                    repeats += 1
                }
                if repeats >= 2 { repeating.append((period, period * repeats)) }
                if repeats >= 4, period * repeats > (best.map { $0.period * $0.repeats } ?? 0) { best = (period, repeats) }
            }
            if let best, !(best.period == 1 && segments[i].count > 1) {
                blocks.append(.periodic(Array(segments[i..<(i + best.period)]), repeats: best.repeats))
                i += best.period * best.repeats
            } else {
                blocks.append(.segment(segments[i]))
                i += 1
            }
        }
        return blocks
    }
}

/// A stretch of hidden layers as the engines apply it.
enum LayerBlock: Equatable {
    /// `count` consecutive layers with the same (n_{j−1}, n_j).
    struct Segment: Equatable {
        let previous: Int
        let width: Int
        let count: Int
    }
    case segment(Segment)
    /// A sequence of segments repeated `repeats` times.
    case periodic([Segment], repeats: Int)
}
