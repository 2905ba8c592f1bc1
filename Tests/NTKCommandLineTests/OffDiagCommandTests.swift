import Foundation
import Testing
import NTKOutput
@testable import NTKCommandLine

private func number(_ v: JSONValue?) -> Double? { v?.numberText.flatMap(Double.init) }

private func results(_ r: CommandResult) throws -> (JSONValue, [JSONValue]) {
    #expect(r.code == 0, "\(r.stderr)")
    let json = try JSONParser().parse(r.stdout)
    return (json, try #require(json["results"]?.arrayValue))
}

@Suite("ntk offdiag")
struct OffDiagCommandTests {
    @Test("check: offdiag-bounds-hold — |E[Θ(x,x′)]| ≤ E[Θ(x,x)] and E[Θ(x,x′)²] ≤ E[Θ(x,x)²] hold in simulation (within 4 s.e.); the bounds are the exact diagonal moments")
    func boundsHold() throws {
        let (json, rows) = try results(ntk("offdiag --width 5 --depth 4 --sigma2 2.5 --samples 4000 --max-seconds 100000 --seed 3 --correlation -1:1:0.25 --format json"))
        #expect(rows.count == 9 && number(json["samples"]) == 4000)
        for row in rows {
            let mean = try #require(number(row["E_theta_xy"]?["mc"])), se = try #require(number(row["E_theta_xy"]?["se"]))
            let second = try #require(number(row["E_theta_xy2"]?["mc"])), se2 = try #require(number(row["E_theta_xy2"]?["se"]))
            let bound = try #require(number(row["bound_abs_E_theta_xy"])), bound2 = try #require(number(row["bound_E_theta_xy2"]))
            #expect(abs(mean) - 4 * se <= bound && second - 4 * se2 <= bound2, "\(row)")
        }
        // The bounds are E[Θ(x,x)], E[Θ(x,x)²] of the exact recursion (here against its certified
        // enclosure, independently of the rounding to doubles), rounded up.
        let depthCheck = try #require(json["depths"]?.arrayValue?.first?["diagonal_check"])
        let exactMean = try #require(number(depthCheck["E_theta"]?["exact"]))
        let bound = try #require(number(rows[0]["bound_abs_E_theta_xy"]))
        #expect(bound >= exactMean && bound <= exactMean * (1 + 1e-15))
    }

    @Test("check: offdiag-rho-one-exact — at ρ = 1 the simulation agrees with the exact E[Θ] = 383/64, E[Θ²] = 25129/384 (width 6, depth 3)")
    func rhoOneAgainstExact() throws {
        let (json, rows) = try results(ntk("offdiag --width 6 --depth 3 --sigma2 2 --samples 20000 --seed 8 --correlation 0.5,1 --format json"))
        let check = try #require(rows[1]["exact_check"])
        #expect(check["verdict"]?.stringValue == "pass", "\(check)")
        #expect(abs(try #require(number(check["E_theta"]?["exact"])) - 383.0 / 64) < 1e-12)
        #expect(abs(try #require(number(check["E_theta2"]?["exact"])) - 25129.0 / 384) < 1e-10)
        #expect(json["verdict"]?.stringValue == "pass")
        #expect(rows[0]["exact_check"] == nil)
        // Θ*(x,x)/Θ*(x,x) = 1 and the paired ratio is exactly 1 at ρ = 1.
        #expect(number(rows[1]["infinite_width_ratio"]) == 1 && number(rows[1]["ratio"]?["mc"]) == 1)
    }

    @Test("depth 1 is deterministic: Θ(x,x′) = ρ‖x‖² + β, equal to the infinite-width value")
    func depthOne() throws {
        let (_, rows) = try results(ntk("offdiag --widths 3 --sigma2 2 --input-norm2 2 --samples 50 --correlation -0.5,0,0.5 --format json"))
        for (row, rho) in zip(rows, [-0.5, 0, 0.5]) {
            #expect(abs(try #require(number(row["E_theta_xy"]?["mc"])) - (2 * rho + 1)) < 1e-14)
            #expect(abs(try #require(number(row["infinite_width_theta"])) - (2 * rho + 1)) < 1e-14)
        }
    }

    @Test("check: offdiag-cli-invariance — the same JSON for 1 and 2 threads; shards merge into the unsharded run")
    func invariance() throws {
        let base = "offdiag --width 4 --depth 5 --sigma2 2 --samples 900 --seed 5 --correlation 0:1:0.5 --depths 2,5 --format json"
        func strip(_ r: CommandResult) throws -> NSDictionary {
            var json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
            json.removeValue(forKey: "seconds")
            json["depths"] = (json["depths"] as? [[String: Any]])?.map { d -> [String: Any] in
                var d = d
                d.removeValue(forKey: "seconds")
                d.removeValue(forKey: "stopped_by")
                return d
            }
            return json as NSDictionary
        }
        let one = try strip(ntk(base + " --threads 1")), two = try strip(ntk(base + " --threads 2"))
        #expect(one == two)
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let files = writeShards(base, count: 3, into: dir)
        let (_, merged) = try results(ntk(["offdiag", "merge", "--format", "json"] + files.reversed()))
        let (_, unsharded) = try results(ntk(base))
        #expect(merged.count == unsharded.count)
        for (m, u) in zip(merged, unsharded) {
            #expect(m["samples"] == u["samples"])
            for key in ["E_theta_xy", "E_theta_xy2", "ratio"] {
                let a = try #require(number(m[key]?["mc"])), b = try #require(number(u[key]?["mc"]))
                #expect(abs(a - b) <= 1e-12 * abs(b), "\(key): \(a) vs \(b)")
            }
        }
    }

    @Test("bad input: one line on stderr, exit 2")
    func badInput() {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let garbage = dir.appendingPathComponent("garbage.json").path
        try? "{\"format\": \"ntk-offdiag-stats-1\"}".write(toFile: garbage, atomically: true, encoding: .utf8)
        for bad in ["offdiag --width 3 --depth 2 --sigma2 2 --correlation 1.5",
                    "offdiag --width 3 --depth 2 --sigma2 2 --correlation -2",
                    "offdiag --width 3 --depth 2 --sigma2 2 --correlation 0:2:0.5",
                    "offdiag --width 3 --depth 2 --sigma2 2 --correlation x",
                    "offdiag --widths 1,3 --sigma2 2 --correlation 0.5",
                    "offdiag --width 3 --depth 2 --sigma2 2 --depths 3",
                    "offdiag --width 3 --depth 2 --sigma2 2 --depths 0",
                    "offdiag --width 3 --depth 2 --sigma2 2 --samples 0",
                    "offdiag --width 3 --depth 2 --sigma2 2 --shard 1/2",
                    "offdiag --width 100000 --depth 3 --sigma2 2",
                    "offdiag --width 3 --depth 2 --sigma2 1e40",
                    "offdiag merge", "offdiag merge \(garbage)", "offdiag merge \(dir.path)/missing.json",
                    "chart --kind offdiag-depth", "chart --kind offdiag-correlation --offdiag \(garbage)",
                    "chart --kind offdiag-depth --offdiag \(garbage) --rho 2"] {
            #expect(ntk(bad).isCleanRefusal, "\(bad): \(ntk(bad).stderr)")
        }
    }

    @Test("charts read offdiag JSON: ratio against ρ and against depth, with error bars and the infinite-width curve")
    func charts() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var files: [String] = []
        for s in ["1.5", "2.5"] {
            let r = ntk("offdiag --width 4 --depth 4 --sigma2 \(s) --samples 200 --depths 1:4 --correlation 0:1:0.5 --format json")
            #expect(r.code == 0)
            let file = dir.appendingPathComponent("s\(s).json").path
            try r.stdout.write(toFile: file, atomically: true, encoding: .utf8)
            files.append(file)
        }
        let byRho = ntk(["chart", "--kind", "offdiag-correlation", "--offdiag"] + files + ["--depths", "4"])
        #expect(byRho.code == 0 && byRho.stdout.contains("<svg") && byRho.stdout.contains("infinite width"), "\(byRho.stderr)")
        // The infinite-width curve is drawn on a fine grid, not as segments between the
        // simulated correlations 0, 0.5, 1: it has a square-root cusp at ρ = 1. Its ends are
        // the values offdiag printed there (ρ = 1: Θ(x,x′) = Θ(x,x)).
        let marker = "data-series=\"σ²=1.5, L=4 infinite width\" data-points=\""
        let start = try #require(byRho.stdout.range(of: marker))
        let text = byRho.stdout[start.upperBound...].prefix { $0 != "\"" }
        let curve = text.split(separator: " ").map { $0.split(separator: ",").compactMap { Double($0) } }
        #expect(curve.count > 100 && curve.allSatisfy { $0.count == 2 })
        #expect(curve.filter { $0[0] > 0.9 && $0[0] < 1 }.count >= 10)
        let printed = try #require(JSONParser().parse(try String(contentsOfFile: files[0], encoding: .utf8))["results"]?.arrayValue)
        let atZero = try #require(printed.first { $0["depth"]?.numberText == "4" && $0["correlation"]?.numberText.flatMap(Double.init) == 0 })
        let expected = try #require(atZero["infinite_width_ratio"]?.numberText.flatMap(Double.init))
        #expect(curve.first?[0] == 0 && abs(curve.first![1] / expected - 1) < 1e-12)
        #expect(curve.last?[0] == 1 && abs(curve.last![1] - 1) < 1e-12)
        let byDepth = ntk(["chart", "--kind", "offdiag-depth", "--offdiag"] + files + ["--rho", "0,0.5"])
        #expect(byDepth.code == 0 && byDepth.stdout.contains("σ²=2.5, ρ=0.5"), "\(byDepth.stderr)")
    }
}
