import Multiprecision
import NTKMoments

extension ConvergenceStudy {
    /// One line saying which requested λ cannot be met (λM not an integer) and where the reader
    /// sees the λ′ = L/M used instead, e.g. "λ = 0.1 at M = 15: those rows use …"; nil when every
    /// λM is an integer. `shown` says where λ′ appears (the table's lambda column, a chart's
    /// points); `emptiedColumns` adds what that empties.
    public func unattainableLambdaNote(where shown: String = "rows use L = round(λM) and λ′ = L/M (shown in the lambda column)",
                                       emptiedColumns: String? = nil) -> String? {
        let misses = unattainableLambdas
        guard !misses.isEmpty else { return nil }
        var byLambda: [(BigRational, [Int])] = []
        for (l, m) in misses {
            if let i = byLambda.firstIndex(where: { $0.0 == l }) { byLambda[i].1.append(m) } else { byLambda.append((l, [m])) }
        }
        let listed = byLambda.prefix(4).map { l, widths in
            "λ = \(l.displayText) at M = \(widths.prefix(6).map(String.init).joined(separator: ", "))\(widths.count > 6 ? ", …" : "")"
        }
        return "λ·M is not an integer for \(listed.joined(separator: "; "))\(byLambda.count > 4 ? "; …" : ""): those \(shown), compared with the limits at λ′"
            + (emptiedColumns.map { "; \($0)" } ?? "")
    }
}
