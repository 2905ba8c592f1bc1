import MonteCarlo

extension MonteCarloStopReason {
    /// How reports and documents name the budget that ended a run.
    public var label: String { self == .sampleBudget ? "sample budget" : "time budget" }

    /// The reason a label names; nil for any other text.
    public init?(label: String) {
        switch label {
        case "sample budget": self = .sampleBudget
        case "time budget": self = .timeBudget
        default: return nil
        }
    }
}
