import Multiprecision
import NTKMoments
import NTKOutput

/// The JSON vocabulary of the documents that kept their layout when their commands became
/// typed experiments (`offdiag`, `step`): doubles with 17 significant digits and the network
/// echoed as `widths`, `depth`, `sigma2`/`sigma2_exact`, `input_norm2`/`input_norm2_exact`,
/// `biases`. The chart command and the Python package read these keys, so they do not change.
public enum LegacyJSON {
    /// A JSON number for a double (17 significant digits, enough to read back the same
    /// double), or null when it is not finite.
    public static func number(_ x: Double) -> JSONValue {
        x.isFinite ? .number(BigFloat(x, precision: 53).formatted(significantDigits: 17).replacingOccurrences(of: "e+", with: "e")) : .null
    }

    /// The double a member holds; NaN for null or a missing member (what `number` wrote for a
    /// value that was not finite).
    public static func double(_ value: JSONValue?) -> Double {
        value?.numberText.flatMap(Double.init) ?? .nan
    }

    /// A JSON number for an exact rational: its exact decimal expansion when that is short,
    /// otherwise 17 significant digits without trailing zeros.
    public static func decimalNumber(_ r: BigRational) -> String {
        let exact = r.terminatingDecimal ?? r.fractionString
        if !exact.contains("/"), exact.count <= 40 { return exact }
        let s = BigFloat(r, precision: 256).formatted(significantDigits: 17)
        var mantissa = Substring(s), exponent = Substring("")
        if let e = s.firstIndex(where: { $0 == "e" || $0 == "E" }) { mantissa = s[..<e]; exponent = s[e...] }
        if mantissa.contains(".") {
            while mantissa.hasSuffix("0") { mantissa.removeLast() }
            if mantissa.hasSuffix(".") { mantissa.removeLast() }
        }
        return String(mantissa) + String(exponent).replacingOccurrences(of: "e+", with: "e")
    }

    /// The network: widths (n0 too, when asked), depth, σ² and ‖x‖² as numbers with their
    /// exact rationals, biases.
    public static func architectureMembers(_ a: Architecture, inputDimension: Bool = false) -> [(key: String, value: JSONValue)] {
        var members: [(key: String, value: JSONValue)] = [("widths", .string(ReportedNetwork.compactWidths(a)))]
        if inputDimension { members.append(("input_dim", .number("\(a.inputDimension)"))) }
        return members + [
            ("depth", .number("\(a.depth)")),
            ("sigma2", .number(decimalNumber(a.sigma2))),
            ("sigma2_exact", .string(a.sigma2.fractionString)),
            ("input_norm2", .number(decimalNumber(a.inputNorm2))),
            ("input_norm2_exact", .string(a.inputNorm2.fractionString)),
            ("biases", .bool(a.trainableBiases)),
        ]
    }

    /// The shortest decimal that reads back as x (2 → "2", 0.1 → "0.1"), as quantile levels
    /// and thresholds are named.
    public static func shortestDecimal(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? "\(Int(x))" : "\(x)"
    }

    /// The network `architectureMembers` wrote into `object`.
    public static func architecture(in object: JSONValue) throws -> Architecture {
        try architecture(from: { object[$0] })
    }

    /// The network `architectureMembers` wrote, read member by member.
    public static func architecture(from member: (String) -> JSONValue?) throws -> Architecture {
        try ReportedNetwork(jsonMembers: member, named: "").architecture
    }


    /// Writes a hand-built document as the whole encoding of a value (inserted verbatim by
    /// `JSONValueEncoder`).
    public static func encode(_ document: JSONValue, to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(document)
    }
}
