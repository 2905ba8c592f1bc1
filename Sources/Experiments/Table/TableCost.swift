import NTKMoments

/// What `ntk table` decides before its first row: the limits of E[Θ^p]/E[Θ]^p (`--moment p`)
/// that have no closed form are extrapolated from the exact recursion, seconds each at p ≥ 7,
/// once per σ² and attained λ′ — a table refuses past its time limit (`RunTimeLimit`), and
/// says how long it will take when that is more than a few seconds.
public enum TableCost {
    /// Refuses (`ExperimentError.tooExpensive`) a table whose moment limits are estimated to
    /// take longer than `maximumSeconds`; otherwise the note to print when the estimate exceeds
    /// a few seconds (nil: stay quiet).
    public static func momentLimitNote(_ study: ConvergenceStudy, groups: some Sequence<ConvergenceStudy.Group>,
                                       maximumSeconds: Double) throws -> String? {
        let (count, seconds) = study.momentLimitExtrapolations(for: groups)
        guard count > 0 else { return nil }
        let p = study.momentOrder
        return try RunTimeLimit.note(
            estimate: seconds, limit: maximumSeconds,
            for: "the table's \(count) limit\(count == 1 ? "" : "s") of E[Θ^\(p)]/E[Θ]^\(p) (one per σ² and λ′ without a closed form, extrapolated from the exact recursion)",
            alternatives: ", lower --moment or use fewer --sigma2, --lambda or widths")
    }
}
