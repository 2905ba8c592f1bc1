import Experiments
import Multiprecision
import NTKMoments

/// The text rendering of a `LimitResult` (its JSON is the result's own encoding).
struct LimitReport {
    let result: LimitResult
    let correctionsAsked: Bool

    init(_ result: LimitResult, correctionsAsked: Bool) {
        self.result = result
        self.correctionsAsked = correctionsAsked
    }

    /// The exact parameter as every text shows it (`BigRational.displayText`).
    func parameter(_ r: ReportedReal) -> String {
        guard let text = r.exact, let q = BigRational(text) else { return r.decimal ?? "" }
        return q.displayText
    }

    func text() -> String {
        let r = result
        let shown = { (x: ReportedReal) in x.decimal ?? "undefined" }
        var out = "phase       \(r.phase.displayName)\(r.biases ? "" : ", no biases")\n"
        out += "λ           \(parameter(r.lambda))\n"
        if r.biases {
            let note = r.alpha0EntersLimit ? "" : " (does not enter the limit in this phase)"
            out += "α0          \(parameter(r.alpha0))\(note)\n"
        }
        out += "limits of E[Θ²]/E[Θ]² as M → ∞ with L/M → λ (\(r.digits) significant digits, \(r.precisionBits)-bit MPFR):\n"
        out += "  exact       \(shown(r.exact))   limit of the exact finite-width recursion\n"
        out += "  gi          \(shown(r.gi))   limit of the gradient-independence approximation\n"
        out += "  published   \(shown(r.published))   \(r.publishedNote)\n"
        if correctionsAsked {
            if r.correctionsReason != nil {
                out += "finite-width corrections: not printed, the 1/M expansion does not hold here (see stderr)\n"
            } else if r.correctionsUnavailable {
                out += "finite-width corrections: closed forms are known for n0 = M only; ntk expand computes them for any n0\n"
            } else {
                out += "finite-width corrections of the exact recursion, R(M) = F + c1/M + c2/M² + … (n0 = M, ‖x‖² = \(parameter(r.inputNorm2))):\n"
                out += "  c1          \(shown(r.c1))\n"
                out += "  c2          \(shown(r.c2))\n"
            }
        }
        if !r.normalizedMoments.isEmpty {
            out += "limits of E[Θ^k]/E[Θ]^k of the exact recursion:\n"
            for m in r.normalizedMoments { out += "  R\(m.order)          \(shown(m.value))   \(m.source)\n" }
        }
        if let relative = r.exactMinusPublishedRelative.decimal, let f = try? BigFloat(parsing: relative, precision: 64), !f.isZero {
            out += "  exact/published − 1 = \(f.formatted(significantDigits: 6))\n"
        }
        if let limit = r.fQOverTheta2Limit {
            out += "limit of E[fQ]/E[Θ]² (−η·E[fQ] = smooth mean NTK change of one gradient step):\n"
            out += "  fQ/Θ²       \(shown(limit))   \(r.fQOverTheta2LimitForm ?? "")\n"
            if let gw = r.gw { out += "  G_w         \(shown(gw))\n" }
            if r.biases, let gb = r.gb { out += "  G_b         \(shown(gb))\n" }
        }
        return out
    }
}
