import MonteCarlo

/// The result of `ValidateSuiteRequest` (schema `ntk.validate-suite`): one row per case, and
/// the suite's verdict — fail if any case fails, else inconclusive if any is, else pass.
public struct ValidateSuiteResult: ExperimentResult, Equatable {
    public static let schemaName = "ntk.validate-suite"
    public static let schemaVersion = 1

    /// One E[Θ], E[Θ²] case: z against the exact recursion (the verdict) and against GI, and
    /// the plug-in and exact dispersions.
    public struct MomentCase: Sendable, Codable, Equatable {
        public var widths: String
        public var sigma2: String
        public var biases: Bool
        public var samples: Int
        public var seconds: Double
        public var zMean: Double
        public var zSecondMoment: Double
        public var zMeanGI: Double
        public var zSecondMomentGI: Double
        public var dispersion: Double
        public var exactDispersion: Double
        public var verdict: ValidationVerdict

        enum CodingKeys: String, CodingKey {
            case widths, sigma2, biases, samples, seconds, zMean = "z_mean", zSecondMoment = "z_second", zMeanGI = "z_mean_gi"
            case zSecondMomentGI = "z_second_gi", dispersion = "dispersion_mc", exactDispersion = "dispersion_exact", verdict
        }
    }

    /// One gradient-step case: the Monte Carlo E[fQ] against the exact one, and the kink part
    /// E[ΔΘ/η + fQ] (no exact value).
    public struct StepCase: Sendable, Codable, Equatable {
        public var widths: String
        public var sigma2: String
        public var biases: Bool
        public var samples: Int
        public var seconds: Double
        public var fQ: Double
        public var exactFQ: Double
        public var z: Double
        public var kink: Double
        public var verdict: ValidationVerdict

        enum CodingKeys: String, CodingKey {
            case widths, sigma2, biases, samples, seconds, fQ = "E_fQ_mc", exactFQ = "E_fQ_exact", z, kink = "kink_mc", verdict
        }
    }

    public var schema: SchemaStamp = Self.stamp
    public var seed: UInt64
    public var zMax: Double
    public var minimumSamples: Int
    public var cases: [MomentCase]
    public var stepCases: [StepCase]

    public init(seed: UInt64, zMax: Double, minimumSamples: Int = MomentZTest.minimumSamples, cases: [MomentCase], stepCases: [StepCase]) {
        self.seed = seed
        self.zMax = zMax
        self.minimumSamples = minimumSamples
        self.cases = cases
        self.stepCases = stepCases
    }

    enum CodingKeys: String, CodingKey {
        case schema, seed, zMax = "z_max", minimumSamples = "minimum_samples", cases, stepCases = "step_cases"
    }

    /// Every case's verdict, moment cases first.
    public var verdicts: [ValidationVerdict] { cases.map(\.verdict) + stepCases.map(\.verdict) }

    public var verdict: ValidationVerdict { MomentZTest.combine(verdicts) }
    public var failures: Int { verdicts.filter { $0 == .fail }.count }
    public var inconclusiveCases: Int { verdicts.filter { $0 == .inconclusive }.count }
}
