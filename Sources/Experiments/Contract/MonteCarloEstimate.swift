import Multiprecision
import NTKOutput

/// A Monte Carlo estimate with its standard error; in JSON `{"mc": …, "se": …}` (doubles,
/// null where not finite).
public struct MonteCarloEstimate: Sendable, Equatable {
    public var mean: Double
    public var standardError: Double

    public init(mean: Double, standardError: Double) {
        self.mean = mean
        self.standardError = standardError
    }

    public init(_ e: (mean: Double, standardError: Double)) { self.init(mean: e.mean, standardError: e.standardError) }

    /// The estimate of c·X: the mean scaled by c, the standard error by |c|.
    /// How every report prints a Monte Carlo figure: `digits` significant digits of the double,
    /// "undefined" where there is none (NaN: no samples, or a ratio of zeros), "inf" and "-inf".
    public static func text(_ x: Double, digits: Int = 6) -> String {
        if x.isNaN { return "undefined" }
        if x.isInfinite { return x > 0 ? "inf" : "-inf" }
        return BigFloat(x, precision: 53).formatted(significantDigits: digits)
    }

    public func scaled(by c: Double) -> MonteCarloEstimate { MonteCarloEstimate(mean: mean * c, standardError: standardError * abs(c)) }

    /// `{"mc": mean, "se": standardError}`, the standard error under `standardErrorKey`.
    public func json(standardErrorKey: String = "se") -> JSONValue {
        .object([("mc", LegacyJSON.number(mean)), (standardErrorKey, LegacyJSON.number(standardError))])
    }

    /// The estimate `json` wrote.
    public init(json: JSONValue?, standardErrorKey: String = "se") {
        self.init(mean: LegacyJSON.double(json?["mc"]), standardError: LegacyJSON.double(json?[standardErrorKey]))
    }
}
