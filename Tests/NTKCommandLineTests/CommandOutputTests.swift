import Testing
import Foundation
import NTKOutput
@testable import NTKCommandLine
#if canImport(FoundationXML)
import FoundationXML
#endif

@Suite("ntk limit, table, chart and validate")
struct CommandOutputTests {
    @Test("limit: phases decided exactly, labelled limits, JSON keys")
    func limit() throws {
        let chaotic = try JSONParser().parse(ntk("limit --lambda 1 --sigma2 2.5 --format json").stdout)
        #expect(chaotic["phase"]?.stringValue == "chaotic")
        #expect(chaotic.real("exact")?.hasPrefix("76.968596551009032971") == true)  // F_ww(1), derivations/04 (limit-values)
        // F_pub(1) = 55.99471989202360694… (mpmath, derivations/05's table).
        #expect(chaotic.real("published")?.hasPrefix("55.99471989") == true)
        #expect(chaotic["published_is_gi_derived"] == .bool(false))
        let eoc = try JSONParser().parse(ntk("limit --lambda 1/2 --sigma2 2 --input-ratio 2 --input-norm2 1 --format json").stdout)
        #expect(eoc["phase"]?.stringValue == "edge-of-chaos")
        #expect(eoc["alpha0"]?.numberText == "2" && eoc["alpha0_exact"]?.stringValue == "2")
        #expect(eoc["published_is_gi_derived"] == .bool(true))
        let ordered = try JSONParser().parse(ntk("limit --lambda 3 --sigma2 1.999999 --format json").stdout)
        #expect(ordered["phase"]?.stringValue == "ordered" && ordered["exact"]?.numberText == "1")  // exactly 1: the number says it all
        let tiny = try JSONParser().parse(ntk("limit --lambda 1e-30 --sigma2 3 --digits 40 --format json").stdout)
        // F_ww(λ) = 1 + 11λ/3 + O(λ²): at 1e-30 the first 30 digits after the 1 are zeros.
        #expect(tiny.real("exact") == "1.000000000000000000000000000003666666667")
    }

    @Test("limit: bad input", arguments: ["limit --sigma2 2", "limit --lambda 0 --sigma2 2", "limit --lambda -1 --sigma2 2",
                                          "limit --lambda 51 --sigma2 2", "limit --lambda 1e-31 --sigma2 2",
                                          "limit --lambda 1 --sigma2 2 --alpha0 1 --input-ratio 2", "limit --lambda 1 --sigma2 2 --format xml"])
    func limitBadInput(_ line: String) {
        #expect(ntk(line).isCleanRefusal)
    }

    @Test("table: the CSV header and row keys are exactly the documented ones")
    func tableCSV() {
        let r = ntk("table --sigma2 2.5 --lambda 1 --widths-grid 10,100,1000 --format csv")
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.first == "sigma2,lambda,M,L,n0,ratio,limit_exact,limit_published,rel_err_exact,rel_err_published,order_exact,order_published,richardson")
        #expect(lines.count == 4)
        #expect(lines[1].hasPrefix("2.5,1,10,10,10,"))
        #expect(lines[1].hasSuffix(",,,"))  // no order or Richardson on a group's first row
    }

    @Test("table: the default study has 45 rows and every format renders")
    func tableFormats() throws {
        let json = try JSONParser().parse(ntk("table --format json").stdout)
        #expect(json["schema"]?.stringValue == "ntk.table" && json["moment"]?.numberText == "2")
        #expect(json["rows"]?.arrayValue?.count == 45)
        let last = try #require(json["rows"]?.arrayValue?.last)
        #expect(last["sigma2"]?.numberText == "2.5" && last["M"]?.numberText == "100000")
        // Observed order against the exact limit at the largest M is ≈ 1 (error ∝ 1/M).
        let order = try #require(Double(last["order_exact"]?.numberText ?? ""))
        #expect(abs(order - 1) < 0.01)
        // limit_exact at σ² = 2, λ = 1/2, α₀ = 1: (F_ww + 2F_wb + F_bb)/4 = 4.2528064478378192877… (the closed forms
        // of derivations/04 evaluated in mpmath, outside this repository).
        for format in ["text", "markdown", "latex"] {
            let r = ntk("table --format \(format) --sigma2 2 --lambda 0.5 --widths-grid 10,100")
            #expect(r.code == 0 && r.stdout.contains("4.2528064"), "\(format)")
        }
        #expect(ntk("table --format latex --sigma2 2 --lambda 0.5 --widths-grid 10,100").stdout.contains("\\toprule"))
    }

    @Test("table: bad input", arguments: ["table --lambda 0", "table --lambda -1", "table --widths-grid ''", "table --widths-grid 10,,100",
                                          "table --widths-grid 0", "table --widths-grid 1.5", "table --format pdf", "table --shard 3/2",
                                          "table --shard 0/2", "table --sigma2 2,x"])
    func tableBadInput(_ line: String) {
        #expect(ntk(line).isCleanRefusal, "\(line)")
    }

    @Test("table --output writes the same bytes as stdout, atomically")
    func tableOutput() throws {
        let dir = temporaryDirectory()
        let path = dir.appendingPathComponent("t.csv").path
        let args = "table --sigma2 2 --lambda 0.5 --widths-grid 10,100 --format csv"
        let r = ntk(args + " --output " + path)
        #expect(r.code == 0 && r.stdout.isEmpty)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == ntk(args).stdout)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["t.csv"])
    }

    func svgSeries(_ svg: String) throws -> [String: [(Double, Double)]] {
        let doc = try XMLDocument(xmlString: svg, options: [])
        var result: [String: [(Double, Double)]] = [:]
        func visit(_ node: XMLNode) {
            if let element = node as? XMLElement {
                let attributes = Dictionary((element.attributes ?? []).compactMap { a in a.name.map { ($0, a.stringValue ?? "") } },
                                            uniquingKeysWith: { a, _ in a })
                if let name = attributes["data-series"], let points = attributes["data-points"] {
                    result[name] = points.split(separator: " ").map { pair in
                        let xy = pair.split(separator: ",")
                        return (Double(xy[0]) ?? .nan, Double(xy[1]) ?? .nan)
                    }
                }
            }
            for child in node.children ?? [] { visit(child) }
        }
        visit(doc.rootElement()!)
        return result
    }

    @Test("chart: every series is present and every plotted value is finite")
    func charts() throws {
        let dispersion = ntk("chart --kind dispersion --sigma2 1.5,2.5 --widths-grid 10,50 --points 12")
        #expect(dispersion.code == 0)
        let ds = try svgSeries(dispersion.stdout)
        for s in ["1.5", "2.5"] {
            for suffix in ["exact limit", "published limit", "finite M=10", "finite M=50"] {
                let points = ds["σ²=\(s) \(suffix)"]
                // λ = k/12: at M = 10 depth rounding meets only 10 distinct λ′ = L/10, drawn where computed.
                #expect(points?.count == (suffix == "finite M=10" ? 10 : 12), "σ²=\(s) \(suffix)")
                if suffix == "finite M=10" {
                    #expect(points?.allSatisfy { abs($0.0 * 10 - ($0.0 * 10).rounded()) < 1e-9 } == true, "points at λ′ = L/M")
                }
                #expect(points?.allSatisfy { $0.0.isFinite && $0.1.isFinite && $0.1 > 0 } == true)
            }
        }
        let convergence = ntk("chart --kind convergence --sigma2 2.5 --lambda 1 --widths-grid 10,100,1000")
        let cs = try svgSeries(convergence.stdout)
        #expect(cs["σ²=2.5, λ=1 vs exact limit"]?.count == 3)
        #expect(cs["σ²=2.5, λ=1 vs published limit"]?.count == 3)
        #expect(cs.keys.contains { $0.hasPrefix("slope −1") })
        #expect(cs.values.allSatisfy { $0.allSatisfy { $0.0.isFinite && $0.1.isFinite } })
    }

    @Test("chart: bad input", arguments: ["chart --kind pie", "chart --kind convergence --widths-grid 10", "chart --points 1",
                                          "chart --sigma2 0", "chart --lambda-max 60"])
    func chartBadInput(_ line: String) {
        #expect(ntk(line).isCleanRefusal, "\(line)")
    }

    @Test("validate: width 6, depth 3, σ² = 2, 10⁶ samples — the exact model passes, GI is rejected (derivations/06)")
    func validateSmallCase() throws {
        let r = ntk("validate --width 6 --depth 3 --sigma2 2 --samples 1000000 --seed 1 --threads 2 --max-seconds 100000 --format json")
        #expect(r.code == 0, "\(r.stderr)")
        let json = try JSONParser().parse(r.stdout)
        #expect(json["samples"]?.numberText == "1000000")
        #expect(json["stopped_by"]?.stringValue == "sample budget")
        #expect(json["passed"] == .bool(true))
        #expect(json["gi_rejected"] == .bool(true))
        let z = try #require(Double(json["E_theta2"]?["z"]?.numberText ?? ""))
        let zGI = try #require(Double(json["E_theta2"]?["z_gi"]?.numberText ?? ""))
        #expect(abs(z) < 4 && abs(zGI) > 4)
    }

    @Test("validate: a failed validation exits 1; shards merge; bad shard files are named")
    func validateFailureAndMerge() throws {
        // σ² given to the simulation is the real one; --z-max tiny makes any noise a failure.
        let fail = ntk("validate --width 4 --depth 3 --sigma2 2 --samples 20000 --seed 3 --z-max 1e-9")
        #expect(fail.code == 1 && fail.stderr.split(separator: "\n").count == 1 && !fail.stdout.isEmpty)
        let dir = temporaryDirectory()
        let a = dir.appendingPathComponent("a.json").path, b = dir.appendingPathComponent("b.json").path
        #expect(ntk("validate --width 4 --depth 3 --sigma2 2 --samples 20000 --seed 1 --shard 1/2 --emit-stats \(a)").code == 0)
        #expect(ntk("validate --width 4 --depth 3 --sigma2 2 --samples 20000 --seed 1 --shard 2/2 --emit-stats \(b)").code == 0)
        let merged = try JSONParser().parse(ntk(["validate", "merge", a, b, "--format", "json"]).stdout)
        #expect(merged["samples"]?.numberText == "20000")
        #expect(merged["seeds"]?.arrayValue?.count == 1)
        let same = ntk(["validate", "merge", a, a])
        #expect(same.isCleanRefusal && same.stderr.contains("appears twice"))
        let junk = dir.appendingPathComponent("junk.json").path
        try "{not json".write(toFile: junk, atomically: true, encoding: .utf8)
        let bad = ntk(["validate", "merge", junk])
        #expect(bad.isCleanRefusal && bad.stderr.contains("junk.json"))
        let missing = ntk(["validate", "merge", dir.appendingPathComponent("nope.json").path])
        #expect(missing.isCleanRefusal && missing.stderr.contains("nope.json"))
    }

    @Test("validate: bad input", arguments: ["validate --width 4 --depth 3 --sigma2 2 --samples 0",
                                             "validate --width 4 --depth 3 --sigma2 2 --max-seconds 0",
                                             "validate --width 4 --depth 3 --sigma2 2 --max-seconds -1",
                                             "validate --width 4 --depth 3 --sigma2 2 --threads 0",
                                             "validate --width 4 --depth 3 --sigma2 2 --seed -1",
                                             "validate --width 4 --depth 3 --sigma2 2 --format yaml",
                                             "validate merge"])
    func validateBadInput(_ line: String) {
        #expect(ntk(line).isCleanRefusal, "\(line)")
    }
}
