import Multiprecision
import NTKMoments
import NTKOutput

/// The members of documents whose keys and number formats predate the typed results: reals as
/// 17-significant-digit doubles and the architecture with its exact rationals. Results that
/// keep such a document (so that the chart and the Python package read it unchanged) build it
/// from these, and so do the commands that still write one themselves.
public enum LegacyMembers {
    /// A JSON number for a double (17 significant digits), or null when it is not finite.
    public static func number(_ x: Double) -> JSONValue {
        x.isFinite ? .number(BigFloat(x, precision: 53).formatted(significantDigits: 17).replacingOccurrences(of: "e+", with: "e")) : .null
    }

    /// A JSON number (readable by any float parser) for an exact rational: its exact decimal
    /// expansion when that is short, otherwise 17 significant digits without trailing zeros.
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

    /// The shortest decimal that reads back as x (2 → "2", 0.1 → "0.1"), as quantile levels
    /// and thresholds are named.
    public static func shortestDecimal(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? "\(Int(x))" : "\(x)"
    }

    /// The architecture: widths (n0 too, when asked), depth, σ² and ‖x‖² as numbers with their
    /// exact rationals, biases.
    public static func architecture(_ a: Architecture, inputDimension: Bool = false) -> [(key: String, value: JSONValue)] {
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

    /// The architecture back from the members `architecture` wrote.
    public static func architecture(from member: (String) -> JSONValue?) throws -> Architecture {
        try ReportedNetwork(jsonMembers: member, named: "").architecture
    }
}
