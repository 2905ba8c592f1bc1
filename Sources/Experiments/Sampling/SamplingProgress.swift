import Foundation

/// The progress line of a Monte Carlo run, as every front end shows it: done of total, the
/// rate and the time left once some samples are complete; before that, the time the first
/// ones have been running (one wide or deep network can take minutes, and the samplers report
/// every half second, so the line keeps moving).
struct SamplingProgress: Sendable {
    /// What runs, e.g. "ntk validate" or "ntk offdiag: depth 49".
    var label: String
    var total: Int
    /// "samples" or "networks".
    var unit = "samples"
    let start = Date()

    /// One report of `done` completed samples.
    func report(_ done: Int) -> ExperimentContext.Progress {
        let elapsed = max(Date().timeIntervalSince(start), 1e-9)
        let head = "\(label): \(done)/\(total) \(unit)"
        guard done > 0 else {
            return .init("\(head), \(Int(elapsed)) s so far (the first \(unit) are still running)", done: done, total: total)
        }
        let rate = Double(done) / elapsed
        let rateText = rate >= 10 ? "\(Int(rate))/s" : String(format: "%.2g/s", rate)
        // Bounded so that the conversion to Int cannot trap, whatever the rate.
        let left = min(Double(total - done) / rate, 1e9)
        return .init("\(head), \(rateText), \(Int(left)) s left", done: done, total: total)
    }
}
