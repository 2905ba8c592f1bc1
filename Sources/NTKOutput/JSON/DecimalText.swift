import Foundation

/// The JSON contract's reading of a real given as decimal text (docs/json.md): whether a
/// double can stand for it, and its order of magnitude when none can.
public enum DecimalText {
    /// The nearest double when the value lies in double range (a normal double, or zero);
    /// nil otherwise — `Double("6.5e-628")` is 0 and `Double("1e400")` is infinity, and
    /// neither may stand for the value.
    public static func nearestDouble(_ text: String) -> Double? {
        guard let x = Double(text), x.isFinite else { return nil }
        if x == 0 { return mantissa(text).contains(where: { ("1"..."9").contains($0) }) ? nil : x }
        return abs(x) >= Double.leastNormalMagnitude ? x : nil
    }

    /// log₁₀|value| from the text's mantissa and exponent, exact enough where the value
    /// itself is outside double range; nil for zero or text that is not a decimal.
    public static func log10Magnitude(_ text: String) -> Double? {
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            guard let value = Int(text[text.index(after: e)...].replacingOccurrences(of: "+", with: "")) else { return nil }
            exponent = value
        }
        guard let m = Double(mantissa(text)), m != 0, m.isFinite else { return nil }
        return Double(exponent) + Foundation.log10(abs(m))
    }

    /// True for text in the decimal grammar: an optional sign, digits with an optional point,
    /// an optional exponent (`2`, `-0.5`, `1.25e-30`).
    public static func isDecimal(_ text: String) -> Bool {
        text.wholeMatch(of: /[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?/) != nil
    }

    /// The shortest decimal that reads back as the finite double `v`, in JSON's number
    /// grammar (`-0.0` keeps the sign of zero).
    public static func shortest(_ v: Double) -> String {
        if v == 0 && v.sign == .minus { return "-0.0" }
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return v.description.replacingOccurrences(of: "e+", with: "e")
    }

    private static func mantissa(_ text: String) -> Substring { text.prefix { $0 != "e" && $0 != "E" } }
}
