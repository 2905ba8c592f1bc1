import ArgumentParser
import Experiments
import Foundation
import Multiprecision
import NTKMoments
import NTKOutput

/// Human-readable renderings of polynomials in s and x.
enum PolynomialText {
    static func terms(_ p: Polynomial) -> [(c: BigRational, i: Int, j: Int)] {
        var out: [(BigRational, Int, Int)] = []
        for (i, row) in p.coefficients.enumerated() {
            for (j, c) in row.enumerated().reversed() where !c.isZero { out.append((c, i, j)) }
        }
        return out.sorted { ($0.1, $0.2) > ($1.1, $1.2) }
    }

    /// Signed terms, highest degrees first; `body` renders one term's magnitude and monomial.
    static func render(_ p: Polynomial, _ body: (_ magnitude: BigRational, _ xDegree: Int, _ sDegree: Int) -> String) -> String {
        let t = terms(p)
        if t.isEmpty { return "0" }
        var s = ""
        for (k, (c, i, j)) in t.enumerated() {
            let negative = c.signum < 0
            s += k == 0 ? (negative ? "-" : "") : (negative ? " - " : " + ")
            s += body(negative ? -c : c, i, j)
        }
        return s
    }

    static func plain(_ p: Polynomial) -> String {
        render(p) { magnitude, i, j in
            var factors: [String] = []
            if magnitude != BigRational(1) || (i == 0 && j == 0) {
                factors.append(magnitude.isInteger ? magnitude.fractionString : "(\(magnitude.fractionString))")
            }
            if i > 0 { factors.append(i == 1 ? "x" : "x^\(i)") }
            if j > 0 { factors.append(j == 1 ? "s" : "s^\(j)") }
            return factors.joined(separator: "·")
        }
    }

    static func latex(_ p: Polynomial) -> String {
        render(p) { magnitude, i, j in
            var s = ""
            if magnitude != BigRational(1) || (i == 0 && j == 0) {
                s += magnitude.isInteger ? magnitude.numeratorString : "\\frac{\(magnitude.numeratorString)}{\(magnitude.denominatorString)}"
            }
            if i > 0 { s += i == 1 ? "\\|x\\|^{2}" : "\\|x\\|^{\(2 * i)}" }
            if j > 0 { s += "\\sigma^{\(2 * j)}" }
            return s
        }
    }
}
