import MonteCarlo

/// Before a Monte Carlo run starts: the library's estimate and decision (`SamplingBudget.check`),
/// printed — a one-line note on stderr when the run should take more than a few seconds, or a
/// refusal (exit 2) when one sample would not fit in the time budget or the run not in memory.
func checkSamplingBudget(_ cost: SamplingCost, samples: Int, maxSeconds: Double, io: CommandIO,
                         what: String = "sample", reduce: String = "a smaller width or depth") throws {
    do {
        if let note = try SamplingBudget.check(cost, samples: samples, maxSeconds: maxSeconds, what: what, reduce: reduce) {
            io.writeError("ntk: note: \(note)\n")
        }
    } catch let refusal as SamplingBudgetRefusal {
        throw UsageError(refusal.description)
    }
}
