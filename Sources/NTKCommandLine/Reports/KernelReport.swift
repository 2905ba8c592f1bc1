import Experiments
import Multiprecision
import NTKMoments
import NTKOutput

/// The output of `ntk kernel` as text or CSV (JSON is the result's own encoding). Every
/// number printed is a digit string its enclosure guarantees (MPFR, certified) or one
/// labelled by double's conservative estimate.
struct KernelReport {
    let result: KernelResult

    init(_ result: KernelResult) { self.result = result }

    var certified: Bool { result.arithmetic == .certified }
    var architecture: Architecture { result.network.architecture }

    static func shown(_ f: ReportedReal) -> String { f.decimal ?? (f.lower.map { "[\($0), \(f.upper ?? "?")]" } ?? "undefined") }

    // MARK: Text

    func text() -> String {
        var out = "architecture  \(describeKernel(architecture))\n"
        out += "arithmetic    \(result.arithmeticDescription)\n"
        func columns(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in i == cells.count - 1 ? c : c.padding(toLength: max(c.count + 2, i == 0 ? 8 : 26), withPad: " ", startingAt: 0) }
                .joined() + "\n"
        }
        if let inputs = result.inputs, let ntk = result.ntk, let nngp = result.nngp, let normalized = result.ntkNormalized {
            out += "inputs        \(inputs) vectors of dimension \(architecture.inputDimension)\n"
            for (title, matrix) in [("Θ*(x_i, x_j)", ntk), ("Σ*(x_i, x_j)", nngp),
                                    ("Θ*(x_i, x_j)/√(Θ*(x_i, x_i)Θ*(x_j, x_j))", normalized)] {
                out += "\(title):\n"
                for row in matrix.rows { out += row.map(Self.shown).joined(separator: "\t") + "\n" }
            }
            if certified { out += "(the enclosures' bounds are in --format json)\n" }
        } else if let pairs = result.pairs, let first = pairs.first {
            if first.correlation == nil, let q1 = first.q1, let q2 = first.q2, let c = first.c {
                out += "Gram          ‖x‖² = \(q1.decimalText), ‖x′‖² = \(q2.decimalText), ⟨x, x′⟩ = \(c.decimalText)\n"
                for (name, f) in [("Θ*(x, x′)", first.ntk), ("Σ*(x, x′)", first.nngp), ("normalized", first.ntkNormalized),
                                  ("Θ*(x, x)", first.ntkDiagonal1), ("Θ*(x′, x′)", first.ntkDiagonal2)] {
                    out += name.padding(toLength: 14, withPad: " ", startingAt: 0) + (certified ? f.display : Self.shown(f)) + "\n"
                }
            } else {
                out += "Θ*(x, x)      \(Self.shown(first.ntkDiagonal1))   (both inputs with ‖x‖² = \(architecture.inputNorm2.displayText))\n"
                var header = ["ρ", "Θ*(x,x′)", "Σ*(x,x′)", "Θ*(x,x′)/Θ*(x,x)"]
                if certified { header += ["Θ* lower", "Θ* upper"] }
                out += columns(header)
                for v in pairs {
                    var cells = [v.correlation?.decimalText ?? "", Self.shown(v.ntk), Self.shown(v.nngp), Self.shown(v.ntkNormalized)]
                    if certified { cells += [v.ntk.lower ?? "", v.ntk.upper ?? ""] }
                    out += columns(cells)
                }
            }
        }
        return out
    }

    // MARK: CSV

    func csv() -> String {
        var header: [String], lines: [[String]] = []
        let bounds = certified ? ["ntk_lower", "ntk_upper"] : []
        func values(_ ntk: ReportedReal, _ nngp: ReportedReal, _ normalized: ReportedReal) -> [String] {
            [ntk.decimal ?? "", nngp.decimal ?? "", normalized.decimal ?? ""] + (certified ? [ntk.lower ?? "", ntk.upper ?? ""] : [])
        }
        if let ntk = result.ntk, let nngp = result.nngp, let normalized = result.ntkNormalized {
            header = ["i", "j", "ntk", "nngp", "ntk_normalized"] + bounds
            for i in ntk.rows.indices {
                for j in ntk.rows[i].indices {
                    lines.append(["\(i + 1)", "\(j + 1)"] + values(ntk.rows[i][j], nngp.rows[i][j], normalized.rows[i][j]))
                }
            }
        } else if let pairs = result.pairs, let first = pairs.first, first.correlation == nil {
            header = ["q1", "q2", "c", "ntk", "nngp", "ntk_normalized"] + bounds
            lines.append([first.q1?.csvNumber ?? "", first.q2?.csvNumber ?? "", first.c?.csvNumber ?? ""]
                         + values(first.ntk, first.nngp, first.ntkNormalized))
        } else {
            header = ["correlation", "ntk", "nngp", "ntk_normalized"] + bounds + ["ntk_diagonal"]
            for v in result.pairs ?? [] {
                lines.append([v.correlation?.csvNumber ?? ""] + values(v.ntk, v.nngp, v.ntkNormalized) + [v.ntkDiagonal1.decimal ?? ""])
            }
        }
        return ([header] + lines).map { $0.map(CSVTableSink.field).joined(separator: ",") + "\n" }.joined()
    }
}

extension ReportedReal {
    /// An exact input echoed in text, the one way parameters are shown (`BigRational.displayText`).
    var decimalText: String {
        if let exact, let r = BigRational(exact) { return r.displayText }
        return decimal ?? ""
    }

    /// An exact input as a number any CSV reader parses (17 digits when it does not terminate).
    var csvNumber: String {
        if let exact, let r = BigRational(exact) { return decimalNumber(r) }
        return decimal ?? ""
    }
}

/// The architecture line of `ntk kernel`: as `describe`, without ‖x‖² (the inputs say it).
func describeKernel(_ a: Architecture) -> String {
    describe(a, showsInputNorm2: false)
}
