import Multiprecision
import NTKMoments
import NTKOutput

/// The output of `ntk kernel` as text, JSON or CSV. Every number printed is a digit string its
/// enclosure guarantees (MPFR, certified) or one labelled by Double's conservative estimate.
struct KernelReport {
    let architecture: Architecture
    let job: KernelJob
    let rows: [[FormattedKernelValues]]
    let arithmetic: KernelArithmeticChoice
    let precision: Int?
    let label: String
    let digits: Int

    var certified: Bool { arithmetic == .certified }

    static func shown(_ f: FormattedValue) -> String { f.decimal ?? (f.lower.map { "[\($0), \(f.upper ?? "?")]" } ?? "undefined") }

    static func number(_ s: String?) -> JSONValue { s.map { .number($0.replacingOccurrences(of: "e+", with: "e")) } ?? .null }

    // MARK: Text

    func text() -> String {
        var out = "architecture  \(describeKernel(architecture))\n"
        out += "arithmetic    \(label)\n"
        func columns(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in i == cells.count - 1 ? c : c.padding(toLength: max(c.count + 2, i == 0 ? 8 : 26), withPad: " ", startingAt: 0) }
                .joined() + "\n"
        }
        switch job.kind {
        case .correlations(let rhos, let q):
            if let first = rows.first?.first {
                out += "Θ*(x, x)      \(Self.shown(first.diagonal1))   (both inputs with ‖x‖² = \(exactDecimal(q)))\n"
            }
            var header = ["ρ", "Θ*(x,x′)", "Σ*(x,x′)", "Θ*(x,x′)/Θ*(x,x)"]
            if certified { header += ["Θ* lower", "Θ* upper"] }
            out += columns(header)
            for (rho, row) in zip(rhos, rows) {
                let v = row[0]
                var cells = [exactDecimal(rho.value), Self.shown(v.ntk), Self.shown(v.nngp), Self.shown(v.normalized)]
                if certified { cells += [v.ntk.lower ?? "", v.ntk.upper ?? ""] }
                out += columns(cells)
            }
        case .gram(let q1, let q2, let c):
            let v = rows[0][0]
            out += "Gram          ‖x‖² = \(exactDecimal(q1)), ‖x′‖² = \(exactDecimal(q2)), ⟨x, x′⟩ = \(exactDecimal(c))\n"
            for (name, f) in [("Θ*(x, x′)", v.ntk), ("Σ*(x, x′)", v.nngp), ("normalized", v.normalized), ("Θ*(x, x)", v.diagonal1), ("Θ*(x′, x′)", v.diagonal2)] {
                out += name.padding(toLength: 14, withPad: " ", startingAt: 0) + (certified ? f.display : Self.shown(f)) + "\n"
            }
        case .vectors(let vectors):
            out += "inputs        \(vectors.count) vectors of dimension \(architecture.inputDimension)\n"
            for (title, path) in [("Θ*(x_i, x_j)", \FormattedKernelValues.ntk), ("Σ*(x_i, x_j)", \.nngp),
                                  ("Θ*(x_i, x_j)/√(Θ*(x_i, x_i)Θ*(x_j, x_j))", \.normalized)] {
                out += "\(title):\n"
                for row in rows { out += row.map { Self.shown($0[keyPath: path]) }.joined(separator: "\t") + "\n" }
            }
            if certified { out += "(the enclosures' bounds are in --format json)\n" }
        }
        return out
    }

    // MARK: JSON

    func valueMembers(_ v: FormattedKernelValues) -> [(key: String, value: JSONValue)] {
        var m: [(key: String, value: JSONValue)] = [("ntk", Self.number(v.ntk.decimal)), ("nngp", Self.number(v.nngp.decimal)),
                                                     ("ntk_normalized", Self.number(v.normalized.decimal)),
                                                     ("ntk_digits", .number("\(v.ntk.shownDigits ?? 0)"))]
        if certified {
            for (key, f) in [("ntk", v.ntk), ("nngp", v.nngp), ("ntk_normalized", v.normalized)] {
                m.append((key + "_lower", Self.number(f.lower)))
                m.append((key + "_upper", Self.number(f.upper)))
            }
        }
        return m
    }

    func json() -> JSONValue {
        var members = architectureMembers(architecture, inputDimension: true) + [
            ("arithmetic", .string(arithmetic.rawValue)),
            ("arithmetic_description", .string(label)),
            ("digits_requested", .number("\(digits)")),
        ]
        if let precision { members.append(("precision_bits", .number("\(precision)"))) }
        switch job.kind {
        case .correlations(let rhos, _):
            members.append(("results", .array(zip(rhos, rows).map { rho, row in
                .object([("correlation", .number(decimalNumber(rho.value))), ("correlation_exact", .string(rho.value.fractionString))]
                        + valueMembers(row[0]) + [("ntk_diagonal", Self.number(row[0].diagonal1.decimal))])
            })))
        case .gram(let q1, let q2, let c):
            let v = rows[0][0]
            members.append(("results", .array([.object([("q1", .number(decimalNumber(q1))), ("q2", .number(decimalNumber(q2))),
                                                        ("c", .number(decimalNumber(c)))] + valueMembers(v)
                                                       + [("ntk_diagonal1", Self.number(v.diagonal1.decimal)),
                                                          ("ntk_diagonal2", Self.number(v.diagonal2.decimal))])])))
        case .vectors(let vectors):
            members.append(("inputs", .number("\(vectors.count)")))
            func matrix(_ pick: (FormattedKernelValues) -> String?) -> JSONValue {
                .array(rows.map { .array($0.map { Self.number(pick($0)) }) })
            }
            members.append(("ntk", matrix { $0.ntk.decimal }))
            members.append(("nngp", matrix { $0.nngp.decimal }))
            members.append(("ntk_normalized", matrix { $0.normalized.decimal }))
            if certified {
                members.append(("ntk_lower", matrix { $0.ntk.lower }))
                members.append(("ntk_upper", matrix { $0.ntk.upper }))
            }
        }
        return .object(members)
    }

    // MARK: CSV

    func csv() -> String {
        var header: [String], lines: [[String]] = []
        let bounds = certified ? ["ntk_lower", "ntk_upper"] : []
        func values(_ v: FormattedKernelValues) -> [String] {
            [v.ntk.decimal ?? "", v.nngp.decimal ?? "", v.normalized.decimal ?? ""] + (certified ? [v.ntk.lower ?? "", v.ntk.upper ?? ""] : [])
        }
        switch job.kind {
        case .correlations(let rhos, _):
            header = ["correlation", "ntk", "nngp", "ntk_normalized"] + bounds + ["ntk_diagonal"]
            for (rho, row) in zip(rhos, rows) { lines.append([decimalNumber(rho.value)] + values(row[0]) + [row[0].diagonal1.decimal ?? ""]) }
        case .gram(let q1, let q2, let c):
            header = ["q1", "q2", "c", "ntk", "nngp", "ntk_normalized"] + bounds
            lines.append([decimalNumber(q1), decimalNumber(q2), decimalNumber(c)] + values(rows[0][0]))
        case .vectors:
            header = ["i", "j", "ntk", "nngp", "ntk_normalized"] + bounds
            for (i, row) in rows.enumerated() {
                for (j, v) in row.enumerated() { lines.append(["\(i + 1)", "\(j + 1)"] + values(v)) }
            }
        }
        return ([header] + lines).map { $0.map(CSVTableSink.field).joined(separator: ",") + "\n" }.joined()
    }
}

/// The architecture line of `ntk kernel`: as `describe`, without ‖x‖² (the inputs say it).
func describeKernel(_ a: Architecture) -> String {
    describe(a).replacingOccurrences(of: ", ‖x‖²=\(a.inputNorm2)", with: "")
}
