import Multiprecision
import NTKMoments
import NTKOutput

/// The members legacy documents are built from, kept in one place so that a document moved
/// into the library (`ValidateResult`) reads exactly as the command wrote it before.
extension LegacyDocument {
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

    /// The architecture every legacy report echoes: widths (n0 too, when asked), depth, σ² and
    /// ‖x‖² as numbers with their exact rationals, biases.
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
}
