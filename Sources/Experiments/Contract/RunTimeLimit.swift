import MonteCarlo

/// The limit on the estimated run time of an exact computation (`--max-seconds` of `kernel`,
/// `moments --max-moment`, `limit --max-moment` and `table --moment`). Such a computation
/// cannot stop halfway with a partial answer, so it is refused before any work when its
/// estimate exceeds the limit, and says how long it will take when that is more than a few
/// seconds — the same decision the Monte Carlo commands take with their budgets
/// (`SamplingBudget`), with the same wording.
public enum RunTimeLimit {
    /// The default limit.
    public static let defaultSeconds = 600.0
    /// The largest value any `--max-seconds` accepts: a year.
    public static let maximumSeconds = 31_536_000.0

    /// Refuses (`ExperimentError.tooExpensive`) when `estimate` exceeds `limit`; otherwise the
    /// note to print when it exceeds `SamplingBudget.noteThresholdSeconds` (nil: stay quiet).
    /// `subject` names the work; `alternatives` continues "raise --max-seconds" with the
    /// other ways out (" or lower --max-moment").
    static func note(estimate: Double, limit: Double, for subject: String, alternatives: String) throws -> String? {
        if estimate > limit {
            throw ExperimentError.tooExpensive("\(subject) would take about \(SamplingBudget.durationText(estimate)) (estimated), "
                + "more than --max-seconds \(SamplingBudget.numberText(limit)); raise --max-seconds\(alternatives)")
        }
        return estimate > SamplingBudget.noteThresholdSeconds ? "estimated \(SamplingBudget.durationText(estimate)) for \(subject)" : nil
    }
}
