/// Decimal text of rationals, for people: the parameters a user typed (σ², ‖x‖², λ, ρ) are
/// shown the same way in every output.
extension BigRational {
    /// The exact decimal expansion (`2.5`, `0.1`, `-3`) when the denominator has only the prime
    /// factors 2 and 5 and at most 60 decimals are needed; nil otherwise.
    public var terminatingDecimal: String? {
        var scale = 0
        var scaled = self
        while !scaled.isInteger && scale < 60 {
            scaled = scaled * BigRational(10)
            scale += 1
        }
        guard scaled.isInteger else { return nil }
        var digits = scaled.numeratorString
        let negative = digits.hasPrefix("-")
        if negative { digits.removeFirst() }
        if scale == 0 { return (negative ? "-" : "") + digits }
        if digits.count <= scale { digits = String(repeating: "0", count: scale - digits.count + 1) + digits }
        let point = digits.index(digits.endIndex, offsetBy: -scale)
        return (negative ? "-" : "") + digits[..<point] + "." + digits[point...]
    }

    /// The one way a parameter is printed: the exact decimal when there is one (`2.5`);
    /// otherwise the nearest double (shortest decimal) with the exact rational beside it
    /// (`0.3333333333333333 (1/3)`), so that the text never shows a rounded value alone.
    public var displayText: String {
        if let exact = terminatingDecimal { return exact }
        return "\(BigFloat(self, precision: 53).doubleValue()) (\(fractionString))"
    }
}
