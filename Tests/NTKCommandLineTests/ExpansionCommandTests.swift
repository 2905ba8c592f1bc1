import Testing
import Foundation
import Multiprecision
import NTKOutput
@testable import NTKCommandLine

@Suite("ntk expand, table corrections, depth charts, ranges")
struct ExpansionCommandTests {
    @Test("expand: 25 digits of c1, c2 match the closed forms; JSON keys")
    func expand() throws {
        let r = ntk("expand --sigma2 5/2 --lambda 1 --format json")
        #expect(r.code == 0 && r.stderr.isEmpty)
        let json = try JSONParser().parse(r.stdout)
        // derivations/07 at σ² = 5/2, λ = 1, X0 = 1.
        #expect(json.real("c1") == "-1413.238847635955627243441")
        #expect(json.real("c2") == "11173.80962957771884941940")
        #expect(json.real("F")?.hasPrefix("76.968596551009032971") == true)
        // The closed form of c1 (derivations/07) is the extrapolated c1, within the error the expansion reports.
        let c1 = try BigRational(parsing: try #require(json.real("c1")))
        let closedForm = try BigRational(parsing: try #require(json.real("c1_closed_form")))
        let c1Error = try BigRational(parsing: try #require(json.real("c1_error")))
        let gap = c1 - closedForm
        #expect(c1Error.signum > 0 && (gap.signum < 0 ? -gap : gap) <= c1Error)
        #expect(json.real("c3").flatMap(Double.init)?.isFinite == true)
        #expect(json["mean_ratio"]?.real("F").flatMap(Double.init).map { abs($0 - 1) < 1e-10 } == true)
    }

    @Test("expand: widths honour λM and rM integrality; bad input is refused", arguments: [
        "expand --sigma2 2 --lambda 0", "expand --sigma2 2 --lambda 1/1048583", "expand --sigma2 2 --lambda 1 --order 9",
        "expand --sigma2 2 --lambda 1 --alpha0 2 --no-bias", "expand --lambda 1",
    ])
    func expandRefusals(_ line: String) {
        #expect(ntk(line).isCleanRefusal, "\(line)")
    }

    @Test("expand: M is a multiple of the denominators of λ and r")
    func expandWidths() throws {
        let json = try JSONParser().parse(ntk("expand --sigma2 2 --lambda 3/10 --input-ratio 1/4 --order 1 --digits 10 --format json").stdout)
        guard case .array(let widths)? = json["widths"] else { Issue.record("no widths"); return }
        #expect(!widths.isEmpty && widths.allSatisfy { (Int($0.numberText ?? "") ?? 1) % 20 == 0 })
    }

    @Test("table: c1, predicted and a second-order Richardson (σ² = 2.5, λ = 1)")
    func tableCorrections() throws {
        let r = ntk("table --sigma2 2.5 --lambda 1 --widths-grid 100,200,400 --richardson-order 2 --columns M,ratio,c1,predicted,richardson --format csv")
        let rows = r.stdout.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        #expect(rows[0] == ["M", "ratio", "c1", "predicted", "richardson"])
        #expect(Double(rows[1][2]).map { abs($0 + 1413.2388) < 1e-3 } == true)
        #expect(rows[1][4].isEmpty && rows[2][4].isEmpty)
        // Two-step Richardson over 100, 200, 400 lands within 2e-6 of F_ww(1) = 76.968597.
        #expect(Double(rows[3][4]).map { abs($0 / 76.96859655 - 1) < 2e-6 } == true, "\(rows[3])")
        #expect(ntk("table --columns M,bogus").isCleanRefusal)
        let latex = ntk("table --sigma2 2 --lambda 1/2 --widths-grid 100 --columns lambda,c1 --format latex").stdout
        #expect(latex.contains("$\\lambda$ & $c_1$"))
    }

    @Test("ranges in list options")
    func ranges() throws {
        let r = ntk("table --sigma2 2 --lambda 0.1:0.3:0.1 --widths-grid 10:30:10 --columns lambda,M --format csv")
        #expect(r.stdout.split(separator: "\n").count == 10)
        #expect(ntk("table --lambda 0.3:0.1").isCleanRefusal)
        #expect(ntk("table --widths-grid 1:10:0").isCleanRefusal)
    }

    @Test("chart --kind depth: points at every depth, Monte Carlo overlays with error bars")
    func depthChart() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let stats = dir.appendingPathComponent("v.json").path
        let v = ntk(["validate", "--width", "20", "--depth", "4", "--sigma2", "2.5", "--samples", "400", "--format", "json", "--threads", "1"])
        try v.stdout.write(toFile: stats, atomically: true, encoding: .utf8)
        let chart = ntk(["chart", "--kind", "depth", "--sigma2", "2.5", "--widths-grid", "20", "--depths", "1:8", "--overlay", stats])
        #expect(chart.code == 0, "\(chart.stderr)")
        #expect(chart.stdout.contains("data-series=\"σ²=2.5 finite M=20\""))
        #expect(chart.stdout.contains("class=\"error-bar\""))
        #expect(chart.stdout.contains("Monte Carlo"))
        let bad = ntk(["chart", "--kind", "depth", "--overlay", dir.appendingPathComponent("missing.json").path])
        #expect(bad.isCleanRefusal)
    }

    @Test("expand near σ² = 2: no coefficient, exit 3, one stderr line with the reason; JSON valid: false with the reason")
    func expandNearBoundary() throws {
        let text = ntk("expand --sigma2 2.000000000001 --lambda 1")
        #expect(text.code == 3 && text.stderrLines.count == 1, "\(text.code) \(text.stderr)")
        #expect(text.stderr.hasPrefix("ntk: expand: the 1/M expansion does not hold here:") && text.stderr.contains("phase boundary"))
        #expect(text.stdout.contains("does not hold here") && !text.stdout.contains("c1 ") && !text.stdout.contains("30.9"))
        let r = ntk("expand --sigma2 2.000000000001 --lambda 1 --format json")
        #expect(r.code == 3 && r.stderrLines.count == 1)
        let json = try JSONParser().parse(r.stdout)
        #expect(json["valid"] == .bool(false) && json["reason"]?.stringValue?.contains("M×") == true)
        #expect(json["F"] == nil && json["c1"] == nil && json["c1_error"] == nil && json["mean_ratio"] == nil)
        // Far from the boundary the same command holds.
        let far = try JSONParser().parse(ntk("expand --sigma2 2.00000001 --lambda 1 --order 2 --format json").stdout)
        #expect(far["valid"] == .bool(true) && far.real("c1")?.hasPrefix("-4419228524.4") == true)
    }

    @Test("table near σ² = 2 and at small M: c1/predicted cells empty, one note naming the rows; predicted never below 1")
    func tableWithheldCorrections() throws {
        let r = ntk("table --sigma2 2.000000000001,2.5,3/2 --lambda 1 --widths-grid 10,100,1000 --columns sigma2,M,c1,predicted,rel_err_predicted --format csv")
        #expect(r.code == 0 && r.stderrLines.count == 1, "\(r.stderr)")
        #expect(r.stderr.hasPrefix("ntk: note: predicted and rel_err_predicted") && r.stderr.contains("σ² = 2.000000000001, λ = 1 (every M)")
                && r.stderr.contains("σ² = 2.5, λ = 1 (M = 10)"), "\(r.stderr)")
        let rows = r.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        #expect(rows.count == 9)
        for row in rows.prefix(3) { #expect(row[2].isEmpty && row[3].isEmpty && row[4].isEmpty, "\(row)") }
        // σ² = 2.5, M = 10: F + c1/M = 76.97 − 141.3 < 0 is withheld; c1 itself stands.
        #expect(rows[3][2].hasPrefix("-1413.23") && rows[3][3].isEmpty && rows[3][4].isEmpty)
        for row in rows.dropFirst(4) where !row[3].isEmpty { #expect(Double(row[3]).map { $0 >= 1 } == true, "\(row)") }
        #expect(rows[4][3].hasPrefix("62.83"))
    }

    @Test("table --moment: a limit extrapolated from an expansion that does not hold refuses the table before its first line")
    func momentTableNearBoundary() {
        let r = ntk("table --sigma2 2.000000000001 --lambda 1 --moment 3 --model gi --widths-grid 10")
        #expect(r.isCleanRefusal && r.stderr.contains("phase boundary"), "\(r.code) \(r.stdout) \(r.stderr)")
    }

    @Test("limit --corrections near σ² = 2: c1, c2 null with the reason, one stderr note")
    func limitCorrectionsNearBoundary() throws {
        let r = ntk("limit --lambda 1 --sigma2 2.000000000001 --corrections --format json")
        #expect(r.code == 0 && r.stderrLines.count == 1 && r.stderr.hasPrefix("ntk: note: c1 and c2 left out"))
        let json = try JSONParser().parse(r.stdout)
        #expect(json["c1"] == .null && json["c2"] == .null && json["corrections_reason"]?.stringValue?.contains("phase boundary") == true)
        #expect(json.real("exact")?.hasPrefix("76.968596551") == true)
    }

    @Test("limit --corrections prints c1, c2 for n0 = M")
    func limitCorrections() throws {
        let json = try JSONParser().parse(ntk("limit --lambda 1 --sigma2 5/2 --corrections --format json").stdout)
        #expect(json.real("c1") == "-1413.2388476359556272")
        let ordered = try JSONParser().parse(ntk("limit --lambda 1 --sigma2 3/2 --corrections --format json").stdout)
        #expect(ordered.real("c1")?.hasPrefix("6.4285714285714285714") == true)  // 45/7
    }
}

@Suite("ntk moments --max-moment")
struct MaxMomentCommandTests {
    @Test("exact E[Θ³], E[Θ⁴] with their rationals; every arithmetic agrees; bad orders refused")
    func maxMoment() throws {
        let exact = try JSONParser().parse(ntk("moments --widths 3,2,2 --sigma2 2 --exact --max-moment 4 --format json").stdout)
        #expect(exact["E_theta3_exact"]?.stringValue == "30467/4" && exact["E_theta4_exact"]?.stringValue == "21200807/24")
        // From the enumerated moments alone (derivations/08): the excess kurtosis c4/v² − 3 exactly,
        // and the skewness c3/v^{3/2} = 6.343096762196366806319… (30-digit decimal arithmetic).
        let (mu, m2, m3, m4) = (BigRational(61, 12), BigRational(8809, 72), BigRational(30467, 4), BigRational(21200807, 24))
        let v = m2 - mu * mu
        let c4 = m4 - BigRational(4) * mu * m3 + BigRational(6) * mu * mu * m2 - BigRational(3) * mu.power(4)
        let excessKurtosis: BigRational = c4 / (v * v) - BigRational(3)
        #expect(exact["kurtosis_exact"]?.stringValue == excessKurtosis.fractionString)
        #expect(exact.real("skewness")?.hasPrefix("6.34309676219636680") == true)
        for mode in ["--double", "--certified", "--precision 64"] {
            let j = try JSONParser().parse(ntk("moments --widths 3,2,2 --sigma2 2 --max-moment 4 --format json " + mode).stdout)
            let shown = try #require(j.real("E_theta4"))
            #expect("883366.95833333333333".hasPrefix(String(shown.dropLast())), "\(mode): \(shown)")
        }
        #expect(ntk("moments --widths 3,2,2 --sigma2 2 --max-moment 9").isCleanRefusal)
        #expect(ntk("moments --widths 3,2,2 --sigma2 2 --max-moment 1").isCleanRefusal)
        let csv = ntk("moments --widths 3,2,2 --sigma2 2 --max-moment 3 --format csv").stdout
        #expect(csv.split(separator: "\n")[0].hasSuffix("E_theta3,normalized_moment3,skewness"))
    }
}
