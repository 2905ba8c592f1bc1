import NTKMoments
import NTKOutput

/// The result of `MomentsRequest` (schema `ntk.moments`, docs/schemas/moments.schema.json).
/// Every real follows the JSON contract of docs/json.md.
public struct MomentsResult: ExperimentResult, Equatable {
    public static let schemaName = "ntk.moments"
    public static let schemaVersion = 1

    public var schema: SchemaStamp = Self.stamp
    public var network: ReportedNetwork
    public var model: MomentModel
    public var arithmetic: MomentsRequest.Arithmetic
    /// The arithmetic in words, e.g. "MPFR, 128-bit working precision, round to nearest".
    public var arithmeticDescription: String
    /// What the reported digits guarantee, in one phrase.
    public var guarantee: String
    public var digitsRequested: Int
    public var precisionBits: Int?
    /// The a-priori relative rounding-error bound of MPFR and double runs (undefined when it
    /// exceeds 1/2 at this depth; nil for exact and certified runs).
    public var relativeErrorBound: ReportedReal?

    public var mean: ReportedReal
    public var secondMoment: ReportedReal
    public var variance: ReportedReal
    /// The dispersion E[Θ²]/E[Θ]².
    public var ratio: ReportedReal
    public var probabilityDead: ReportedReal

    /// E[Θ^k] for k = 3 … p (`E_theta3` …), with `--max-moment p`.
    public var higherMoments: [ReportedReal]?
    /// E[Θ^k]/E[Θ]^k for k = 3 … p (`normalized_moment3` …).
    public var normalizedMoments: [ReportedReal]?
    public var skewness: ReportedReal?
    /// The excess kurtosis (`kurtosis`), p ≥ 4.
    public var kurtosis: ReportedReal?

    /// E[fQ] and −E[fQ], E[fQ]/E[Θ], E[fQ]/E[Θ]², with `--first-step`.
    public var fQ: ReportedReal?
    public var meanChangePerRate: ReportedReal?
    public var fQOverTheta: ReportedReal?
    public var fQOverTheta2: ReportedReal?

    /// Each layer's contribution to E[Θ], with `--per-layer`.
    public var layerContributions: ReportedRealList?

    public init(network: ReportedNetwork, model: MomentModel, arithmetic: MomentsRequest.Arithmetic, arithmeticDescription: String,
                guarantee: String, digitsRequested: Int, precisionBits: Int?, relativeErrorBound: ReportedReal?,
                mean: ReportedReal, secondMoment: ReportedReal, variance: ReportedReal, ratio: ReportedReal, probabilityDead: ReportedReal) {
        self.network = network
        self.model = model
        self.arithmetic = arithmetic
        self.arithmeticDescription = arithmeticDescription
        self.guarantee = guarantee
        self.digitsRequested = digitsRequested
        self.precisionBits = precisionBits
        self.relativeErrorBound = relativeErrorBound
        self.mean = mean
        self.secondMoment = secondMoment
        self.variance = variance
        self.ratio = ratio
        self.probabilityDead = probabilityDead
    }
}

extension MomentsResult: Codable {
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: JSONKey.self)
        try c.encode(schema, forKey: JSONKey("schema"))
        try c.encode(network, forKey: JSONKey("network"))
        try c.encode(model, forKey: JSONKey("model"))
        try c.encode(arithmetic, forKey: JSONKey("arithmetic"))
        try c.encode(arithmeticDescription, forKey: JSONKey("arithmetic_description"))
        try c.encode(guarantee, forKey: JSONKey("guarantee"))
        try c.encode(digitsRequested, forKey: JSONKey("digits_requested"))
        try c.encodeIfPresent(precisionBits, forKey: JSONKey("precision_bits"))
        try c.encodeIfPresent(relativeErrorBound, forKey: JSONKey("relative_error_bound"))
        for (key, value) in fixedReals { try c.encode(value, forKey: JSONKey(key)) }
        for (key, value) in optionalReals { try c.encodeIfPresent(value, forKey: JSONKey(key)) }
        try c.encodeIfPresent(layerContributions, forKey: JSONKey("layer_contributions"))
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: JSONKey.self)
        func real(_ key: String) throws -> ReportedReal { try c.decode(ReportedReal.self, forKey: JSONKey(key)) }
        func optional(_ key: String) throws -> ReportedReal? { try c.decodeIfPresent(ReportedReal.self, forKey: JSONKey(key)) }
        self.init(network: try c.decode(ReportedNetwork.self, forKey: JSONKey("network")),
                  model: try c.decode(MomentModel.self, forKey: JSONKey("model")),
                  arithmetic: try c.decode(MomentsRequest.Arithmetic.self, forKey: JSONKey("arithmetic")),
                  arithmeticDescription: try c.decode(String.self, forKey: JSONKey("arithmetic_description")),
                  guarantee: try c.decode(String.self, forKey: JSONKey("guarantee")),
                  digitsRequested: try c.decode(Int.self, forKey: JSONKey("digits_requested")),
                  precisionBits: try c.decodeIfPresent(Int.self, forKey: JSONKey("precision_bits")),
                  relativeErrorBound: try optional("relative_error_bound"),
                  mean: try real("E_theta"), secondMoment: try real("E_theta2"), variance: try real("variance"),
                  ratio: try real("ratio"), probabilityDead: try real("p_dead"))
        schema = try c.decode(SchemaStamp.self, forKey: JSONKey("schema"))
        var higher: [ReportedReal] = [], normalized: [ReportedReal] = []
        for k in 3...MomentsRequest.maxMomentRange.upperBound {
            guard let m = try optional("E_theta\(k)") else { break }
            higher.append(m)
            normalized.append(try real("normalized_moment\(k)"))
        }
        if !higher.isEmpty {
            higherMoments = higher
            normalizedMoments = normalized
        }
        skewness = try optional("skewness")
        kurtosis = try optional("kurtosis")
        fQ = try optional("E_fQ")
        meanChangePerRate = try optional("mean_change_per_rate")
        fQOverTheta = try optional("fQ_over_theta")
        fQOverTheta2 = try optional("fQ_over_theta2")
        layerContributions = try c.decodeIfPresent(ReportedRealList.self, forKey: JSONKey("layer_contributions"))
    }

    /// The five diagonal quantities under their JSON names.
    var fixedReals: [(String, ReportedReal)] {
        [("E_theta", mean), ("E_theta2", secondMoment), ("variance", variance), ("ratio", ratio), ("p_dead", probabilityDead)]
    }

    /// The optional quantities under their JSON names, in output order.
    var optionalReals: [(String, ReportedReal?)] {
        var list: [(String, ReportedReal?)] = []
        for (i, m) in (higherMoments ?? []).enumerated() { list.append(("E_theta\(i + 3)", m)) }
        for (i, m) in (normalizedMoments ?? []).enumerated() { list.append(("normalized_moment\(i + 3)", m)) }
        list += [("skewness", skewness), ("kurtosis", kurtosis),
                 ("E_fQ", fQ), ("mean_change_per_rate", meanChangePerRate), ("fQ_over_theta", fQOverTheta), ("fQ_over_theta2", fQOverTheta2)]
        return list
    }
}
