import Testing
@testable import NTKMoments

/// The period search of `Architecture.layerBlocks` skips multiples of a period whose run
/// already covers them; this is the search without that shortcut, to compare with.
private func referenceLayerBlocks(_ segments: [LayerBlock.Segment]) -> [LayerBlock] {
    var blocks: [LayerBlock] = []
    var i = 0
    while i < segments.count {
        var best: (period: Int, repeats: Int)? = nil
        for period in 1...16 where i + 4 * period <= segments.count {
            var repeats = 1
            while i + (repeats + 1) * period <= segments.count,
                  (0..<period).allSatisfy({ segments[i + repeats * period + $0] == segments[i + $0] }) {
                repeats += 1
            }
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

@Suite("Periodic stretches of a width sequence")
struct LayerBlockTests {
    @Test("the period search finds the same blocks as the exhaustive search, on patterns with periods 1…16, their multiples, near-misses and noise")
    func sameBlocksAsExhaustiveSearch() throws {
        var state: UInt64 = 3
        func next(_ n: Int) -> Int { state = state &* 6364136223846793005 &+ 1442695040888963407; return Int((state >> 33) % UInt64(n)) }
        for trial in 0..<300 {
            var widths = [5]
            while widths.count < 400 {
                switch next(4) {
                case 0:  // a pattern of period 1…16 repeated, sometimes broken near its end
                    let period = 1 + next(16)
                    let pattern = (0..<period).map { _ in 1 + next(trial % 3 == 0 ? 2 : 4) }
                    var piece = Array((0..<(2 + next(12))).flatMap { _ in pattern })
                    if next(3) == 0, !piece.isEmpty { piece[piece.count - 1 - next(min(piece.count, period))] += 1 }
                    widths += piece
                case 1: widths += (0..<(1 + next(20))).map { _ in 1 + next(3) }
                case 2: widths += Array(repeating: 1 + next(3), count: 1 + next(12))
                default: widths += [1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2].prefix(2 + next(10))
                }
            }
            let a = try Architecture(widths: widths, sigma2: 2)
            #expect(a.layerBlocks == referenceLayerBlocks(a.layerSegments), "trial \(trial)")
        }
    }
}
