import Foundation
import Testing
import Multiprecision
import NTKMoments
import NTKOutput
@testable import Experiments

@Suite("Chart experiment")
struct ChartExperimentTests {
    /// The points of the series `name` in an SVG the chart drew.
    func points(_ svg: String, series name: String) throws -> [[Double]] {
        let marker = "data-series=\"\(name)\" data-points=\""
        let start = try #require(svg.range(of: marker), "no series \(name)")
        return svg[start.upperBound...].prefix { $0 != "\"" }.split(separator: " ").map { $0.split(separator: ",").compactMap { Double($0) } }
    }

    @Test("depth chart: the finite point of 3,2,2 at σ² = 2 (M = 2, L = 3, n0 = 3) is the enumerated dispersion 17618/3721")
    func enumeratedPoint() throws {
        let request = ChartRequest(kind: .depth, sigma2: [2], widths: [2], depths: [3], inputRatio: BigRational(3, 2))
        let result = try request.run(.silent)
        #expect(result.svg.hasPrefix("<?xml") && result.notes.isEmpty)
        let finite = try points(result.svg, series: "σ²=2 finite M=2")
        #expect(finite.count == 1 && finite[0][0] == 3)
        // derivations/08: E[Θ] = 61/12, E[Θ²] = 8809/72 by enumeration of the activation patterns.
        #expect(abs(finite[0][1] / (17618.0 / 3721.0) - 1) < 1e-12)
    }

    @Test("overlay points come from validate documents; a point of another network is refused by name or skipped with a note")
    func overlay() throws {
        let document = try JSONParser().parse("""
            {"widths": "100,100x9", "sigma2_exact": "5/2", "input_norm2_exact": "1", "biases": true,
             "dispersion_plugin": {"mc": 3.25, "se_delta_method": 0.25}}
            """)
        let point = try ChartRequest.OverlayPoint(source: "'a.json'", document: document)
        #expect(point.sigma2 == BigRational(5, 2) && point.dispersion == 3.25 && point.standardError == 0.25)
        var request = ChartRequest(kind: .depth, sigma2: [BigRational(5, 2)], widths: [100], depths: Array(1...20), overlay: [point])
        let drawn = try points(try request.run(.silent).svg, series: "σ²=2.5, M=100 Monte Carlo (plug-in ± s.e.)")
        #expect(drawn == [[10, 3.25]])
        request.sigma2 = [2]
        #expect(throws: ExperimentError.self) { try request.run(.silent) }
        do { _ = try request.run(.silent) } catch let error as ExperimentError {
            #expect(error.description.hasPrefix("--overlay 'a.json': ") && error.description.hasSuffix("(--skip-unmatched skips such files)"))
        }
        request.skipUnmatched = true
        let skipped = try request.run(.silent)
        #expect(skipped.notes.count == 1 && skipped.notes[0].hasPrefix("--overlay 'a.json' skipped: "))
        #expect(!skipped.svg.contains("Monte Carlo"))
        let notValidate = try JSONParser().parse("{\"widths\": \"3,2\"}")
        #expect(throws: ExperimentError.invalidRequest("--overlay 'b.json': not the JSON of `ntk validate --format json` (needs widths, sigma2_exact, input_norm2_exact, biases, dispersion_plugin)")) {
            try ChartRequest.OverlayPoint(source: "'b.json'", document: notValidate)
        }
    }

    @Test("convergence chart notes the λ that λM misses; ranges are refused with the command line's messages")
    func notesAndRefusals() throws {
        let request = ChartRequest(kind: .convergence, sigma2: [2], lambda: [BigRational(1, 3)], widths: [10, 100])
        let result = try request.run(.silent)
        #expect(result.notes == ["λ·M is not an integer for λ = 0.3333333333333333 (1/3) at M = 10, 100: those points use L = round(λM), λ′ = L/M, compared with the limits at λ′"])
        func refusal(_ change: (inout ChartRequest) -> Void) -> String? {
            var r = ChartRequest()
            change(&r)
            do { _ = try r.run(.silent); return nil } catch { return "\(error)" }
        }
        #expect(refusal { $0.sigma2 = Array(repeating: 2, count: 9) } == "--sigma2: at most 8 values fit in one chart")
        #expect(refusal { $0.points = 1 } == "--points '1' is out of range: an integer from 2 to 1000")
        #expect(refusal { $0.kind = .convergence; $0.widths = [10] } == "--widths-grid needs at least two widths for a convergence chart")
        #expect(refusal { $0.kind = .offdiagDepth } == "--kind offdiag-depth needs --offdiag FILE… (JSON of ntk offdiag --format json)")
        #expect(refusal { $0.kind = .convergence; $0.overlay = [ChartRequest.OverlayPoint(source: "'x'", widths: "1,1", sigma2: 2, inputNorm2: 1, biases: true, dispersion: 1, standardError: 0)] }
                == "--overlay goes with --kind dispersion or depth")
        #expect(refusal { $0.lambdaMax = 50; $0.widths = [10_000_000] } == "--lambda-max × M = 50·10000000 is too deep for a chart (limit 10^8 layers)")
    }

    @Test("offdiag charts draw an offdiag result's rows; σ² and ρ are labelled as decimals (0.9, not 0.8999999999999999)")
    func offDiagonal() throws {
        let network = try Architecture(widths: [3, 3, 3], sigma2: BigRational(3, 2))
        let simulated = try OffDiagRequest(network: network, depths: [1, 2, 3], correlations: [BigRational(9, 10)], samples: 50, threads: 1).run(.silent)
        let source = try ChartRequest.OffDiagSource(source: "'o.json'", document: try JSONValueEncoder().encode(simulated))
        let request = ChartRequest(kind: .offdiagDepth, depths: [1, 2, 3], correlations: [BigRational(9, 10)], offdiag: [source])
        let svg = try request.run(.silent).svg
        let drawn = try points(svg, series: "σ²=1.5, ρ=0.9 Monte Carlo ± s.e.")
        let rows = simulated.rows.sorted { $0.depth < $1.depth }
        #expect(drawn == rows.map { [Double($0.depth), $0.ratio.mean] })
        #expect(svg.contains("widths 3,3x2, biases"))
        #expect(throws: ExperimentError.self) {
            try ChartRequest.OffDiagSource(source: "'v.json'", document: try JSONParser().parse("{\"widths\": \"3,2\"}"))
        }
    }
}
