import Foundation
import Testing
import Multiprecision
import NTKMoments
import NTKOutput
@testable import Experiments

@Suite("Kernel experiment")
struct KernelExperimentTests {
    func network(width: Int = 10, depth: Int = 7, sigma2: BigRational = 2, inputNorm2: BigRational = 3) throws -> Architecture {
        try Architecture(width: width, depth: depth, sigma2: sigma2, inputNorm2: inputNorm2)
    }

    @Test("ρ = 1 gives the diagonal L(‖x‖² + 1) at σ² = 2 (derivations/09), in every arithmetic",
          arguments: KernelRequest.Arithmetic.allCases)
    func diagonal(arithmetic: KernelRequest.Arithmetic) throws {
        let request = KernelRequest(network: try network(), correlation: [0, 1], arithmetic: arithmetic)
        let result = try request.run(.silent)
        let pairs = try #require(result.pairs)
        #expect(pairs.count == 2)
        #expect(pairs[1].ntk.nearestDouble == 28)
        #expect(pairs[1].ntkNormalized.nearestDouble == 1)
        // The NNGP at ρ = 0, σ² = 2: Σ = 2·(q/2)/π·… stays positive and below the diagonal q.
        let nngp0 = try #require(pairs[0].nngp.nearestDouble)
        #expect(nngp0 > 0 && nngp0 < 3)
        #expect(result.schema == KernelResult.stamp)
    }

    @Test("a request and its result survive the JSON text unchanged")
    func roundTrip() throws {
        let request = KernelRequest(network: try network(sigma2: BigRational(5) / BigRational(2)),
                                    gram: .init(q1: 1, q2: 2, c: BigRational(-6) / BigRational(5)), arithmetic: .certified, precision: 200)
        let requestText = try JSONValueEncoder().encode(request).serialized()
        #expect(try JSONValueDecoder().decode(KernelRequest.self, from: try JSONParser().parse(requestText)) == request)
        let result = try request.run(.silent)
        let text = try JSONValueEncoder().encode(result).serialized()
        let back = try JSONValueDecoder().decode(KernelResult.self, from: try JSONParser().parse(text))
        #expect(try JSONValueEncoder().encode(back).serialized() == text)
        let pair = try #require(result.pairs?.first)
        let lo = try #require(BigRational(pair.ntk.lower ?? "")), hi = try #require(BigRational(pair.ntk.upper ?? ""))
        #expect(lo <= hi && pair.ntk.isCertified)
    }

    @Test("input vectors: a symmetric matrix equal to neural-tangents' values")
    func vectors() throws {
        let a = try Architecture(widths: [4, 4, 4], sigma2: 2)
        let v: [[BigRational]] = [[1, BigRational(1) / 2, BigRational(-1) / 4, 2], [BigRational(1) / 2, 1, 1, BigRational(-1) / 2],
                                  [1, BigRational(1) / 2, BigRational(-1) / 4, BigRational(17) / 8]]
        let result = try KernelRequest(network: a, vectors: v).run(.silent)
        let m = try #require(result.ntk?.rows)
        #expect(m.count == 3 && m.allSatisfy { $0.count == 3 })
        for i in 0..<3 { for j in 0..<3 { #expect(m[i][j] == m[j][i]) } }
        // neural-tangents' values (NeuralTangentsGoldenTests in NTKMomentsTests).
        #expect(m[0][0].nearestDouble == 18.9375)
        #expect(abs(try #require(m[0][1].nearestDouble) - 4.14471524145963) < 1e-11)
        #expect(abs(try #require(m[0][2].nearestDouble) - 19.526963411627676) < 1e-11)
    }

    @Test("refusals: too expensive, out of range, cancelled")
    func refusals() throws {
        let deep = KernelRequest(network: try network(depth: 1_000_000_000), correlation: [BigRational(1) / BigRational(2)])
        #expect(throws: ExperimentError.self) { try deep.run(.silent) }
        do { _ = try deep.run(.silent) } catch let e as ExperimentError {
            guard case .tooExpensive(let message) = e else { Issue.record("expected tooExpensive, got \(e)"); return }
            #expect(message.contains("would take about"))
        }
        let bad = KernelRequest(network: try network(), correlation: [2])
        do { _ = try bad.run(.silent); Issue.record("ρ = 2 was accepted") } catch let e as ExperimentError {
            #expect("\(e)".contains("out of range"))
        }
        let context = ExperimentContext()
        context.cancel()
        do { _ = try KernelRequest(network: try network(), correlation: [0]).run(context); Issue.record("ran after cancel") }
        catch let e as ExperimentError { #expect(e == .cancelled) }
    }
}
