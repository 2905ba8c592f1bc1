import Testing
import Foundation
import NTKOutput
@testable import NTKCommandLine

@Suite("ntk distribution")
struct DistributionCommandTests {
    @Test("JSON report: moments agree with the exact ones; shards merge into the unsharded run; bad input refused")
    func report() throws {
        let base = "distribution --widths 3,2,2 --sigma2 2 --samples 20000 --max-seconds 100000 --seed 5 --threads 2 --format json"
        let r = ntk(base)
        #expect(r.code == 0, "\(r.stderr)")
        let json = try JSONParser().parse(r.stdout)
        #expect(json["samples"]?.numberText == "20000" && (json["seconds"]?.numberText.flatMap(Double.init) ?? -1) >= 0)
        guard case .array(let moments)? = json["moments"] else { Issue.record("no moments"); return }
        for m in moments {
            let k = try #require(m["k"]?.numberText.flatMap(Int.init))
            if k <= 2 {
                // Exact standard errors (from E[Θ²], E[Θ⁴]): a z-score.
                let z = try #require(Double(m["z"]?.numberText ?? ""))
                #expect(abs(z) < 4.5 && m["se_kind"]?.stringValue == "exact", "\(m)")
            } else {
                // Only a sample standard error, optimistic for heavy tails: no z-score at all.
                #expect(m["z"] == .null && m["se_kind"]?.stringValue == "sample", "\(m)")
            }
        }
        // 8809/72 / (61/12)²: the exact normalized second moment.
        #expect(moments[1]["exact"]?.numberText.flatMap(Double.init).map { abs($0 - 17618.0 / 3721) < 1e-12 } == true)

        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let files = writeShards(base, count: 3, into: dir)
        let merged = try JSONParser().parse(ntk(["distribution", "merge", "--format", "json"] + files.reversed()).stdout)
        for key in ["quantiles", "tails", "moments", "log_mean", "log_variance"] {
            #expect(merged[key] == json[key], "\(key)")
        }
        for bad in ["distribution --widths 3,2 --sigma2 2 --samples 0", "distribution --widths 3,2 --sigma2 2 --tail -1",
                    "distribution --widths 3,2 --sigma2 2 --shard 2/1 --emit-stats x.json", "distribution --widths 3,2 --sigma2 2 --shard 1/2",
                    "distribution merge"] {
            #expect(ntk(bad).isCleanRefusal, "\(bad)")
        }
    }

    @Test("the density chart has the samples and the lognormal fit")
    func chart() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("d.svg").path
        let r = ntk(["distribution", "--width", "50", "--depth", "20", "--sigma2", "2.5", "--samples", "20000", "--chart", file, "--log-density"])
        #expect(r.code == 0, "\(r.stderr)")
        let svg = try String(contentsOfFile: file, encoding: .utf8)
        #expect(svg.contains("reduced-model samples") && svg.contains("lognormal fit"))
        // The title names the network: M, L, σ², biases.
        #expect(svg.contains("<title>Law of Θ/E[Θ]: M = 50, L = 20, σ² = 2.5"), "\(svg.prefix(600))")
        #expect(svg.contains("biases, 20000 samples</title>"))
    }
}
