import NTKMoments
import NTKOutput

/// The result of `LimitRequest` (schema `ntk.limit`, docs/schemas/limit.schema.json). The
/// limits are MPFR values at `precisionBits`, reported to `digits` significant digits.
public struct LimitResult: ExperimentResult, Equatable {
    public static let schemaName = "ntk.limit"
    public static let schemaVersion = 1

    /// A limit of E[Θ^k]/E[Θ]^k and where it comes from.
    public struct NormalizedMoment: Sendable, Equatable {
        public var order: Int
        public var value: ReportedReal
        /// "closed form", or the extrapolation with its self-consistent error.
        public var source: String
    }

    public var schema: SchemaStamp = Self.stamp
    public var lambda: ReportedReal
    public var sigma2: ReportedReal
    public var phase: Phase
    public var biases: Bool
    /// α₀ = r/‖x‖² (or as given), and whether it enters the limit at this setting (only at
    /// the edge of chaos with biases).
    public var alpha0: ReportedReal
    public var alpha0EntersLimit: Bool
    /// ‖x‖² of the closed forms of the corrections and moment limits (n₀ = rM).
    public var inputNorm2: ReportedReal
    public var precisionBits: Int
    public var digits: Int
    public var exact: ReportedReal
    public var gi: ReportedReal
    public var published: ReportedReal
    public var publishedIsGIDerived: Bool
    public var publishedForm: String
    public var publishedNote: String
    public var exactMinusPublishedRelative: ReportedReal
    /// c₁, c₂ of R(M) = F + c₁/M + c₂/M² + … (undefined unless asked for and known).
    public var c1: ReportedReal
    public var c2: ReportedReal
    /// Why c₁, c₂ are left out although asked for: the expansion does not hold here.
    public var correctionsReason: String?
    /// True when corrections were asked for but no closed form exists (n₀ ≠ M via --alpha0 = 0).
    public var correctionsUnavailable: Bool
    public var normalizedMoments: [NormalizedMoment]
    public var fQOverTheta2Limit: ReportedReal?
    public var fQOverTheta2LimitForm: String?
    public var gw: ReportedReal?
    public var gb: ReportedReal?
}

extension LimitResult: Codable {
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: JSONKey.self)
        func put<T: Encodable>(_ key: String, _ value: T?) throws { try c.encodeIfPresent(value, forKey: JSONKey(key)) }
        try put("schema", schema)
        try put("lambda", lambda)
        try put("sigma2", sigma2)
        try put("phase", phase.rawValue)
        try put("biases", biases)
        try put("alpha0", alpha0)
        try put("alpha0_enters_limit", alpha0EntersLimit)
        try put("input_norm2", inputNorm2)
        try put("precision_bits", precisionBits)
        try put("digits", digits)
        try put("exact", exact)
        try put("gi", gi)
        try put("published", published)
        try put("published_is_gi_derived", publishedIsGIDerived)
        try put("published_form", publishedForm)
        try put("published_note", publishedNote)
        try put("exact_minus_published_relative", exactMinusPublishedRelative)
        try put("c1", c1)
        try put("c2", c2)
        for m in normalizedMoments {
            try put("normalized_moment\(m.order)", m.value)
            try put("normalized_moment\(m.order)_source", m.source)
        }
        try put("fQ_over_theta2_limit", fQOverTheta2Limit)
        try put("fQ_over_theta2_limit_form", fQOverTheta2LimitForm)
        try put("G_w", gw)
        try put("G_b", gb)
        try put("corrections_reason", correctionsReason)
        if correctionsUnavailable { try put("corrections_unavailable", true) }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: JSONKey.self)
        func get<T: Decodable>(_ key: String, _ type: T.Type = T.self) throws -> T { try c.decode(T.self, forKey: JSONKey(key)) }
        func optional<T: Decodable>(_ key: String, _ type: T.Type = T.self) throws -> T? { try c.decodeIfPresent(T.self, forKey: JSONKey(key)) }
        guard let phase = Phase(rawValue: try get("phase", String.self)) else {
            throw JSONValueDecoder.Failure(path: "phase", reason: "not a phase")
        }
        var moments: [NormalizedMoment] = []
        for k in 3...MomentsRequest.maxMomentRange.upperBound {
            guard let v = try optional("normalized_moment\(k)", ReportedReal.self) else { break }
            moments.append(NormalizedMoment(order: k, value: v, source: try get("normalized_moment\(k)_source")))
        }
        self.init(schema: try get("schema"), lambda: try get("lambda"), sigma2: try get("sigma2"), phase: phase, biases: try get("biases"),
                  alpha0: try get("alpha0"), alpha0EntersLimit: try get("alpha0_enters_limit"), inputNorm2: try get("input_norm2"), precisionBits: try get("precision_bits"),
                  digits: try get("digits"), exact: try get("exact"), gi: try get("gi"), published: try get("published"),
                  publishedIsGIDerived: try get("published_is_gi_derived"), publishedForm: try get("published_form"),
                  publishedNote: try get("published_note"), exactMinusPublishedRelative: try get("exact_minus_published_relative"),
                  c1: try get("c1"), c2: try get("c2"), correctionsReason: try optional("corrections_reason"),
                  correctionsUnavailable: try optional("corrections_unavailable") ?? false, normalizedMoments: moments,
                  fQOverTheta2Limit: try optional("fQ_over_theta2_limit"), fQOverTheta2LimitForm: try optional("fQ_over_theta2_limit_form"),
                  gw: try optional("G_w"), gb: try optional("G_b"))
    }
}
