import Experiments
import NTKMoments

/// Summarises an architecture in one line for text output.
func describe(_ a: Architecture, showsInputNorm2: Bool = true) -> String {
    var parts: [String] = ["n0=\(a.inputDimension)"]
    let runs = a.hiddenRuns
    if runs.isEmpty {
        parts.append("no hidden layer")
    } else if runs.count <= 6 {
        parts.append("hidden " + runs.map { $0.count == 1 ? "\($0.width)" : "\($0.width)x\($0.count)" }.joined(separator: ","))
    } else {
        parts.append("hidden widths in \(runs.count) runs")
    }
    parts.append("L=\(a.depth)")
    parts.append("σ²=\(a.sigma2.displayText)")
    if showsInputNorm2 { parts.append("‖x‖²=\(a.inputNorm2.displayText)") }
    parts.append(a.trainableBiases ? "trainable biases" : "no biases")
    return parts.joined(separator: ", ")
}

/// The compact width list n₀,… (runs as NxK), for echoing an architecture.
func compactWidths(_ a: Architecture, limit: Int = 10_000) -> String { ReportedNetwork.compactWidths(a, limit: limit) }
