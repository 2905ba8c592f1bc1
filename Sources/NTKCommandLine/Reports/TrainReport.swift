import Experiments
import MonteCarlo
import Multiprecision
import NTKOutput

/// The table, the chart and the notes of a `TrainResult`. σ² values are named the one way every
/// report names parameters (`BigRational.displayText`).
struct TrainReport {
    let result: TrainResult
    var labels: [String] { result.runs.map(\.sigma2.displayText) }

    /// One row per record of every σ²: sigma2, step, loss, ntk_rel_change, alignment, learning_rate.
    func table(_ format: TableFormat) throws -> String {
        var table = ""
        let sink = format.makeSink { table += $0 }
        try sink.begin(columns: [.number("sigma2", widthHint: 6), .number("step", widthHint: 6), .number("loss", widthHint: 12),
                                 .number("ntk_rel_change", widthHint: 14), .number("alignment", widthHint: 10),
                                 .number("learning_rate", widthHint: 13)])
        for run in result.runs {
            for record in run.records {
                try sink.row([decimalNumber(run.sigma2), "\(record.step)", Self.number(record.loss), Self.number(record.relativeKernelChange),
                              Self.number(record.alignment), Self.number(run.learningRate)])
            }
        }
        try sink.end()
        return table
    }

    /// The relative NTK change against the step, one line per σ².
    func chart() -> LineChart {
        let series = zip(labels, result.runs).map { label, run in
            ChartSeries(name: "σ² = \(label)",
                        points: run.records.map { (Double($0.step), $0.relativeKernelChange) }.filter { $0.1.isFinite })
        }
        let title = "Relative NTK change in training: width \(result.width), depth \(result.depth), \(result.inputs) inputs, \(result.optimizer.rawValue)"
        return LineChart(title: title, xLabel: "step", yLabel: "‖Θ_t − Θ_0‖_F / ‖Θ_0‖_F", series: series)
    }

    /// The lines stderr gets after the table: runs the time budget cut short, runs that diverged.
    var notes: String {
        let runs = zip(labels, result.runs)
        var out = ""
        let stopped = runs.filter { $0.1.stoppedBy == .timeBudget }.map(\.0)
        if !stopped.isEmpty {
            out += "ntk: note: --max-seconds stopped training for σ² = \(stopped.joined(separator: ", ")) before step \(result.steps); its rows stop at the last recorded step\n"
        }
        let diverged = runs.filter { $0.1.diverged }.map(\.0)
        if !diverged.isEmpty {
            out += "ntk: note: training diverged for σ² = \(diverged.joined(separator: ", ")) (loss or kernel not finite); its rows stop there\n"
        }
        return out
    }

    /// A JSON number for a double (null when not finite), as cell text: 6 significant digits.
    static func number(_ x: Double) -> String? {
        guard x.isFinite else { return nil }
        return BigFloat(x, precision: 53).formatted(significantDigits: 6).replacingOccurrences(of: "e+", with: "e")
    }
}
