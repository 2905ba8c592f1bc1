import MonteCarlo
import NTKMoments

/// What `ntk table` decides before its first row: the limits of E[Θ^p]/E[Θ]^p (`--moment p`)
/// that have no closed form are extrapolated from the exact recursion, seconds each at p ≥ 7,
/// once per σ² and attained λ′ — a table refuses past its time limit, and says how long it
/// will take when that is more than a few seconds.
public enum TableCost {
    /// The default of `--max-seconds`.
    public static let defaultMaximumSeconds = 600.0
    /// The largest `--max-seconds` accepted (a year).
    public static let maximumSecondsLimit = 31_536_000.0

    /// Refuses (`ExperimentError.tooExpensive`) a table whose moment limits are estimated to
    /// take longer than `maximumSeconds`; otherwise the note to print when the estimate exceeds
    /// a few seconds (nil: stay quiet).
    public static func momentLimitNote(_ study: ConvergenceStudy, groups: some Sequence<ConvergenceStudy.Group>,
                                       maximumSeconds: Double) throws -> String? {
        let (count, seconds) = study.momentLimitExtrapolations(for: groups)
        guard count > 0 else { return nil }
        let p = study.momentOrder
        let what = "\(count) limit\(count == 1 ? "" : "s") of E[Θ^\(p)]/E[Θ]^\(p) (one per σ² and λ′ without a closed form), extrapolated from the exact recursion"
        if seconds > maximumSeconds {
            throw ExperimentError.tooExpensive("the table needs \(what): about \(SamplingBudget.durationText(seconds)) (estimated), more than --max-seconds \(SamplingBudget.numberText(maximumSeconds)); raise --max-seconds, lower --moment or use fewer --sigma2, --lambda or widths")
        }
        return seconds > SamplingBudget.noteThresholdSeconds ? "estimated \(SamplingBudget.durationText(seconds)) for \(what)" : nil
    }
}
