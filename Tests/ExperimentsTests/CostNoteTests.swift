import Foundation
import Testing
import MonteCarlo
import Multiprecision
import NTKMoments
@testable import Experiments

/// The estimates that `moments --max-moment`, `limit --max-moment`, `table --moment` and `kernel` print or refuse on
/// before any work (issue 19: every long computation is predictable). Only the decisions are
/// tested here; `make bench` compares the estimates with measured times.
@Suite("Cost notes and refusals before long computations")
struct CostNoteTests {
    func tooExpensiveMessage(_ body: () throws -> Any?) -> String? {
        do { _ = try body(); return nil } catch let ExperimentError.tooExpensive(message) { return message } catch { return "\(error)" }
    }

    @Test("limit: extrapolated orders are named, estimated, noted past 3 s and refused past --max-seconds; closed forms cost nothing")
    func limitNote() throws {
        // Edge of chaos with biases: p = 3 has a closed form (r = 1), p = 4 … 8 are extrapolated.
        let edge = LimitRequest(lambda: 1, sigma2: 2, maxMoment: 8)
        #expect(edge.extrapolatedMoments.orders == [4, 5, 6, 7, 8])
        let seconds = edge.extrapolatedMoments.seconds
        #expect(seconds == (4...8).map { NormalizedMomentLimit.extrapolationSeconds(order: $0, precision: edge.workingPrecision) }.reduce(0, +))
        let note = try #require(try edge.costNote())
        #expect(note.hasPrefix("estimated ") && note.contains("k = 4, 5, 6, 7, 8"))
        var tight = edge
        tight.maximumSeconds = seconds / 2
        let refusal = try #require(tooExpensiveMessage { try tight.costNote() })
        #expect(refusal.contains("raise --max-seconds or lower --max-moment"))
        // The refusal comes before any work: run() throws it too.
        #expect(tooExpensiveMessage { try tight.run(.silent) } == refusal)
        // Ordered phase with biases: every limit is 1 in closed form; nothing to estimate.
        let ordered = LimitRequest(lambda: 1, sigma2: BigRational(3, 2), maxMoment: 8, maximumSeconds: 1e-9)
        #expect(ordered.extrapolatedMoments.orders.isEmpty)
        #expect(try ordered.costNote() == nil)
        // Short estimates stay quiet.
        #expect(try LimitRequest(lambda: 1, sigma2: 2, maxMoment: 5).costNote() == nil)
    }

    @Test("table: one extrapolation per σ² and attained λ′ without a closed form; refused past --max-seconds")
    func tableNote() throws {
        var study = ConvergenceStudy.default
        study.momentOrder = 8
        // Default study: σ² ∈ {1.5, 2, 2.5} × λ ∈ {0.1, 0.5, 1}; σ² = 1.5 with biases is closed
        // (the limit is 1), the other six (σ², λ) are extrapolated, each λ attained at every M.
        let (count, seconds) = study.momentLimitExtrapolations(for: study.groups)
        #expect(count == 6)
        #expect(seconds == 6 * NormalizedMomentLimit.extrapolationSeconds(order: 8, precision: study.precision))
        let tight = TableRequest(moment: 8, maximumSeconds: seconds / 2)
        let refusal = try #require(tooExpensiveMessage { try tight.costNote() })
        #expect(refusal.contains("6 limits of E[Θ^8]/E[Θ]^8"))
        // The run refuses with the same message before any work.
        #expect(tooExpensiveMessage { _ = try tight.run(.silent) } == refusal)
        #expect(try TableRequest(moment: 8, maximumSeconds: seconds * 2).costNote()?.hasPrefix("estimated ") == true)
        // A shard counts only its own groups: shard 1 of 3 is σ² = 1.5, whose limits are closed.
        #expect(try TableRequest(moment: 8, shard: ShardSpec(index: 1, count: 3), maximumSeconds: seconds / 2).costNote() == nil)
        study.momentOrder = 2
        #expect(study.momentLimitExtrapolations(for: study.groups).count == 0)
    }

    @Test("kernel: a deep kernel notes its estimate and is refused past --max-seconds")
    func kernelNote() throws {
        let deep = KernelRequest(network: try Architecture(width: 3, depth: 1_000_000, sigma2: 2), correlation: [BigRational(1, 2)])
        #expect(deep.estimatedSeconds > 1)
        var tight = deep
        tight.maximumSeconds = deep.estimatedSeconds / 2
        #expect(tooExpensiveMessage { try tight.costNote() }?.contains("raise --max-seconds") == true)
        let deeper = KernelRequest(network: try Architecture(width: 3, depth: 5_000_000, sigma2: 2), correlation: [BigRational(1, 2)])
        #expect(try deeper.costNote()?.hasPrefix("estimated ") == true)
        let shallow = KernelRequest(network: try Architecture(width: 3, depth: 10, sigma2: 2), correlation: [0])
        #expect(try shallow.costNote() == nil)
    }

    @Test("moments --max-moment: long random width lists are noted and refused past --max-seconds; short ones stay quiet")
    func momentsNote() throws {
        var state: UInt64 = 11
        let widths = (0..<200_001).map { _ -> Int in state = state &* 6364136223846793005 &+ 1442695040888963407; return 60 + Int((state >> 33) % 81) }
        let long = MomentsRequest(network: try Architecture(widths: widths, sigma2: 2), maxMoment: 8)
        #expect(long.estimatedSeconds > 60)
        #expect(try long.costNote()?.hasPrefix("estimated ") == true)
        var tight = long
        tight.maximumSeconds = 60
        let refusal = try #require(tooExpensiveMessage { try tight.costNote() })
        #expect(refusal.contains("more than --max-seconds 60; raise --max-seconds"))
        #expect(tooExpensiveMessage { try tight.run(.silent) } == refusal)
        #expect(try MomentsRequest(network: try Architecture(widths: Array(widths.prefix(100)), sigma2: 2), maxMoment: 8).costNote() == nil)
    }

    @Test("moments --max-moment reports each order as it starts (the progress line of a long run)")
    func momentsProgress() throws {
        final class Reports: @unchecked Sendable {
            let lock = NSLock()
            var items: [ExperimentContext.Progress] = []
            func add(_ p: ExperimentContext.Progress) { lock.lock(); items.append(p); lock.unlock() }
        }
        let reports = Reports()
        let context = ExperimentContext { reports.add($0) }
        for mode in [MomentsRequest.Arithmetic.mpfr, .exact] {
            reports.items.removeAll()
            _ = try MomentsRequest(network: try Architecture(widths: [3, 2, 2], sigma2: 2), arithmetic: mode, maxMoment: 5).run(context)
            #expect(reports.items.map(\.done) == [0, 1, 2, 3, 4] && reports.items.allSatisfy { $0.total == 5 })
            #expect(reports.items.last?.text == "E[Θ^5] of E[Θ] … E[Θ^5]")
        }
    }
}
