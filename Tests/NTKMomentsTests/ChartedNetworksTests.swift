import Testing
import Multiprecision
@testable import NTKMoments

@Suite("Charted networks")
struct ChartedNetworksTests {
    let chart = ChartedNetworks(sigma2Values: [BigRational(3, 2), BigRational(2)], widths: [50, 100], inputRatio: BigRational(1, 2),
                                inputNorm2: 1, trainableBiases: true, depths: 1...49)

    func network(_ widths: String, sigma2: BigRational = 2, norm: BigRational = 1, biases: Bool = true) -> ChartedNetworks.SimulatedNetwork {
        .init(widths: widths, sigma2: sigma2, inputNorm2: norm, trainableBiases: biases)
    }

    @Test("a simulated network lands on the curve of its σ² and width, at its depth")
    func matches() throws {
        let curve = try chart.curve(for: network("50,100x9"))
        #expect(curve == ChartedNetworks.Curve(sigma2: 2, width: 100, depth: 10))
        // n0 = round(r·M) = 25 at M = 50; runs written out one by one are the same network.
        #expect(try chart.curve(for: network("25,50,50,50", sigma2: BigRational(3, 2))).depth == 4)
    }

    @Test("every differing property is a mismatch", arguments: [
        ("50,100x9", BigRational(5, 2), BigRational(1), true, "σ² = 2.5"),
        ("50,100x9", BigRational(2), BigRational(1), false, "weights-only"),
        ("50,100x9", BigRational(2), BigRational(1, 3), true, "‖x‖² = 0.3333333333333333 (1/3)"),
        ("50,100,101", BigRational(2), BigRational(1), true, "not constant"),
        ("60,120x9", BigRational(2), BigRational(1), true, "M = 120"),
        ("100,100x9", BigRational(2), BigRational(1), true, "n0 = 100"),
        ("50,100x60", BigRational(2), BigRational(1), true, "depth L = 61"),
    ])
    func mismatch(_ widths: String, _ sigma2: BigRational, _ norm: BigRational, _ biases: Bool, _ reason: String) {
        do {
            _ = try chart.curve(for: network(widths, sigma2: sigma2, norm: norm, biases: biases))
            Issue.record("\(widths) matched")
        } catch {
            #expect("\(error)".contains(reason), "\(error)")
        }
    }

    @Test("a λ axis refuses points beyond its largest λ")
    func lambdaAxis() throws {
        let dispersion = ChartedNetworks(sigma2Values: [2], widths: [10], inputRatio: 1, inputNorm2: 1, trainableBiases: true,
                                         lambdaMax: BigRational(1, 2))
        #expect(try dispersion.curve(for: network("10,10x4")).depth == 5)
        #expect(throws: ChartedNetworks.Mismatch.self) { try dispersion.curve(for: network("10,10x5")) }
    }
}
