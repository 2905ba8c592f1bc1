import Experiments
import Foundation
import MonteCarlo
import Multiprecision
import NTKOutput

/// `ntk offdiag` output in text, CSV or JSON, shared by `run` and `merge`: formatting of an
/// `OffDiagResult`, nothing computed here.
struct OffDiagReport {
    let result: OffDiagResult
    /// Worker threads of a run (nil for merged shards), named in the text header.
    let threads: Int?

    static let columns: [TableColumn] = [
        .number("depth"), .number("rho"), .number("samples"), .number("E_theta_xy"), .number("E_theta_xy_se"), .number("E_theta_xy2"),
        .number("E_theta_xy2_se"), .number("ratio"), .number("ratio_se"), .number("inf_width_ratio"), .number("dispersion"),
        .number("dispersion_se"), .number("corr_xx"),
        .number("bound_abs_E_theta_xy"), .number("bound_E_theta_xy2"),
    ]

    func rows(csv: Bool) -> [[String?]] {
        let f: (Double, Int) -> String? = { x, digits in x.isFinite ? (csv ? "\(x)" : estimateText(x, digits)) : nil }
        return result.rows.map { r in
            ["\(r.depth)", csv ? "\(r.correlation)" : shortestDecimal(r.correlation), "\(r.samples)", f(r.meanXY.mean, 6),
             f(r.meanXY.standardError, 2), f(r.secondMomentXY.mean, 6), f(r.secondMomentXY.standardError, 2), f(r.ratio.mean, 6),
             f(r.ratio.standardError, 2), r.infiniteWidthRatio.flatMap { f($0, 6) }, f(r.dispersion.mean, 5), f(r.dispersion.standardError, 2),
             f(r.correlationWithDiagonal, 4), f(r.boundAbsMeanXY, 8), f(r.boundSecondMomentXY, 8)]
        }
    }

    func table(_ format: TableFormat) throws -> String {
        var out = ""
        let sink = format.makeSink { out += $0 }
        try sink.begin(columns: Self.columns)
        for row in rows(csv: format == .csv) { try sink.row(row) }
        try sink.end()
        return out
    }

    /// One z-test against the exact diagonal, with its verdict in words.
    func verdictText(_ t: MomentZTestRecord) -> String {
        let zMax = result.zMax
        let verdict: String
        switch t.verdict {
        case .pass: verdict = "PASS (|z| ≤ \(estimateText(zMax, 3)))"
        case .fail: verdict = "FAIL (|z| > \(estimateText(zMax, 3)))"
        case .inconclusive: verdict = "INCONCLUSIVE (\(t.inconclusiveReason ?? "no verdict"))"
        }
        return "E[Θ] \(estimateText(t.mean)) ± \(estimateText(t.standardErrorOfMean, 2)) vs exact \(estimateText(t.referenceMean, 8)) (z \(zScoreText(t.zMean))), "
            + "E[Θ²] \(estimateText(t.secondMoment)) ± \(estimateText(t.standardErrorOfSecondMoment, 2)) vs exact \(estimateText(t.referenceSecondMoment, 8)) (z \(zScoreText(t.zSecondMoment))): \(verdict)"
    }

    func text() throws -> String {
        let architecture = result.network, depths = result.depths, seeds = result.seeds
        var out = runHeader(architecture, samples: depths.map { "\($0.samples)" }.joined(separator: ","),
                            stop: "per depth, stopped by \(Set(depths.map(\.stoppedBy)).sorted().joined(separator: " / "))",
                            seconds: result.seconds, threads: threads, seeds: seeds)
        out += "inputs        ‖x‖² = ‖x′‖² = \(architecture.inputNorm2.displayText), ⟨x, x′⟩ = ρ‖x‖²; simulated explicit networks, Monte Carlo estimates and standard errors (se)\n"
        out += "columns       ratio = E[Θ(x,x′)]/E[Θ(x,x)] (paired); inf_width_ratio = Θ*(x,x′)/Θ*(x,x); corr_xx = correlation of Θ(x,x′) with Θ(x,x);\n"
        out += "              bounds |E[Θ(x,x′)]| ≤ E[Θ(x,x)], E[Θ(x,x′)²] ≤ E[Θ(x,x)²] from the exact diagonal moments (certified, rounded up)\n"
        // The rows are grouped by depth, one per correlation.
        let perDepth = result.correlations.count
        for (i, d) in depths.enumerated() {
            out += "depth \(d.depth)".padding(toLength: 14, withPad: " ", startingAt: 0) + "Θ(x,x): " + verdictText(d.diagonalCheck) + "\n"
            for r in result.rows[(i * perDepth)..<min(result.rows.count, (i + 1) * perDepth)] {
                if let t = r.exactCheck { out += "              ρ = 1: Θ(x,x′): " + verdictText(t) + "\n" }
            }
        }
        if result.lacksInfiniteWidthValues {
            out += "note          the infinite-width kernel is outside the double range here: inf_width_ratio is left out where it shows -\n"
        }
        return out + "\n" + (try table(.text))
    }

    func emit(_ io: CommandIO, format: ReportOrCSVFormat) throws {
        switch format {
        case .json: io.writeJSON(try JSONValueEncoder().encode(result))
        case .csv: io.write(try table(.csv))
        case .text: io.write(try text())
        }
    }
}
