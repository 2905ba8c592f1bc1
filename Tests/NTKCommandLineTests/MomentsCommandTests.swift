import Testing
import Foundation
import NTKOutput
@testable import NTKCommandLine

@Suite("ntk moments and ntk symbolic")
struct MomentsCommandTests {
    @Test("exact JSON carries the golden rationals of derivations/03")
    func exactJSON() throws {
        let r = ntk("moments --widths 3,2,2 --sigma2 2 --exact --format json")
        #expect(r.code == 0 && r.stderr.isEmpty)
        let json = try JSONParser().parse(r.stdout)
        #expect(json["E_theta_exact"]?.stringValue == "61/12")
        #expect(json["E_theta2_exact"]?.stringValue == "8809/72")
        #expect(json["ratio_exact"]?.stringValue == "17618/3721")  // (8809/72)/(61/12)²
        #expect(json.real("E_theta") == "5.0833333333333333333")
        #expect(json["depth"]?.numberText == "3")
        let noBias = try JSONParser().parse(ntk("moments --widths 3,2,2 --sigma2 2 --exact --no-bias --format json").stdout)
        #expect(noBias["E_theta_exact"]?.stringValue == "7/3")
        #expect(noBias["E_theta2_exact"]?.stringValue == "1457/36")
    }

    @Test("every arithmetic agrees on the 5,5,5,5 golden case; certified bounds bracket it")
    func modes() throws {
        let base = "moments --widths 5x4 --sigma2 2 --format json"
        let exact = try JSONParser().parse(ntk(base + " --exact").stdout)
        #expect(exact["E_theta2_exact"]?.stringValue == "6486829/32000")
        let mpfr = try JSONParser().parse(ntk(base + " --precision 256 --digits 30").stdout)
        #expect(mpfr.real("E_theta2") == "202.713406250000000000000000000")
        let double = try JSONParser().parse(ntk(base + " --double").stdout)
        // 8097/1024 = 7.9072265625 exactly; Double shows only the digits its a-priori bound
        // guarantees (13 here), each of them right.
        // 8097/1024 is a double: the number member holds it, with 13 guaranteed digits.
        #expect(double["E_theta"]?.numberText == "7.9072265625" && double["E_theta_decimal"] == nil)
        #expect(double["E_theta_digits"]?.numberText == "13")
        let certified = try JSONParser().parse(ntk(base + " --certified").stdout)
        let lower = try #require(Double(certified.real("E_theta2_lower") ?? ""))
        let upper = try #require(Double(certified.real("E_theta2_upper") ?? ""))
        #expect(lower <= 6486829.0 / 32000 && 6486829.0 / 32000 <= upper)
    }

    @Test("width syntax: NxK and repeated groups; --width/--depth; --widths-file")
    func widthForms() throws {
        let a = try JSONParser().parse(ntk("moments --widths 4,(3,5)x2,6 --sigma2 5/2 --exact --format json").stdout)
        #expect(a["widths"]?.stringValue == "4,3,5,3,5,6")
        #expect(a["depth"]?.numberText == "6")
        let b = ntk("moments --width 5 --depth 4 --sigma2 2 --exact --format json")
        #expect(b.code == 0, "\(b.stderr)")
        #expect(try JSONParser().parse(b.stdout)["E_theta_exact"]?.stringValue == "8097/1024")
        let dir = temporaryDirectory()
        let file = dir.appendingPathComponent("w.txt")
        try "5,\n 5 ,\n\t5x2\n".write(to: file, atomically: true, encoding: .utf8)
        let c = ntk(["moments", "--widths-file", file.path, "--sigma2", "2", "--exact", "--format", "json"])
        #expect(try JSONParser().parse(c.stdout)["E_theta2_exact"]?.stringValue == "6486829/32000")
    }

    @Test("CSV has a header and one row")
    func csv() {
        let r = ntk("moments --widths 1,1 --sigma2 2 --exact --format csv")
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines[0] == "widths,depth,sigma2,sigma2_exact,input_norm2,input_norm2_exact,biases,model,arithmetic,E_theta,E_theta2,variance,ratio,p_dead")
        #expect(lines[1] == "\"1,1\",2,2,2,1,1,true,exact,exact,4.0000000000000000000,45.000000000000000000,29.000000000000000000,2.8125000000000000000,0.50000000000000000000")
    }

    @Test("per-layer contributions sum to E[Θ]")
    func perLayer() throws {
        let json = try JSONParser().parse(ntk("moments --widths 4,3,5 --sigma2 5/2 --input-norm2 2 --exact --per-layer --format json").stdout)
        let parts = try #require(json["layer_contributions"]?.arrayValue)
        #expect(parts.count == 3)
        #expect(json["E_theta_exact"]?.stringValue == "417/32")
    }

    @Test("GI model differs from exact where derivations/05 says it does")
    func giModel() throws {
        let exact = try JSONParser().parse(ntk("moments --widths 3,2,2 --sigma2 2 --exact --format json").stdout)
        let gi = try JSONParser().parse(ntk("moments --widths 3,2,2 --sigma2 2 --exact --model gi --format json").stdout)
        #expect(exact["E_theta2_exact"]?.stringValue != gi["E_theta2_exact"]?.stringValue)
        #expect(gi["model"]?.stringValue == "gi")
    }

    @Test("Double mode stays finite for σ² = 3, L = 10⁵ and matches 128-bit MPFR")
    func deepDouble() throws {
        let d = try JSONParser().parse(ntk("moments --width 100 --depth 100000 --sigma2 3 --double --format json").stdout)
        let m = try JSONParser().parse(ntk("moments --width 100 --depth 100000 --sigma2 3 --digits 16 --format json").stdout)
        let dm = try #require(d.real("E_theta")), mm = try #require(m.real("E_theta"))
        #expect(dm.hasSuffix(String(mm.suffix(7))))  // same decimal exponent
        #expect(dm.prefix(10) == mm.prefix(10))      // agreement to ~9 digits after 10⁵ layers
    }

    @Test("symbolic: text, JSON coefficients and LaTeX")
    func symbolic() throws {
        let text = ntk("symbolic --widths 3,2,2")
        #expect(text.stdout.contains("E[Θ]  = (7/12)·x·s^2 + (1/4)·s^2 + (3/8)·s + 1"))
        let json = try JSONParser().parse(ntk("symbolic --widths 1,1 --format json").stdout)
        // Widths 1,1 by hand: E[Θ] = ½·(s·x + s + s·x + 1) + ½·1 = s·x + s/2 + 1 (4 at s = 2, x = 1).
        #expect(json["E_theta"]?["degree_s"]?.numberText == "1")
        let rows = try #require(json["E_theta"]?["coefficients"]?.arrayValue)
        #expect(rows.map { $0.arrayValue?.compactMap(\.stringValue) ?? [] } == [["1", "1/2"], ["0", "1"]])
        let latex = ntk("symbolic --widths 3,2,2 --format latex")
        #expect(latex.stdout.contains("\\frac{7}{12}\\|x\\|^{2}\\sigma^{4}"))
    }

    @Test("bad input: one line on stderr, exit 2, nothing on stdout", arguments: [
        "moments --widths 3,0,2 --sigma2 2",
        "moments --widths 3,-1 --sigma2 2",
        "moments --widths 3,2.5 --sigma2 2",
        "moments --widths , --sigma2 2",
        "moments --sigma2 2",
        "moments --widths 3,2 --sigma2 0",
        "moments --widths 3,2 --sigma2 -1",
        "moments --widths 3,2 --sigma2 nan",
        "moments --widths 3,2 --sigma2 inf",
        "moments --widths 3,2 --sigma2 2 --input-norm2 -1",
        "moments --widths 3,2 --sigma2 2 --precision 1",
        "moments --widths 3,2 --sigma2 2 --precision 999999999",
        "moments --widths 3,2 --sigma2 2 --exact --double",
        "moments --widths 3,2 --sigma2 2 --format xml",
        "moments --widths 3,2 --sigma2 2 --model foo",
        "moments --widths 3,2 --sigma2 2 --bogus",
        "moments --widths 3,2 --width 3 --depth 2 --sigma2 2",
        "moments --width 1000 --depth 100000 --sigma2 2 --exact",
        "symbolic --width 3 --depth 1000",
        "frobnicate",
    ])
    func badInput(_ line: String) {
        let r = ntk(line)
        #expect(r.isCleanRefusal, "\(line) → code \(r.code), stdout \(r.stdout.count) chars, stderr: \(r.stderr)")
    }

    @Test("exact mode refuses with an estimate and a hint")
    func exactRefusal() {
        let r = ntk("moments --width 1000 --depth 100000 --sigma2 2 --exact")
        #expect(r.stderr.contains("digits") && r.stderr.contains("--precision"))
    }
}
