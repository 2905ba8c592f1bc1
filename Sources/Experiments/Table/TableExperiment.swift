import NTKMoments

extension TableRequest {
    /// Checks the request, prepares every limit of E[Θ^p]/E[Θ]^p it compares with (so that a
    /// limit that cannot be had refuses the table before its first row), then computes the
    /// rows group by group and hands each (σ², λ) group's rows to `body` as soon as they are
    /// done — a front end can print a long table while it is computed.
    /// - Throws: `ExperimentError` for an invalid, too expensive or cancelled request (before
    ///   any row when the request is refused); whatever `body` throws.
    public func run(_ context: ExperimentContext, eachGroup body: ([TableResult.Row]) throws -> Void) throws {
        try check()
        _ = try costNote()
        var study = study
        let groups = groups
        do {
            try study.prepareMomentLimits(for: groups) { done, total in
                context.report(.init("limit \(done + 1)/\(total) of E[Θ^\(moment)]/E[Θ]^\(moment) (extrapolated)", done: done, total: total))
            }
        } catch let error as LimitDomainError {
            throw ExperimentError.invalidRequest("--moment \(moment): \(error.description)")
        }
        for (done, group) in groups.enumerated() {
            try context.checkCancellation()
            context.report(.init("\(done)/\(groups.count) (σ², λ) groups", done: done, total: groups.count))
            try body(try study.rows(for: group).map { TableResult.Row($0, digits: digits) })
        }
    }

    /// The whole table.
    public func run(_ context: ExperimentContext) throws -> TableResult {
        var rows: [TableResult.Row] = []
        try run(context) { rows += $0 }
        return TableResult(request: self, rows: rows)
    }
}
