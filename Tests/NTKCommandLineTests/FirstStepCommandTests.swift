import Testing
import Foundation
import NTKOutput
@testable import NTKCommandLine

@Suite("--first-step in moments, symbolic, limit, table and expand")
struct FirstStepCommandTests {
    @Test("moments --first-step: exact JSON carries E[fQ] = 440/9 (derivations/11) and its normalizations")
    func exactJSON() throws {
        let r = ntk("moments --widths 3,2,2 --sigma2 2 --exact --first-step --format json")
        #expect(r.code == 0 && r.stderr.isEmpty)
        let json = try JSONParser().parse(r.stdout)
        #expect(json["E_fQ_exact"]?.stringValue == "440/9")
        #expect(json["mean_change_per_rate_exact"]?.stringValue == "-440/9")
        #expect(json["fQ_over_theta_exact"]?.stringValue == "1760/183")      // (440/9)/(61/12)
        #expect(json["fQ_over_theta2_exact"]?.stringValue == "7040/3721")    // (440/9)/(61/12)²
        #expect(json.real("E_fQ") == "48.888888888888888889")
    }

    @Test("moments --first-step in every arithmetic: MPFR, Double and certified bracket or match 1660/9")
    func arithmetics() throws {
        let base = "moments --widths 6x5 --sigma2 2 --first-step --format json"
        let exact = try JSONParser().parse(ntk(base + " --exact").stdout)
        #expect(exact["E_fQ_exact"]?.stringValue == "1660/9")
        let mpfr = try JSONParser().parse(ntk(base + " --precision 256 --digits 30").stdout)
        #expect(mpfr.real("E_fQ") == "184.444444444444444444444444444")
        let double = try JSONParser().parse(ntk(base + " --double").stdout)
        let shown = try #require(double.real("E_fQ"))
        #expect(shown.count >= 12 && "184.44444444444444444".hasPrefix(shown), "\(shown)")  // only guaranteed digits
        for mode in [" --certified", " --double", ""] {
            let j = try JSONParser().parse(ntk(base + mode).stdout)
            let lower = try #require(Double(j.real("E_fQ_lower") ?? ""))
            let upper = try #require(Double(j.real("E_fQ_upper") ?? ""))
            #expect(lower <= 1660.0 / 9 && 1660.0 / 9 <= upper, "\(mode)")
        }
        let text = ntk("moments --widths 3,2,2 --sigma2 2 --first-step --exact").stdout
        #expect(text.contains("E[fQ]         48.888888888888888889   = 440/9"))
        #expect(text.contains("E[fQ]/E[Θ]²   1.8919645256651437786   = 7040/3721"))
    }

    @Test("symbolic --first-step evaluates to the golden values at σ² = 3/2, 2, 5/2")
    func symbolic() throws {
        let r = ntk("symbolic --widths 3,2,2 --first-step")
        #expect(r.code == 0)
        #expect(r.stdout.contains("E[fQ] = (59/36)·x^2·s^4 + (5/4)·x·s^4 + (1/3)·x·s^3"))
        // At x = 1: (59/36 + 5/4)s⁴ + s³/3 = (26/9)s⁴ + s³/3: s = 2 → 416/9 + 8/3 = 440/9.
        // coefficients[i][j] multiplies xⁱsʲ. An exact six-state recursion written from derivations/11
        // in Python fractions (outside this repository) gives, at widths 3,2,2: weights only (β = 0)
        // E[fQ] = (59/36)x²s⁴ (236/9 at s = 2, x = 1), and the bias part E[fQ](β = 1) − E[fQ](β = 0) at x = 1
        // equals 19/12, 68/3, 441/4 at s = 1, 2, 3, i.e. (5/4)s⁴ + (1/3)s³.
        let json = try JSONParser().parse(ntk("symbolic --widths 3,2,2 --first-step --format json").stdout)
        let coefficients = try #require(json["E_fQ"]?["coefficients"]?.arrayValue)
        func coefficient(x i: Int, s j: Int) -> String? { coefficients.count > i ? coefficients[i].arrayValue?.dropFirst(j).first?.stringValue : nil }
        #expect(coefficient(x: 2, s: 4) == "59/36" && coefficient(x: 1, s: 4) == "5/4" && coefficient(x: 1, s: 3) == "1/3")
        #expect(json["E_fQ"]?["degree_s"]?.numberText == "4" && json["E_fQ"]?["degree_x"]?.numberText == "2")
    }

    @Test("limit --first-step: the three phases")
    func limit() throws {
        // Edge of chaos, α₀ = 1: (G_w + G_b)/4 at λ = 1/2, with G_w, G_b derived in derivations/11 from the
        // six-state generator; mpmath (50 digits, outside this repository) gives 1.72391535133502163446282…,
        // which the tool prints to 20 significant digits.
        let edge = try JSONParser().parse(ntk("limit --lambda 1/2 --sigma2 2 --first-step --format json").stdout)
        #expect(edge.real("fQ_over_theta2_limit") == "1.7239153513350216345")
        // The closed forms of derivations/11 (first-step section), evaluated here in Double:
        // G_w = ((18λ² − 6λ + 1)e^{5λ} − e^{−λ})/(27λ²), G_b = 2((30λ − 11)e^{5λ} + 36 − 25e^{−λ})/(225λ²).
        let l = 0.5
        let gw = ((18 * l * l - 6 * l + 1) * Foundation.exp(5 * l) - Foundation.exp(-l)) / (27 * l * l)
        let gb = 2 * ((30 * l - 11) * Foundation.exp(5 * l) + 36 - 25 * Foundation.exp(-l)) / (225 * l * l)
        let printed = try #require(edge.real("fQ_over_theta2_limit").flatMap(Double.init))
        #expect(abs(printed / ((gw + gb) / 4) - 1) < 1e-14)
        #expect(abs((edge.real("G_w").flatMap(Double.init) ?? 0) / gw - 1) < 1e-14)
        let chaotic = try JSONParser().parse(ntk("limit --lambda 1/2 --sigma2 3 --first-step --format json").stdout)
        #expect(chaotic.real("fQ_over_theta2_limit") == chaotic.real("G_w"))
        let ordered = ntk("limit --lambda 1/2 --sigma2 1 --first-step")
        #expect(ordered.stdout.contains("decays like"))
        let weights = try JSONParser().parse(ntk("limit --lambda 1/2 --sigma2 1 --first-step --no-bias --format json").stdout)
        #expect(weights.real("fQ_over_theta2_limit") == chaotic.real("G_w"))
    }

    @Test("table --first-step converges to the limit at 1/M; expand --first-step reads F off to the closed form")
    func tableAndExpand() throws {
        let r = ntk("table --first-step --sigma2 2 --lambda 1/2 --widths-grid 1000,10000 --columns M,ratio,limit_exact,rel_err_exact --format csv --digits 6")
        #expect(r.code == 0)
        // An independent six-state recursion in mpmath (derivations/11, L = M/2, exact mean of derivations/03)
        // gives E[fQ]/E[Θ]² = 1.7220358243015839… at M = 10⁴, relative error −0.0010902664… against the limit.
        #expect(r.stdout.contains("10000,1.72204,1.72392,-0.00109027"))
        let e = try JSONParser().parse(ntk("expand --sigma2 2 --lambda 1/2 --first-step --order 1 --digits 12 --format json").stdout)
        #expect(e["fQ_over_theta2"]?.real("F") == "1.72391535134")
        #expect(e.real("fQ_over_theta2_limit_closed_form") == "1.72391535134")
        // c1 from the same independent mpmath recursion: E[fQ]/E[Θ]² at M = 2¹²…2²³ (and again 2¹³…2²⁴),
        // polynomial fit in 1/M through the 12 points: c0 = 1.723915351335021634462823 (the closed form to 25
        // digits) and c1 = −18.81038573415363985637677 in both windows.
        let c1 = try #require(Double(e["fQ_over_theta2"]?.real("c1") ?? ""))
        #expect(abs(c1 - -18.81038573415363985637677) < 1e-10)
    }

    @Test("--first-step with the GI model or with --moment is refused with one line")
    func refusals() {
        #expect(ntk("moments --widths 3,2,2 --sigma2 2 --first-step --model gi").isCleanRefusal)
        #expect(ntk("symbolic --widths 3,2,2 --first-step --model gi").isCleanRefusal)
        #expect(ntk("table --first-step --moment 3").isCleanRefusal)
        #expect(ntk("expand --sigma2 2 --lambda 1 --first-step --model gi").isCleanRefusal)
    }
}
