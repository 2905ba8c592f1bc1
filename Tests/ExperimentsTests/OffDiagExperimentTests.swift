import Foundation
import Testing
import MonteCarlo
import Multiprecision
import NTKMoments
import NTKOutput
@testable import Experiments

@Suite("Off-diagonal experiment")
struct OffDiagExperimentTests {
    @Test("check refuses what the command line refuses, in its words")
    func refusals() throws {
        let a = try Architecture.simulationFixture([3, 4, 4])
        let cases: [(OffDiagRequest, String)] = [
            (OffDiagRequest(network: a, correlations: [0], samples: 0), "--samples"),
            (OffDiagRequest(network: a, correlations: [2]), "--correlation '2' is out of range"),
            (OffDiagRequest(network: a, correlations: []), "--correlation"),
            (OffDiagRequest(network: a, depths: [5], correlations: [0]), "the network has depth 3"),
            (OffDiagRequest(network: try Architecture.simulationFixture([1, 4]), correlations: [BigRational(1, 2)]), "n0 = 1 allows only ρ = ±1"),
            (OffDiagRequest(network: try Architecture.simulationFixture([3, 10_000, 10_000, 10_000]), correlations: [0]), "offdiag stores every weight"),
            (OffDiagRequest(network: a, correlations: [0], zMax: 0), "--z-max"),
            (OffDiagRequest(network: a, correlations: [0], threads: 0), "--threads"),
            (OffDiagRequest(network: a, correlations: [0], samples: 10, sampleRange: 5..<20), "sample range"),
        ]
        for (request, words) in cases {
            #expect(throws: ExperimentError.self) { try request.check() }
            do { try request.check() } catch let e as ExperimentError { #expect(e.description.contains(words), "\(e)") }
        }
        #expect(throws: ExperimentError.self) { try OffDiagRequest(shardsOf: a, depths: [3], correlations: ["x"], zMax: 4) }
    }

    @Test("at ρ = 1 the two inputs coincide: Θ(x,x′) = Θ(x,x) in every network, tested against the exact diagonal moments")
    func correlationOne() throws {
        let a = try Architecture.simulationFixture([3, 5, 5], sigma2: BigRational(5, 2), inputNorm2: 2)
        let result = try OffDiagRequest(network: a, correlations: [0, 1], samples: 64, seed: 4, threads: 2).run(.silent)
        let exact = try MomentSummary(architecture: a, mode: .exact)
        let exactMean = try #require(exact.mean.approximation(precision: 64)).doubleValue()
        let exactSecond = try #require(exact.secondMoment.approximation(precision: 64)).doubleValue()
        let diagonal = result.depths[0].diagonalCheck
        let row = result.rows[1]
        #expect(row.meanXY.mean == diagonal.mean && row.secondMomentXY.mean == diagonal.secondMoment)
        #expect(row.ratio.mean == 1 && row.ratio.standardError == 0)
        let check = try #require(row.exactCheck)
        #expect(abs(check.referenceMean / exactMean - 1) < 1e-15 && abs(check.referenceSecondMoment / exactSecond - 1) < 1e-15)
        #expect(row.boundAbsMeanXY >= exactMean && row.boundSecondMomentXY >= exactSecond)
        #expect(result.rows[0].exactCheck == nil)
        #expect(result.samples == 64 && result.depths[0].stoppedBy == "sample budget")
    }

    @Test("depth 1 is deterministic: Θ(x,x′) = ρ‖x‖² + 1 (the bias), the infinite-width value, at every depth of a sweep's first layer")
    func depthOne() throws {
        let a = try Architecture.simulationFixture([3, 4, 4], inputNorm2: 2)
        let rhos: [BigRational] = [BigRational(-1, 2), 0, BigRational(1, 2)]
        let result = try OffDiagRequest(network: a, depths: [1, 3], correlations: rhos, samples: 40, threads: 1).run(.silent)
        #expect(result.depths.map(\.depth) == [1, 3] && result.rows.count == 6)
        for (row, rho) in zip(result.rows.prefix(3), [-0.5, 0, 0.5]) {
            #expect(abs(row.meanXY.mean - (2 * rho + 1)) < 1e-14)
            #expect(abs(try #require(row.infiniteWidthTheta) - (2 * rho + 1)) < 1e-14)
        }
        #expect(result.depths[0].diagonalCheck.verdict == .pass)
    }

    @Test("the time budget is shared among the remaining depths in proportion to depth")
    func budgetShare() {
        #expect(OffDiagRequest.budgetShare(remaining: 10, depth: 2, remainingDepths: [2, 3]) == 4)
        #expect(OffDiagRequest.budgetShare(remaining: -1, depth: 2, remainingDepths: [2]) == 0)
    }

    @Test("two shards merge into the unsharded run")
    func shardsMerge() throws {
        let a = try Architecture.simulationFixture([2, 4, 4, 4])
        var request = OffDiagRequest(network: a, depths: [2, 4], correlations: [0, BigRational(1, 2), 1], samples: 600, seed: 9, threads: 2)
        let whole = try request.run(.silent)
        let split = 2 * (try request.sampleAlignment())
        request.sampleRange = 0..<split
        var first = try request.simulate(.silent)
        request.sampleRange = split..<600
        let second = try request.simulate(.silent)
        var sweep = first.sweep
        sweep.merge(second.sweep)
        first = OffDiagMeasurement(merged: sweep, stoppedBy: .sampleBudget)
        let merged = try request.mergedResult(of: first, seed: 9)
        #expect(merged.rows == whole.rows)
        #expect(merged.depths.map(\.diagonalCheck) == whole.depths.map(\.diagonalCheck))
        #expect(merged.samples == 600 && merged.verdict == whole.verdict)
    }

    @Test("a request and its result survive the JSON text unchanged")
    func roundTrip() throws {
        let request = OffDiagRequest(network: try Architecture.simulationFixture([3, 4, 4], sigma2: BigRational(5, 2)), depths: [2, 3],
                                     correlations: [BigRational(-1, 3), 1], samples: 50, sampleRange: 0..<40, seed: 1 << 63, threads: 1)
        let requestText = try JSONValueEncoder().encode(request).serialized()
        #expect(try JSONValueDecoder().decode(OffDiagRequest.self, from: try JSONParser().parse(requestText)) == request)
        let result = try request.run(.silent)
        let text = try JSONValueEncoder().encode(result).serialized()
        let back = try JSONValueDecoder().decode(OffDiagResult.self, from: try JSONParser().parse(text))
        #expect(try JSONValueEncoder().encode(back).serialized() == text)
        #expect(back.schema == OffDiagResult.stamp && back.network == result.network && back.seeds == [1 << 63])
        #expect(back.rows == result.rows)
    }
}
