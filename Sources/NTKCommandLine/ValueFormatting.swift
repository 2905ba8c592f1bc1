import Multiprecision
import NTKMoments
import NTKOutput

/// How a `MomentValue` is shown: every string says, by its form or its JSON key, whether it is
/// exact, certified or rounded.
struct FormattedValue {
    /// Decimal rendering at the requested digits (for enclosures: the certified digits only).
    var decimal: String?
    /// "p/q" for exact values.
    var fraction: String?
    /// For enclosures: lower bound rounded down, upper bound rounded up, and the digits
    /// shared by every point of the interval.
    var lower: String?
    var upper: String?
    var certified: String?

    init(_ value: MomentValue, digits: Int) {
        switch value {
        case .exact(let r):
            fraction = r.fractionString
            decimal = r.isZero ? "0" : BigFloat(r, precision: digitsToBits(digits) + 16).formatted(significantDigits: digits)
        case .approximate(let f):
            decimal = f.formatted(significantDigits: digits)
        case .enclosure(let e):
            lower = e.lower.formatted(significantDigits: digits, rounding: .down)
            upper = e.upper.formatted(significantDigits: digits, rounding: .up)
            let shared = e.certifiedDigits(maximumDigits: digits)
            certified = shared
            // The decimal of an enclosure is its certified digits (correctly rounded for every
            // point of the interval), never a midpoint: a wide interval must not masquerade as
            // a precise number.
            decimal = shared.hasPrefix("[") ? nil : shared
        case .undefined:
            break
        }
    }

    /// The one string a human reads in text output.
    var display: String {
        if let certified, let lower, let upper { return "\(certified)   in [\(lower), \(upper)]" }
        if let decimal, let fraction, fraction != decimal { return "\(decimal)   = \(fraction)" }
        return decimal ?? "undefined (E[Θ] = 0)"
    }
}

func digitsToBits(_ digits: Int) -> Int { Int((Double(digits) * 3.3219280948873626).rounded(.up)) + 8 }

extension JSONValue {
    static func stringOrNull(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }
}
