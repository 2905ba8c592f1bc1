import Foundation
import Testing
@testable import NTKCommandLine

/// Monte Carlo points are drawn only on the curve of the network they simulated.
@Suite("Chart overlays match their networks")
struct ChartOverlayTests {
    /// A folder of validate runs of five different networks, each with a small sample.
    static func mixedRuns() throws -> (folder: URL, matching: String) {
        let folder = temporaryDirectory()
        let runs: [(name: String, flags: String)] = [
            ("a-match", "--width 6 --depth 3 --sigma2 2"),
            ("b-other-sigma2", "--width 6 --depth 3 --sigma2 2.5"),
            ("c-other-width", "--width 8 --depth 3 --sigma2 2"),
            ("d-no-bias", "--width 6 --depth 3 --sigma2 2 --no-bias"),
            ("e-other-norm", "--width 6 --depth 3 --sigma2 2 --input-norm2 2"),
        ]
        for run in runs {
            let r = ntk("validate \(run.flags) --samples 200 --seed 1 --threads 1 --format json")
            #expect(r.code == 0 || r.code == 1, "\(run.name): \(r.stderr)")
            try r.stdout.write(to: folder.appendingPathComponent(run.name + ".json"), atomically: true, encoding: .utf8)
        }
        return (folder, folder.appendingPathComponent("a-match.json").path)
    }

    @Test("a folder with runs of other networks is refused by name with the reason")
    func mixedFolderRefused() throws {
        let (folder, _) = try Self.mixedRuns()
        let r = ntk(["chart", "--kind", "depth", "--sigma2", "2", "--widths-grid", "6", "--depths", "1:10", "--overlay", folder.path])
        #expect(r.isCleanRefusal, "\(r)")
        #expect(r.stderr.contains("b-other-sigma2.json") && r.stderr.contains("σ² = 2.5"), "\(r.stderr)")
    }

    @Test("each kind of mismatch is named", arguments: [
        ("b-other-sigma2", "σ² = 2.5"), ("c-other-width", "M = 8"), ("d-no-bias", "weights-only network"), ("e-other-norm", "‖x‖² = 2"),
    ])
    func mismatchNamed(_ file: String, _ reason: String) throws {
        let (folder, _) = try Self.mixedRuns()
        let path = folder.appendingPathComponent(file + ".json").path
        let r = ntk(["chart", "--kind", "depth", "--sigma2", "2", "--widths-grid", "6", "--depths", "1:10", "--overlay", path])
        #expect(r.isCleanRefusal && r.stderr.contains(reason), "\(r.stderr)")
    }

    @Test("--skip-unmatched draws only the matching run and names each skipped file once")
    func skipUnmatched() throws {
        let (folder, _) = try Self.mixedRuns()
        let r = ntk(["chart", "--kind", "depth", "--sigma2", "2", "--widths-grid", "6", "--depths", "1:10", "--overlay", folder.path,
                     "--skip-unmatched"])
        #expect(r.code == 0, "\(r.stderr)")
        #expect(r.stderrLines.count == 4 && r.stderrLines.allSatisfy { $0.contains("skipped") }, "\(r.stderr)")
        #expect(r.stdout.contains("σ²=2, M=6 Monte Carlo"))
        #expect(!r.stdout.contains("σ²=2.5") && !r.stdout.contains("M=8"))
    }

    @Test("a point off the chart's depths or λ range is refused, not drawn outside the curve")
    func offAxisRefused() throws {
        let (_, matching) = try Self.mixedRuns()
        let depth = ntk(["chart", "--kind", "depth", "--sigma2", "2", "--widths-grid", "6", "--depths", "5:10", "--overlay", matching])
        #expect(depth.isCleanRefusal && depth.stderr.contains("depth L = 3"), "\(depth.stderr)")
        let lambda = ntk(["chart", "--kind", "dispersion", "--sigma2", "2", "--widths-grid", "6", "--lambda-max", "0.25", "--overlay", matching])
        #expect(lambda.isCleanRefusal && lambda.stderr.contains("λ = L/M = 0.5"), "\(lambda.stderr)")
        let ok = ntk(["chart", "--kind", "dispersion", "--sigma2", "2", "--widths-grid", "6", "--lambda-max", "1", "--overlay", matching])
        #expect(ok.code == 0, "\(ok.stderr)")
    }
}
