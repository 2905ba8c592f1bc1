import Foundation
import NTKOutput
import Testing

@testable import NTKCommandLine

@Suite("ntk step and ntk train")
struct StepTrainCommandTests {
    func number(_ v: JSONValue?) -> Double? { v?.numberText.flatMap(Double.init) }

    @Test("step JSON: keys, E[fQ] against the exact recursion, the η sweep, the off-diagonal element; shards merge into the whole")
    func stepReport() throws {
        // The sample budget must end the run, not the (default 10 s) time budget, on any machine.
        let base = "step --widths 3,2,2 --sigma2 2 --learning-rate-scale 1e-2,1e-4 --correlation 0.5 --samples 20000 --max-seconds 100000 --seed 3 --threads 2 --format json"
        let r = ntk(base)
        #expect(r.code == 0 && r.stderr.isEmpty, "\(r.stderr)")
        let json = try JSONParser().parse(r.stdout)
        #expect(json["samples"]?.numberText == "20000" && (number(json["seconds"]) ?? -1) >= 0)
        for key in ["delta_theta_over_eta", "kink", "delta_theta_over_E_theta", "relative_abs_change", "crossing_fraction"] {
            // Every change has an estimate and a positive, finite standard error over 20000 networks.
            let mc = number(json[key]?["mc"]), se = number(json[key]?["se"])
            #expect(mc?.isFinite == true && se.map { $0 > 0 && $0.isFinite } == true, "\(key)")
        }
        // A fraction of units whose pre-activation crosses zero, and a relative change, lie in [0, 1] and [0, ∞).
        #expect(number(json["crossing_fraction"]?["mc"]).map { (0...1).contains($0) } == true)
        #expect(number(json["relative_abs_change"]?["mc"]).map { $0 >= 0 } == true)
        // The exact E[fQ] of 3,2,2 at σ² = 2 is 440/9 (derivations/11, first-step-golden), E[Θ] = 61/12.
        #expect(number(json["E_fQ"]?["exact"]).map { abs($0 - 440.0 / 9) < 1e-9 } == true)
        #expect(number(json["E_fQ"]?["z"]).map { abs($0) < 4 } == true)
        #expect(number(json["E_theta"]?["exact"]).map { abs($0 - 61.0 / 12) < 1e-12 } == true)
        guard case .array(let sweep)? = json["sweep"] else { Issue.record("no sweep"); return }
        #expect(sweep.count == 2)
        #expect(number(sweep[0]["learning_rate"]).map { abs($0 - 1e-2 * 12 / 61) < 1e-15 } == true)
        #expect(sweep[1].real("learning_rate_scale") == "1e-4")
        #expect(number(sweep[1]["off_diagonal_delta_over_eta"]?["mc"]) != nil && number(json["off_diagonal_theta"]?["mc"]) != nil)

        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var files: [String] = []
        for k in 1...2 {
            let file = dir.appendingPathComponent("step\(k).json").path
            files.append(file)
            #expect(ntk(base.split(separator: " ").map(String.init) + ["--shard", "\(k)/2", "--emit-stats", file]).code == 0)
        }
        let merged = try JSONParser().parse(ntk(["step", "merge", "--format", "json"] + files.reversed()).stdout)
        #expect(merged["samples"]?.numberText == "20000")
        for key in ["delta_theta_over_eta", "kink"] {
            let a = try #require(number(merged[key]?["mc"])), b = try #require(number(json[key]?["mc"]))
            #expect(abs(a - b) <= 1e-9 * max(1, abs(b)), "\(key): \(a) vs \(b)")
        }
        let text = ntk("step --widths 3,2 --sigma2 2 --learning-rate 1e-3 --samples 500 --threads 1")
        #expect(text.code == 0 && text.stdout.contains("kink part") && text.stdout.contains("real first-order effect of ReLU"))
    }

    @Test("check: step-train-bad-input — η ≤ 0, an unknown optimizer, malformed data files and other bad input get one line and exit 2")
    func badInput() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let ragged = dir.appendingPathComponent("ragged.csv").path, words = dir.appendingPathComponent("words.csv").path
        let empty = dir.appendingPathComponent("empty.csv").path, good = dir.appendingPathComponent("good.csv").path
        try "1,2,3\n4,5\n".write(toFile: ragged, atomically: true, encoding: .utf8)
        try "1,2,3\n4,five,6\n".write(toFile: words, atomically: true, encoding: .utf8)
        try "# nothing\n".write(toFile: empty, atomically: true, encoding: .utf8)
        try "x1,x2,y\n1,0,1\n0,1,-1\n0.6,0.8,0.5\n".write(toFile: good, atomically: true, encoding: .utf8)
        let bad: [(String, String)] = [
            ("step --widths 3,2 --sigma2 2 --learning-rate 0", "--learning-rate"),
            ("step --widths 3,2 --sigma2 2 --learning-rate -1e-3", "--learning-rate"),
            ("step --widths 3,2 --sigma2 2 --learning-rate-scale 0", "--learning-rate-scale"),
            ("step --widths 3,2 --sigma2 2 --learning-rate 1e-3 --learning-rate-scale 1e-3", "not both"),
            ("step --widths 3,2 --sigma2 2 --correlation 2", "--correlation"),
            ("step --widths 1,2 --sigma2 2 --correlation 0.5", "n0 ≥ 2"),
            ("step --widths 3,2 --sigma2 2 --shard 1/2", "--emit-stats"),
            ("step --width 10000 --depth 2000 --sigma2 2", "parameters"),
            ("step merge", "shard"),
            ("train --learning-rate 0", "--learning-rate"),
            ("train --learning-rate-scale -1", "--learning-rate-scale"),
            ("train --optimizer sgd", "optimizer"),
            ("train --data \(ragged)", "line 2: 2 fields"),
            ("train --data \(words)", "line 2, column 2"),
            ("train --data \(empty)", "no data rows"),
            ("train --data \(dir.path)/missing.csv", "cannot read"),
            ("train --data \(good) --input-dim 3", "--input-dim"),
            ("train --steps -1", "--steps"),
            ("train --width 5000 --depth 1000", "parameters"),
            ("train --width 4 --depth 3 --steps 2 --chart \(dir.path)/missing/c.svg", "--chart"),
            ("train --width 4 --depth 3 --steps 2 --output \(dir.path)/missing/t.csv", "--output"),
        ]
        for (line, fragment) in bad {
            let r = ntk(line)
            #expect(r.isCleanRefusal, "\(line): \(r)")
            #expect(r.stderr.contains(fragment), "\(line): \(r.stderr)")
        }
    }

    @Test("train: CSV, JSON and chart output for three σ², on a CSV file and the built-in sets")
    func trainOutput() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let chart = dir.appendingPathComponent("train.svg").path, out = dir.appendingPathComponent("train.csv").path
        let r = ntk("train --width 8 --depth 4 --train-size 12 --track 6 --steps 20 --record-every 10 --format csv --output \(out) --chart \(chart)")
        #expect(r.code == 0 && r.stdout.isEmpty, "\(r)")
        let csv = try String(contentsOfFile: out, encoding: .utf8)
        let lines = csv.split(separator: "\n")
        #expect(lines.first == "sigma2,step,loss,ntk_rel_change,alignment,learning_rate")
        #expect(lines.count == 1 + 3 * 3)
        #expect(lines[1].hasPrefix("1,0,") && lines[4].hasPrefix("2,0,") && lines[7].hasPrefix("2.2,0,"))
        let svg = try String(contentsOfFile: chart, encoding: .utf8)
        #expect(svg.contains("<svg") && svg.contains("σ² = 2.2"))
        let mixture = ntk("train --width 6 --depth 3 --dataset gaussian-mixture --train-size 9 --steps 5 --record-every 5 --optimizer adam --format json")
        #expect(mixture.code == 0, "\(mixture)")
        let json = try JSONParser().parse(mixture.stdout)
        #expect(json.serialized().contains("ntk_rel_change"))
        let data = dir.appendingPathComponent("d.csv").path
        try "x1,x2,y\n1,0,1\n0,1,-1\n0.6,0.8,0.5\n".write(toFile: data, atomically: true, encoding: .utf8)
        let fromFile = ntk("train --data \(data) --width 5 --depth 3 --sigma2 2 --steps 4 --record-every 2 --learning-rate-scale 0.5")
        #expect(fromFile.code == 0 && fromFile.stdout.contains("ntk_rel_change"), "\(fromFile)")
    }
}
