import Experiments
import NTKMoments
import NTKOutput

/// Text and CSV renderings of a `MomentsResult` (its JSON is the result's own encoding).
struct MomentsReport {
    let result: MomentsResult

    init(_ result: MomentsResult) { self.result = result }

    /// (label, CSV column, value) of the five diagonal quantities.
    var mainRows: [(String, String, ReportedReal)] {
        [("E[Θ]", "E_theta", result.mean), ("E[Θ²]", "E_theta2", result.secondMoment), ("Var[Θ]", "variance", result.variance),
         ("E[Θ²]/E[Θ]²", "ratio", result.ratio), ("P(dead)", "p_dead", result.probabilityDead)]
    }

    /// (label, CSV column, value) of the higher moments and the first step, in output order.
    var extraRows: [(String, String, ReportedReal)] {
        let superscripts = ["", "", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸"]
        var rows: [(String, String, ReportedReal)] = []
        for (i, m) in (result.higherMoments ?? []).enumerated() { rows.append(("E[Θ\(superscripts[i + 3])]", "E_theta\(i + 3)", m)) }
        for (i, m) in (result.normalizedMoments ?? []).enumerated() {
            rows.append(("E[Θ\(superscripts[i + 3])]/E[Θ]\(superscripts[i + 3])", "normalized_moment\(i + 3)", m))
        }
        if let s = result.skewness { rows.append(("skewness", "skewness", s)) }
        if let k = result.kurtosis { rows.append(("ex. kurtosis", "kurtosis", k)) }
        if let f = result.fQ { rows.append(("E[fQ]", "E_fQ", f)) }
        if let f = result.meanChangePerRate { rows.append(("−E[fQ]", "mean_change_per_rate", f)) }
        if let f = result.fQOverTheta { rows.append(("E[fQ]/E[Θ]", "fQ_over_theta", f)) }
        if let f = result.fQOverTheta2 { rows.append(("E[fQ]/E[Θ]²", "fQ_over_theta2", f)) }
        return rows
    }

    func text() -> String {
        let digits = result.digitsRequested
        let exact = result.arithmetic == .exact
        func line(_ label: String, _ value: ReportedReal, certifiedNote: Bool) -> String {
            var line = label.padding(toLength: 14, withPad: " ", startingAt: 0) + value.display
            if let shown = value.guaranteedDigits, shown > 0, shown < digits, !exact, certifiedNote || !value.isCertified {
                line += "   (\(shown) digit\(shown == 1 ? "" : "s") guaranteed)"
            }
            return line + "\n"
        }
        var out = "architecture  \(describe(result.network.architecture))\n"
        out += "model         \(result.model == .exact ? "exact" : "gradient independence (approximation)")\n"
        out += "arithmetic    \(result.arithmeticDescription); at most \(digits) significant digits shown, \(result.guarantee)\n"
        for (label, _, value) in mainRows { out += line(label, value, certifiedNote: true) }
        for (label, _, value) in extraRows { out += line(label, value, certifiedNote: false) }
        if let contributions = result.layerContributions?.entries {
            out += "contributions to E[Θ] by layer l = 1 … L:\n"
            for (i, c) in contributions.enumerated() { out += "  \(i + 1)\t\(c.display)\n" }
        }
        if result.fQ != nil {
            out += "−E[fQ] is the smooth first-order mean change E[ΔΘ]/η of one gradient step on ½(f − y)² (any y; fixed activation patterns, the ReLU kink term not included)\n"
        }
        return out
    }

    func csv() -> String {
        let a = result.network.architecture
        var header = ["widths", "depth", "sigma2", "sigma2_exact", "input_norm2", "input_norm2_exact", "biases", "model", "arithmetic"]
        var values = [compactWidths(a), "\(a.depth)", decimalNumber(a.sigma2), a.sigma2.fractionString,
                      decimalNumber(a.inputNorm2), a.inputNorm2.fractionString,
                      a.trainableBiases ? "true" : "false", result.model.rawValue, result.arithmetic.rawValue]
        for (_, key, value) in mainRows + extraRows {
            header.append(key)
            values.append(value.decimal ?? "")
        }
        return [header, values].map { $0.map(CSVTableSink.field).joined(separator: ",") + "\n" }.joined()
    }
}
