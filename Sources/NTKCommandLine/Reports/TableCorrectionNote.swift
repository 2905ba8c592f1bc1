import Multiprecision

/// One stderr line naming the rows whose predicted and rel_err_predicted cells (and c1, when
/// the expansion fails for the whole group) were left empty and why (the expansion's own verdict, `ExpansionValidity`), else "".
func correctionNote(_ notes: [(sigma2: BigRational, lambda: BigRational, width: Int, note: String)], widthCount: Int) -> String {
    guard !notes.isEmpty else { return "" }
    // Rows of one (σ², λ) with the same reason are named together.
    var byReason: [(sigma2: BigRational, lambda: BigRational, widths: [Int], note: String)] = []
    for n in notes {
        if let i = byReason.firstIndex(where: { $0.sigma2 == n.sigma2 && $0.lambda == n.lambda && $0.note == n.note }) {
            byReason[i].widths.append(n.width)
        } else {
            byReason.append((n.sigma2, n.lambda, [n.width], n.note))
        }
    }
    let shown = byReason.prefix(3).map { g -> String in
        let rows = g.widths.count == widthCount ? "every M" : "M = " + g.widths.prefix(6).map(String.init).joined(separator: ", ") + (g.widths.count > 6 ? ", …" : "")
        return "σ² = \(g.sigma2.displayText), λ = \(g.lambda.displayText) (\(rows)): \(g.note)"
    }
    let more = byReason.count > 3 ? "; and \(byReason.count - 3) more (σ², λ) groups" : ""
    return "ntk: note: predicted and rel_err_predicted (and c1 where the expansion fails for the whole (σ², λ)) left empty where the 1/M expansion does not hold — \(shown.joined(separator: "; "))\(more)\n"
}
