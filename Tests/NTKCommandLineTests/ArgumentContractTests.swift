import Testing
import Foundation
import NTKOutput
import Multiprecision
import NTKMoments
@testable import NTKCommandLine

/// The command-line contracts of moments, limit and table: typed options, honest digits,
/// float-readable JSON, depth rounding said out loud.
@Suite("Argument and output contracts")
struct ArgumentContractTests {
    @Test("a negative number reaches validation and is reported as out of range", arguments: [
        "moments --widths 3,2 --sigma2 -1", "moments --widths 3,2 --sigma2 2 --input-norm2 -1",
        "moments --width -5 --depth 3 --sigma2 2", "limit --lambda -1 --sigma2 2", "limit --lambda 1 --sigma2 2 --alpha0 -3",
        "table --sigma2 -2", "table --widths-grid 10,-100", "chart --lambda-max -1",
    ])
    func negativeNumbers(_ line: String) {
        let r = ntk(line)
        #expect(r.isCleanRefusal, "\(r)")
        #expect(r.stderr.contains("out of range"), "\(r.stderr)")
        #expect(!r.stderr.contains("Missing value"))
    }

    @Test("integer options take 1e3; 1.5 is refused")
    func scientificIntegers() throws {
        let a = try JSONParser().parse(ntk("moments --width 1e3 --depth 2e1 --sigma2 2 --format json").stdout)
        #expect(a["input_dim"]?.numberText == "1000" && a["depth"]?.numberText == "20")
        #expect(ntk("moments --width 1.5 --depth 3 --sigma2 2").isCleanRefusal)
        #expect(ntk("table --sigma2 2 --lambda 1 --widths-grid 1e2,1e3 --format csv").code == 0)
    }

    @Test("a width file may hold one width per line and # comments")
    func widthFile() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("widths.txt").path
        try "# input dimension, then hidden widths\n4\n3   # first hidden layer\n5\n\n(2,6)x2\n".write(toFile: file, atomically: true, encoding: .utf8)
        let fromFile = try JSONParser().parse(ntk(["moments", "--widths-file", file, "--sigma2", "2", "--exact", "--format", "json"]).stdout)
        let inline = try JSONParser().parse(ntk("moments --widths 4,3,5,2,6,2,6 --sigma2 2 --exact --format json").stdout)
        #expect(fromFile["E_theta2_exact"]?.stringValue != nil)
        #expect(fromFile["E_theta2_exact"]?.stringValue == inline["E_theta2_exact"]?.stringValue)
        try "4 3\n5 x 2 # a run written with spaces\n".write(toFile: file, atomically: true, encoding: .utf8)
        let spaced = try JSONParser().parse(ntk(["moments", "--widths-file", file, "--sigma2", "2", "--exact", "--format", "json"]).stdout)
        #expect(spaced["widths"]?.stringValue == "4,3,5x2")
    }

    @Test("--per-layer with CSV is refused instead of dropped; the arithmetic is one flag")
    func refusals() {
        let csv = ntk("moments --widths 3,2,2 --sigma2 2 --per-layer --format csv")
        #expect(csv.isCleanRefusal && csv.stderr.contains("--per-layer"))
        #expect(ntk("moments --widths 3,2,2 --sigma2 2 --exact --double").isCleanRefusal)
        #expect(ntk("moments --widths 3,2,2 --sigma2 2 --double --precision 100").isCleanRefusal)
    }

    @Test("help shows each default once")
    func helpDefaults() {
        for command in ["moments", "limit", "table", "chart", "symbolic"] {
            let help = ntk([command, "--help"]).stdout
            #expect(!help.isEmpty)
            for line in help.split(separator: "\n") {
                #expect(line.components(separatedBy: "default").count <= 2, "\(command): \(line)")
            }
            #expect(!help.contains("(default: --mpfr)") || !help.contains("(the default)"), "\(command)")
        }
    }

    @Test("JSON numbers read as floats; exact rationals sit in *_exact fields")
    func floatReadableJSON() throws {
        let m = try JSONParser().parse(ntk("moments --widths 3,2,2 --sigma2 5/2 --input-norm2 1/3 --format json").stdout)
        #expect(m["sigma2"]?.numberText == "2.5" && m["sigma2_exact"]?.stringValue == "5/2")
        #expect(Double(m["input_norm2"]?.numberText ?? "") == 1.0 / 3 && m["input_norm2_exact"]?.stringValue == "1/3")
        let l = try JSONParser().parse(ntk("limit --lambda 1/10 --sigma2 5/2 --format json").stdout)
        #expect(l["lambda"]?.numberText == "0.1" && l["lambda_exact"]?.stringValue == "1/10" && l["sigma2"]?.numberText == "2.5")
    }

    @Test("weights-only limits are F_ww in every phase, in limit and table")
    func weightsOnlyLimits() throws {
        for s in ["0.5", "1.5", "2", "4"] {
            let l = try JSONParser().parse(ntk("limit --lambda 1 --sigma2 \(s) --no-bias --format json").stdout)
            #expect(l.real("exact")?.hasPrefix("76.968596551009032971") == true, "σ² = \(s)")  // F_ww(1)
            #expect(l.real("gi")?.hasPrefix("55.9947") == true && l["published_form"]?.stringValue == "weights-only-formula")
        }
        let t = ntk("table --sigma2 0.5 --lambda 1 --widths-grid 100000 --no-bias --format csv")
        let cells = t.stdout.split(separator: "\n")[1].split(separator: ",").map(String.init)
        // ratio, limit_exact, rel_err_exact: the finite value sits within 2e-4 of its limit.
        #expect(abs(Double(cells[8])!) < 2e-4, "\(cells)")
    }

    @Test("table and chart use and show λ′ = L/M, and say once when a λ cannot be met")
    func depthRounding() throws {
        let r = ntk("table --sigma2 1.5 --lambda 0.001 --widths-grid 10,100,1000 --format csv")
        #expect(r.code == 0)
        let lambdas = r.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: ",")[1] }
        #expect(lambdas == ["0.1", "0.01", "0.001"])
        #expect(r.stderr.split(separator: "\n").count == 1 && r.stderr.hasPrefix("ntk: note: ") && r.stderr.contains("0.001"))
        #expect(ntk("table --sigma2 1.5 --lambda 0.5 --widths-grid 10,100 --format csv").stderr.isEmpty)
    }

    @Test("every digit a rounded arithmetic prints is right (the issue's three cases)")
    func roundedDigits() throws {
        func check(_ args: String, reference: String, keys: [String]) throws {
            let rounded = try JSONParser().parse(ntk(args + " --format json").stdout)
            let truth = try JSONParser().parse(ntk(reference + " --format json").stdout)
            for key in keys {
                guard let shown = rounded[key]?.stringValue else { continue }  // nothing shown, nothing claimed
                let digits = significantDigitCount(shown)
                let t = try #require(truth[key]?.stringValue)
                let expected = Self.rounded(Self.decimal(t), to: digits)
                #expect(Self.decimal(shown) == expected, "\(args) \(key): shows \(shown), the true value \(t) rounds to \(expected)")
            }
        }
        let keys = ["E_theta", "E_theta2", "variance", "ratio", "p_dead"]
        try check("moments --width 1000 --depth 1000000 --sigma2 3 --double",
                  reference: "moments --width 1000 --depth 1000000 --sigma2 3 --precision 512 --digits 60", keys: keys)
        try check("moments --width 1125899906842624 --depth 3 --sigma2 2 --double",
                  reference: "moments --width 1125899906842624 --depth 3 --sigma2 2 --precision 512 --digits 60", keys: keys)
        try check("moments --width 100 --depth 1000000000 --sigma2 2 --precision 40 --digits 12",
                  reference: "moments --width 100 --depth 1000000000 --sigma2 2 --precision 512 --digits 60", keys: keys)
        // Explicitly too low a precision: fewer digits, said in JSON.
        let low = try JSONParser().parse(ntk("moments --width 100 --depth 1000000000 --sigma2 2 --precision 40 --digits 12 --format json").stdout)
        #expect((Int(low["E_theta2_digits"]?.numberText ?? "") ?? 99) < 12)
    }

    /// A positive decimal as (significant digits, e) with value 0.d₁d₂… × 10^e.
    static func decimal(_ text: String) -> (digits: [Int], exponent: Int) {
        let parts = text.lowercased().split(separator: "e")
        var e = parts.count > 1 ? Int(parts[1].replacingOccurrences(of: "+", with: ""))! : 0
        let mantissa = String(parts[0])
        let point = mantissa.firstIndex(of: ".").map { mantissa.distance(from: mantissa.startIndex, to: $0) } ?? mantissa.count
        var digits = mantissa.compactMap(\.wholeNumberValue)
        e += point
        while digits.first == 0 { digits.removeFirst(); e -= 1 }
        return (digits, e)
    }

    /// Rounds (half up) to `count` significant digits.
    static func rounded(_ d: (digits: [Int], exponent: Int), to count: Int) -> (digits: [Int], exponent: Int) {
        var kept = Array(d.digits.prefix(count))
        var e = d.exponent
        if d.digits.count > count, d.digits[count] >= 5 {
            var i = kept.count - 1
            while i >= 0 && kept[i] == 9 { kept[i] = 0; i -= 1 }
            if i >= 0 { kept[i] += 1 } else { kept.insert(1, at: 0); kept.removeLast(); e += 1 }
        }
        return (kept, e)
    }

    @Test("the library validates: limits refuse λ ≤ 0")
    func limitDomain() {
        #expect(throws: LimitDomainError.self) { try DispersionLimits(sigma2: 2, lambda: 0, alpha0: 1, precision: 64) }
        #expect(throws: LimitDomainError.self) { try DispersionLimits(sigma2: 2, lambda: -1, alpha0: 1, precision: 64) }
        #expect(throws: LimitDomainError.self) { try DispersionLimits(sigma2: 2, lambda: 1, alpha0: -1, precision: 64) }
    }
}
