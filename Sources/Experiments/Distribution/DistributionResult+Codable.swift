import MonteCarlo
import Multiprecision
import NTKMoments
import NTKOutput

/// The document: the schema stamp, then the members of the command's document before it was
/// typed, brought to the JSON contract (`LegacyDocument`), then `density` when present.
extension DistributionResult: Codable {
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: JSONKey.self)
        try c.encode(schema, forKey: JSONKey("schema"))
        guard case .object(let members) = LegacyDocument.conform(legacyDocument) else { return }
        for (key, value) in members { try c.encode(value, forKey: JSONKey(key)) }
        if let density {
            try c.encode(JSONValue.object([("histogram", try JSONValueEncoder().encode(density.histogram)),
                                           ("lognormal_fit", try JSONValueEncoder().encode(density.lognormalFit))]),
                         forKey: JSONKey("density"))
        }
    }

    /// The members in the order and number formats the document has always had.
    var legacyDocument: JSONValue {
        let number = LegacyJSON.number
        let meanDigits = meanExact.formatted(significantDigits: 17)
        return .object(LegacyJSON.architectureMembers(network.architecture) + [
            ("model", .string(model.rawValue)),
            ("samples", .number("\(samples)")),
            ("seconds", number(seconds)),
            ("stopped_by", .string(stoppedBy.label)),
            ("seeds", .array(seeds.map { .number("\($0)") })),
            // mean_exact predates the JSON contract (digits in a string under an `_exact` name,
            // where the contract keeps rationals); E_theta and E_theta_decimal carry the same
            // value under the contract. mean_exact stays for one release.
            ("mean_exact", .string(meanDigits)),
            ("E_theta", DecimalText.nearestDouble(meanDigits).map(number) ?? .null),
            ("E_theta_decimal", .string(meanDigits)),
            ("moments", .array(moments.map { m in
                .object([("k", .number("\(m.order)")), ("mc", number(m.estimate)), ("se", number(m.standardError)),
                         ("se_kind", .string(m.standardErrorKind.rawValue)), ("exact", number(m.exact)), ("z", number(m.z))])
            })),
            ("quantiles", .object(quantiles.map { q in (LegacyJSON.shortestDecimal(q.level), q.value.map(number) ?? .null) })),
            ("quantile_resolution_relative", number(quantileResolution)),
            ("tails", .array(tails.map { t in
                .object([("t", number(t.threshold)), ("p", number(t.probability)), ("se", number(t.standardError))])
            })),
            ("log_mean", .object([("mc", number(logMean.value)), ("se", number(logMean.standardError))])),
            ("log_variance", .object([("mc", number(logVariance.value)), ("se", number(logVariance.standardError))])),
            ("zero_samples", .number("\(zeroSamples)")),
        ])
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: JSONKey.self)
        func member(_ key: String) -> JSONValue? { try? c.decode(JSONValue.self, forKey: JSONKey(key)) }
        func failure(_ key: String, _ reason: String) -> JSONValueDecoder.Failure { JSONValueDecoder.Failure(path: key, reason: reason) }
        /// A number member; null (a value that is not finite) reads as NaN.
        func real(_ value: JSONValue?, _ key: String) throws -> Double {
            switch value {
            case .number(let text)?: guard let x = Double(text) else { throw failure(key, "expected a number") }; return x
            case .null?: return .nan
            default: throw failure(key, "expected a number or null")
            }
        }
        func integer(_ value: JSONValue?, _ key: String) throws -> Int {
            guard let x = value?.numberText.flatMap({ Int($0) }) else { throw failure(key, "expected an integer") }
            return x
        }
        func array(_ key: String) throws -> [JSONValue] {
            guard case .array(let elements)? = member(key) else { throw failure(key, "expected an array") }
            return elements
        }
        func estimate(_ key: String) throws -> Estimate {
            let e = member(key)
            return Estimate(value: try real(e?["mc"], key + ".mc"), standardError: try real(e?["se"], key + ".se"))
        }
        schema = try c.decode(SchemaStamp.self, forKey: JSONKey("schema"))
        network = ReportedNetwork(try LegacyJSON.architecture(from: member))
        guard let model = member("model")?.stringValue.flatMap(MomentModel.init(rawValue:)) else { throw failure("model", "expected exact or gi") }
        self.model = model
        samples = try integer(member("samples"), "samples")
        seconds = try real(member("seconds"), "seconds")
        guard let stop = member("stopped_by")?.stringValue.flatMap(MonteCarloStopReason.init(label:)) else {
            throw failure("stopped_by", "expected sample budget or time budget")
        }
        stoppedBy = stop
        seeds = try array("seeds").map { s in
            guard let seed = s.numberText.flatMap({ UInt64($0) }) else { throw failure("seeds", "expected 64-bit seeds") }
            return seed
        }
        // A string (its name ends in `_exact`, so the JSON contract leaves it as text).
        guard let text = member("mean_exact")?.stringValue, let m = try? BigFloat(parsing: text, precision: 128) else {
            throw failure("mean_exact", "expected a decimal string")
        }
        meanExact = m
        moments = try array("moments").map { m in
            guard let kind = m["se_kind"]?.stringValue.flatMap(DistributionMomentComparison.StandardErrorKind.init(rawValue:)) else {
                throw failure("moments.se_kind", "expected exact or sample")
            }
            return DistributionMomentComparison(order: try integer(m["k"], "moments.k"), estimate: try real(m["mc"], "moments.mc"),
                                                standardError: try real(m["se"], "moments.se"), standardErrorKind: kind,
                                                exact: try real(m["exact"], "moments.exact"), z: try real(m["z"], "moments.z"))
        }
        guard case .object(let levels)? = member("quantiles") else { throw failure("quantiles", "expected an object") }
        quantiles = try levels.map { key, value in
            guard let level = Double(key) else { throw failure("quantiles", "expected levels as keys") }
            let x = try real(value, "quantiles." + key)
            return Quantile(level: level, value: x.isNaN ? nil : x)
        }
        quantileResolution = try real(member("quantile_resolution_relative"), "quantile_resolution_relative")
        tails = try array("tails").map { t in
            TailProbability(threshold: try real(t["t"], "tails.t"), probability: try real(t["p"], "tails.p"),
                            standardError: try real(t["se"], "tails.se"))
        }
        logMean = try estimate("log_mean")
        logVariance = try estimate("log_variance")
        zeroSamples = try integer(member("zero_samples"), "zero_samples")
        if let d = member("density") {
            let decoder = JSONValueDecoder()
            guard let h = d["histogram"], let f = d["lognormal_fit"] else { throw failure("density", "expected histogram and lognormal_fit") }
            density = LogDensityEstimate(histogram: try decoder.decode([LogDensityEstimate.Point].self, from: h),
                                         lognormalFit: try decoder.decode([LogDensityEstimate.Point].self, from: f))
        }
    }
}
