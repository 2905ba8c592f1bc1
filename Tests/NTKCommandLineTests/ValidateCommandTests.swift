import Testing
import Foundation
import Multiprecision
import NTKOutput
@testable import NTKCommandLine

/// `ntk validate`, `validate merge` and `validate suite`: verdicts and exit codes, typed
/// options, and the keys and numbers of the JSON they write.
@Suite("ntk validate: verdicts, options and JSON")
struct ValidateCommandTests {
    static let small = ["validate", "--width", "3", "--depth", "3", "--sigma2", "2", "--threads", "1"]

    static func json(_ r: CommandResult) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], "\(r)")
    }

    /// Every key of every object in `value`, recursively.
    static func keys(_ value: Any) -> [String] {
        if let object = value as? [String: Any] { return object.keys + object.values.flatMap(keys) }
        if let array = value as? [Any] { return array.flatMap(keys) }
        return []
    }

    // MARK: Verdicts and exit codes

    @Test("1 or 2 samples: INCONCLUSIVE, exit 3, one line on stderr — never PASS or FAIL", arguments: ["1", "2"])
    func tooFewSamples(_ samples: String) throws {
        let r = ntk(Self.small + ["--samples", samples])
        #expect(r.code == 3, "\(r)")
        #expect(r.stdout.contains("verdict       INCONCLUSIVE: \(samples) sample"), "\(r.stdout)")
        #expect(!r.stdout.contains("PASS") && !r.stdout.contains("FAIL"))
        #expect(r.stderrLines.count == 1 && r.stderr.hasPrefix("ntk: validation inconclusive: "), "\(r.stderr)")
        #expect(r.stderr.contains("at least 30 samples"))
        let j = try Self.json(ntk(Self.small + ["--samples", samples, "--format", "json"]))
        #expect(j["verdict"] as? String == "inconclusive")
        #expect(j["passed"] as? Bool == false)
        #expect(j["minimum_samples"] as? Int == 30)
    }

    @Test("enough samples of a matching model: PASS, exit 0, verdict \"pass\"")
    func passes() throws {
        let r = ntk(Self.small + ["--samples", "2000", "--format", "json"])
        #expect(r.code == 0 && r.stderr.isEmpty, "\(r)")
        let j = try Self.json(r)
        #expect(j["verdict"] as? String == "pass")
        #expect(j["passed"] as? Bool == true)
        #expect(["pass", "fail"].contains(j["gi_verdict"] as? String))
    }

    @Test("a clear mismatch (tiny --z-max): FAIL, exit 1, verdict \"fail\"")
    func fails() throws {
        let r = ntk(Self.small + ["--samples", "2000", "--z-max", "1e-9", "--format", "json"])
        #expect(r.code == 1 && r.stderrLines.count == 1 && r.stderr.hasPrefix("ntk: validation failed: "), "\(r)")
        let j = try Self.json(r)
        #expect(j["verdict"] as? String == "fail")
        #expect(j["passed"] as? Bool == false)
    }

    @Test("a deterministic Θ (depth 1) equal to the exact value passes with enough samples, is inconclusive with 2")
    func deterministic() throws {
        let base = ["validate", "--width", "3", "--depth", "1", "--sigma2", "2", "--input-norm2", "5/2", "--threads", "1"]
        let r = ntk(base + ["--samples", "30", "--format", "json"])
        #expect(r.code == 0, "\(r)")
        let j = try Self.json(r)
        #expect(j["verdict"] as? String == "pass")
        #expect((j["E_theta"] as? [String: Any])?["se"] as? Double == 0)
        #expect(ntk(base + ["--samples", "2"]).code == 3)
    }

    @Test("the exit codes are documented in ntk --help")
    func exitCodesDocumented() {
        let help = ntk(["--help"]).stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(help.contains("3 an inconclusive validation (too few samples for a verdict)"), "\(help)")
    }

    // MARK: Typed options

    @Test("counts accept 1e2-style integers", arguments: [("1e2", 100), ("2.5e2", 250), ("120", 120), ("1.2E2", 120)])
    func scientificCounts(_ text: String, _ expected: Int) throws {
        let r = ntk(Self.small + ["--samples", text, "--format", "json"])
        #expect(r.code == 0 || r.code == 1, "\(r)")
        #expect(try Self.json(r)["samples"] as? Int == expected)
    }

    @Test("bad values are refused with one line naming the flag",
          arguments: [["--samples", "1.5"], ["--samples", "0"], ["--samples", "abc"], ["--samples", "1e13"],
                      ["--threads", "2.5"], ["--threads", "1025"], ["--seed", "18446744073709551616"], ["--seed", "0.5"],
                      ["--max-seconds", "0"], ["--max-seconds", "31536001"], ["--z-max", "0"], ["--z-max", "nan"],
                      ["--format", "yaml"]])
    func badValues(_ option: [String]) {
        let r = ntk(Self.small + option)
        #expect(r.isCleanRefusal, "\(option): \(r)")
        #expect(r.stderr.contains(option[0]), "\(option): \(r.stderr)")
    }

    @Test("negative numbers reach validation and are reported out of range, not as a missing value",
          arguments: [["--z-max", "-1"], ["--samples", "-5"], ["--max-seconds", "-1"], ["--threads", "-2"], ["--seed", "-1"],
                      ["--samples", "-1e3"]])
    func negativeNumbers(_ option: [String]) {
        // A repeated single-value option is refused on its own, so the option is given once.
        var base = Self.small
        if let i = base.firstIndex(of: option[0]) { base.removeSubrange(i...(i + 1)) }
        for args in [base + option, base + [option[0] + "=" + option[1]]] {
            let r = ntk(args)
            #expect(r.isCleanRefusal, "\(args): \(r)")
            #expect(r.stderr.contains("\(option[0]) '\(option[1])' is out of range"), "\(args): \(r.stderr)")
        }
    }

    @Test("merge and suite options are typed and range-checked too",
          arguments: [["validate", "merge", "x.json", "--z-max", "-1"], ["validate", "merge", "x.json", "--format", "csv"],
                      ["validate", "suite", "--threads", "-1"], ["validate", "suite", "--budget-scale", "-1"],
                      ["validate", "suite", "--budget-scale", "101"]])
    func subcommandOptions(_ args: [String]) {
        let r = ntk(args)
        #expect(r.isCleanRefusal, "\(args): \(r)")
        let flag = args.first { $0.hasPrefix("--") } ?? ""
        #expect(r.stderr.contains(flag), "\(args): \(r.stderr)")
        #expect(!r.stderr.contains("Missing value"))
    }

    @Test("help shows each default once", arguments: [
        (["validate", "run", "--help"], ["--samples", "--max-seconds", "--seed", "--z-max", "--format"]),
        (["validate", "merge", "--help"], ["--z-max", "--format"]),
        (["validate", "suite", "--help"], ["--budget-scale"]),
    ])
    func helpDefaults(_ args: [String], _ options: [String]) throws {
        let help = ntk(args).stdout
        for option in options {
            // The option's entry: from its name to the next option.
            let start = try #require(help.range(of: "  \(option) <"), "\(option) missing from help")
            let rest = help[start.upperBound...]
            let entry = rest[..<(rest.range(of: "\n  -")?.lowerBound ?? rest.endIndex)]
            #expect(entry.components(separatedBy: "default").count == 2, "\(option): \(entry)")
        }
        if args[1] == "run" { #expect(help.contains("(values: text, json; default: text)")) }
    }

    // MARK: JSON

    @Test("sigma2 and input_norm2 are JSON numbers (17 digits when not exact), the exact rational beside them")
    func decimalNumbers() throws {
        let r = ntk(["validate", "--width", "3", "--depth", "2", "--sigma2", "5/2", "--input-norm2", "1/3", "--samples", "40",
                     "--threads", "1", "--format", "json"])
        let j = try Self.json(r)
        #expect(j["sigma2"] as? Double == 2.5)
        #expect(j["sigma2_exact"] as? String == "5/2")
        #expect(j["input_norm2_exact"] as? String == "1/3")
        #expect(r.stdout.contains("\"input_norm2\": 0.33333333333333333,"), "\(r.stdout)")
        #expect(r.stdout.contains("\"sigma2\": 2.5,"))
        // No number hides in a string: every string value is a word, a width list or an exact rational.
        #expect(!r.stdout.contains("\"sigma2\": \""))
        #expect(decimalNumber(try BigRational(parsing: "1e-300")) == "1e-300")
        #expect(decimalNumber(try BigRational(parsing: "12345678901234567890")) == "12345678901234567890")
        #expect(decimalNumber(try BigRational(parsing: "1/3")) == "0.33333333333333333")
        #expect(decimalNumber(2) == "2")
    }

    @Test("--emit-stats: snake_case keys, format ntk-validate-stats-2; merge pools small shards into a verdict")
    func statsFile() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = dir.appendingPathComponent("a.json").path, b = dir.appendingPathComponent("b.json").path
        // 20 samples each: inconclusive alone (exit 3), but the statistics are still written.
        #expect(ntk(Self.small + ["--samples", "20", "--seed", "1", "--emit-stats", a]).code == 3)
        #expect(ntk(Self.small + ["--samples", "20", "--seed", "2", "--emit-stats", b]).code == 3)
        let stats = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: a))) as? [String: Any])
        #expect(stats["format"] as? String == "ntk-validate-stats-2")
        let keys = Self.keys(stats)
        #expect(keys.allSatisfy { $0.range(of: "^[a-z0-9_]+$", options: .regularExpression) != nil }, "\(keys)")
        #expect(keys.contains("stopped_by") && keys.contains("input_norm2") && keys.contains("sum_theta2"))
        #expect(stats["sigma2"] as? Double == 2 && stats["sigma2_exact"] as? String == "2")
        let one = ntk(["validate", "merge", a])
        #expect(one.code == 3, "\(one)")
        let both = ntk(["validate", "merge", a, b, "--format", "json"])
        #expect(both.code == 0 || both.code == 1, "\(both)")
        let j = try Self.json(both)
        #expect(j["samples"] as? Int == 40)
        #expect(["pass", "fail"].contains(j["verdict"] as? String))
    }

    @Test("merge refuses the old camelCase format with one line")
    func oldFormatRefused() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let old = dir.appendingPathComponent("old.json").path
        try """
        {"biases": true, "format": "ntk-validate-stats-1", "inputNorm2": "1", "seconds": 0.1, "seed": 1, "sigma2": "2",
         "stoppedBy": "sample budget", "widths": "3",
         "moments": {"count": 1000, "sumTheta": {"high": 2000, "low": 0}, "sumTheta2": {"high": 4000, "low": 0},
                     "sumTheta3": {"high": 8000, "low": 0}, "sumTheta4": {"high": 16000, "low": 0}}}
        """.write(toFile: old, atomically: true, encoding: .utf8)
        let r = ntk(["validate", "merge", old])
        #expect(r.isCleanRefusal, "\(r)")
        #expect(r.stderr.contains("ntk-validate-stats-1") && r.stderr.contains("no longer read"), "\(r.stderr)")
    }

    @Test("suite: inconclusive cases (tiny budget) give exit 3 and an inconclusive verdict column")
    func suiteInconclusive() {
        let r = ntk(["validate", "suite", "--budget-scale", "0.000001", "--threads", "1"])
        #expect(r.code == 3, "\(r)")
        #expect(r.stderrLines.count == 1 && r.stderr.contains("inconclusive"))
        #expect(r.stdout.contains("inconclusive") && !r.stdout.contains("FAIL"))
    }
}
