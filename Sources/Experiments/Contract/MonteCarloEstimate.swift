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
