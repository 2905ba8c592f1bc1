import MonteCarlo

extension SamplingBudget {
    /// `check` for an experiment: the note to pass on (nil: stay quiet), or the refusal as
    /// `ExperimentError.tooExpensive`.
    static func note(_ cost: SamplingCost, samples: Int, maxSeconds: Double, what: String = "sample", reduce: String) throws -> String? {
        do {
            return try check(cost, samples: samples, maxSeconds: maxSeconds, what: what, reduce: reduce)
        } catch let refusal as SamplingBudgetRefusal {
            throw ExperimentError.tooExpensive(refusal.description)
        }
    }
}
