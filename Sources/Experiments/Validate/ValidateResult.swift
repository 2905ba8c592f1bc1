import MonteCarlo
import Multiprecision
import NTKMoments
import NTKOutput

/// The result of `ValidateRequest` and `ValidateMergeRequest` (schema `ntk.validate`): the
/// Monte Carlo E[Θ] and E[Θ²], their z-scores against the exact recursion and the GI model,
/// and the verdicts. Its JSON document is the one `ntk validate --format json` has always
/// written (legacy members, brought to the JSON contract by `LegacyDocument`), led by the
/// schema stamp.
public struct ValidateResult: ExperimentResult, Equatable {
    public static let schemaName = "ntk.validate"
    public static let schemaVersion = 1

    /// One tested moment (`E_theta`, `E_theta2`): the Monte Carlo estimate and its z-scores.
    public struct TestedMoment: Sendable, Equatable {
        /// The Monte Carlo estimate (`mc`) and its sample standard error (`se`).
        public var estimate: Double
        public var standardError: Double
        /// The exact standard error under the exact model (`se_exact`; nil without the exact
        /// E[Θ³], E[Θ⁴]).
        public var exactStandardError: Double?
        /// The exact recursion's value (`exact`) and z against it (`z`).
        public var exact: Double
        public var z: Double
        /// The GI model's value (`gi`) and z against it on the sample standard error (`z_gi`).
        public var gi: Double
        public var zGI: Double

        public init(estimate: Double, standardError: Double, exactStandardError: Double?, exact: Double, z: Double, gi: Double, zGI: Double) {
            self.estimate = estimate
            self.standardError = standardError
            self.exactStandardError = exactStandardError
            self.exact = exact
            self.z = z
            self.gi = gi
            self.zGI = zGI
        }
    }

    public var schema: SchemaStamp = Self.stamp
    public var network: ReportedNetwork
    /// Samples in the estimates.
    public var samples: Int
    public var seconds: Double
    public var stoppedBy: MonteCarloStopReason
    public var seeds: [UInt64]
    public var zMax: Double
    /// The fewest samples on which a verdict is given (`MomentZTest.minimumSamples`).
    public var minimumSamples: Int
    /// Whether the exact-model z-scores use the exact standard errors (else the samples').
    public var usesExactStandardErrors: Bool
    public var mean: TestedMoment
    public var secondMoment: TestedMoment
    /// Samples needed to tell the exact model from GI at |z| = zMax, by E[Θ] and by E[Θ²]
    /// (nil: never, or no exact E[Θ³], E[Θ⁴]).
    public var samplesToSeparateByMean: Double?
    public var samplesToSeparateBySecondMoment: Double?
    /// The plug-in dispersion mean(Θ²)/mean(Θ)² and its delta-method standard error (biased
    /// low and optimistic for heavy-tailed Θ).
    public var dispersion: Double
    public var dispersionStandardError: Double
    /// Against the exact recursion: decides the exit code.
    public var verdict: ValidationVerdict
    /// Against the GI model: reported only.
    public var giVerdict: ValidationVerdict

    // Not part of the JSON document (which predates them): nil in a decoded result.

    /// The exact and GI dispersions E[Θ²]/E[Θ]² (`MomentSummary.dispersion`).
    public var exactDispersion: Double?
    public var giDispersion: Double?
    /// Why there is no verdict, in a few words, when the verdict is inconclusive.
    public var inconclusiveReason: String?

    public init(network: ReportedNetwork, samples: Int, seconds: Double, stoppedBy: MonteCarloStopReason, seeds: [UInt64],
                zMax: Double, minimumSamples: Int = MomentZTest.minimumSamples, usesExactStandardErrors: Bool,
                mean: TestedMoment, secondMoment: TestedMoment, samplesToSeparateByMean: Double?, samplesToSeparateBySecondMoment: Double?,
                dispersion: Double, dispersionStandardError: Double, verdict: ValidationVerdict, giVerdict: ValidationVerdict) {
        self.network = network
        self.samples = samples
        self.seconds = seconds
        self.stoppedBy = stoppedBy
        self.seeds = seeds
        self.zMax = zMax
        self.minimumSamples = minimumSamples
        self.usesExactStandardErrors = usesExactStandardErrors
        self.mean = mean
        self.secondMoment = secondMoment
        self.samplesToSeparateByMean = samplesToSeparateByMean
        self.samplesToSeparateBySecondMoment = samplesToSeparateBySecondMoment
        self.dispersion = dispersion
        self.dispersionStandardError = dispersionStandardError
        self.verdict = verdict
        self.giVerdict = giVerdict
    }
}

extension ValidateResult: Codable {
    static let dispersionNote = "biased low for heavy-tailed Theta; test E_theta and E_theta2 instead"

    /// The document's members after the stamp, in the order `ntk validate` has always written them.
    var legacyMembers: [(key: String, value: JSONValue)] {
        let number = LegacyJSON.number
        func optional(_ x: Double?) -> JSONValue { x.map(number) ?? .null }
        func block(_ m: TestedMoment) -> JSONValue {
            .object([("mc", number(m.estimate)), ("se", number(m.standardError)), ("se_exact", optional(m.exactStandardError)),
                     ("exact", number(m.exact)), ("z", number(m.z)), ("gi", number(m.gi)), ("z_gi", number(m.zGI))])
        }
        return LegacyJSON.architectureMembers(network.architecture) + [
            ("samples", .number("\(samples)")),
            ("seconds", number(seconds)),
            ("stopped_by", .string(stoppedBy.label)),
            ("seeds", .array(seeds.map { .number("\($0)") })),
            ("z_max", number(zMax)),
            ("minimum_samples", .number("\(minimumSamples)")),
            ("z_standard_errors", .string(usesExactStandardErrors ? "exact" : "sample")),
            ("E_theta", block(mean)),
            ("E_theta2", block(secondMoment)),
            ("samples_to_separate_gi", .object([("z", number(zMax)), ("by_E_theta", optional(samplesToSeparateByMean)),
                                                ("by_E_theta2", optional(samplesToSeparateBySecondMoment))])),
            ("dispersion_plugin", .object([("mc", number(dispersion)), ("se_delta_method", number(dispersionStandardError)),
                                          ("note", .string(Self.dispersionNote))])),
            ("verdict", .string(verdict.rawValue)),
            ("passed", .bool(verdict == .pass)),
            ("gi_verdict", .string(giVerdict.rawValue)),
            ("gi_rejected", .bool(giVerdict == .fail)),
        ]
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: JSONKey.self)
        try c.encode(schema, forKey: JSONKey("schema"))
        guard case .object(let members) = LegacyDocument.conform(.object(legacyMembers)) else { return }
        for (key, value) in members { try c.encode(value, forKey: JSONKey(key)) }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: JSONKey.self)
        var members: [String: JSONValue] = [:]
        for key in c.allKeys { members[key.stringValue] = try c.decode(JSONValue.self, forKey: key) }
        func fail(_ key: String, _ reason: String) -> JSONValueDecoder.Failure { JSONValueDecoder.Failure(path: key, reason: reason) }
        /// A legacy number: null (a value that is not finite) reads as NaN.
        func number(_ v: JSONValue?) -> Double { v?.numberText.flatMap(Double.init) ?? .nan }
        func optional(_ v: JSONValue?) -> Double? { v?.numberText.flatMap(Double.init) }
        func integer(_ key: String) throws -> Int {
            guard let n = members[key]?.numberText.flatMap({ Int($0) }) else { throw fail(key, "expected an integer") }
            return n
        }
        func verdict(_ key: String) throws -> ValidationVerdict {
            guard let v = members[key]?.stringValue.flatMap(ValidationVerdict.init(rawValue:)) else { throw fail(key, "expected a verdict") }
            return v
        }
        func moment(_ key: String) throws -> TestedMoment {
            guard let m = members[key] else { throw fail(key, "expected an object") }
            return TestedMoment(estimate: number(m["mc"]), standardError: number(m["se"]), exactStandardError: optional(m["se_exact"]),
                                exact: number(m["exact"]), z: number(m["z"]), gi: number(m["gi"]), zGI: number(m["z_gi"]))
        }
        let separation = members["samples_to_separate_gi"], plugin = members["dispersion_plugin"]
        self.init(network: try ReportedNetwork(jsonMembers: { members[$0] }, named: "network"),
                  samples: try integer("samples"), seconds: number(members["seconds"]),
                  stoppedBy: members["stopped_by"]?.stringValue == MonteCarloStopReason.timeBudget.label ? .timeBudget : .sampleBudget,
                  seeds: try (members["seeds"]?.arrayValue ?? []).map { v in
                      guard let s = v.numberText.flatMap({ UInt64($0) }) else { throw fail("seeds", "expected integers") }
                      return s
                  },
                  zMax: number(members["z_max"]), minimumSamples: try integer("minimum_samples"),
                  usesExactStandardErrors: members["z_standard_errors"]?.stringValue == "exact",
                  mean: try moment("E_theta"), secondMoment: try moment("E_theta2"),
                  samplesToSeparateByMean: optional(separation?["by_E_theta"]),
                  samplesToSeparateBySecondMoment: optional(separation?["by_E_theta2"]),
                  dispersion: number(plugin?["mc"]), dispersionStandardError: number(plugin?["se_delta_method"]),
                  verdict: try verdict("verdict"), giVerdict: try verdict("gi_verdict"))
        schema = try SchemaStamp(jsonMembers: { members[$0] }, named: "schema")
    }
}
