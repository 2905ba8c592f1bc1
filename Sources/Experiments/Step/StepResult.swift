import MonteCarlo
import NTKMoments
import NTKOutput

/// The result of `StepRequest` (schema `ntk.step`): E[Θ] and E[fQ] against the exact
/// recursion (E[fQ] with its z-score), and per learning rate the change of Θ, its kink part
/// and the fraction of networks in which some unit crossed zero.
public struct StepResult: ExperimentResult, Equatable {
    public static let schemaName = "ntk.step"
    public static let schemaVersion = 1

    /// What the kink part is, as every report states it.
    public static let kinkNote = "kink = E[ΔΘ/η + (f−y)Q]: units within O(η) of zero cross and Θ jumps by O(1), a real first-order effect of ReLU, not a numerical artefact"

    /// The estimates of one learning rate of the sweep.
    public struct Rate: Sendable, Equatable {
        public var learningRate: Double
        /// c of η = c/E[Θ], when the rates were given that way.
        public var scale: String?
        /// E[ΔΘ]/η, the kink part E[ΔΘ/η + (f − y)Q], E[ΔΘ]/E[Θ], E[|ΔΘ|/Θ] and the fraction of
        /// networks with a unit changing sign.
        public var deltaOverEta: MonteCarloEstimate
        public var kink: MonteCarloEstimate
        public var deltaOverMeanTheta: MonteCarloEstimate
        public var relativeAbsoluteChange: MonteCarloEstimate
        public var crossingFraction: MonteCarloEstimate
        /// E[ΔΘ(x,x′)]/η and its kink part, with a second input.
        public var offDiagonalDeltaOverEta: MonteCarloEstimate?
        public var offDiagonalKink: MonteCarloEstimate?
    }

    public var schema: SchemaStamp = Self.stamp
    public var network: Architecture
    public var samples: Int
    public var seconds: Double
    public var stoppedBy: String
    public var seeds: [UInt64]
    public var target: Double
    public var theta: MonteCarloEstimate
    public var exactMeanTheta: Double
    public var fQ: MonteCarloEstimate
    public var exactFQ: Double
    public var rates: [Rate]
    /// ρ of the second input, with E[Θ(x,x′)] and E[fQ′] (Q′ = ⟨∇Θ(x,x′), ∇f(x)⟩), when simulated.
    public var correlation: Double?
    public var offDiagonalTheta: MonteCarloEstimate?
    public var offDiagonalFQ: MonteCarloEstimate?

    /// The z-score of E[fQ] against the exact recursion.
    public var zFQ: Double { (fQ.mean - exactFQ) / fQ.standardError }

    /// The smooth part of E[ΔΘ]/η, −E[fQ] (exact): what E[ΔΘ]/η tends to without the kinks.
    public var exactSmoothDeltaOverEta: Double { -exactFQ }

    public init(network: Architecture, samples: Int, seconds: Double, stoppedBy: String, seeds: [UInt64], target: Double,
                theta: MonteCarloEstimate, exactMeanTheta: Double, fQ: MonteCarloEstimate, exactFQ: Double, rates: [Rate],
                correlation: Double?, offDiagonalTheta: MonteCarloEstimate?, offDiagonalFQ: MonteCarloEstimate?) {
        self.network = network
        self.samples = samples
        self.seconds = seconds
        self.stoppedBy = stoppedBy
        self.seeds = seeds
        self.target = target
        self.theta = theta
        self.exactMeanTheta = exactMeanTheta
        self.fQ = fQ
        self.exactFQ = exactFQ
        self.rates = rates
        self.correlation = correlation
        self.offDiagonalTheta = offDiagonalTheta
        self.offDiagonalFQ = offDiagonalFQ
    }

    /// The estimates the statistics vector holds (`StepStatisticsLayout`), against `reference`.
    init(network: Architecture, reference: StepReference, learningRates: [Double], scales: [String]?, target: Double,
         correlation: Double?, statistics s: GradientStepStatistics, seconds: Double, stoppedBy: String, seeds: [UInt64]) {
        let rateCount = learningRates.count
        let rates = learningRates.enumerated().map { k, eta in
            let step = s.step(k), off = s.offDiagonalStep(k, rates: rateCount)
            let delta = MonteCarloEstimate(step.deltaOverEta)
            return Rate(learningRate: eta, scale: scales?[k], deltaOverEta: delta, kink: MonteCarloEstimate(step.kink),
                        deltaOverMeanTheta: delta.scaled(by: eta / reference.meanTheta),
                        relativeAbsoluteChange: MonteCarloEstimate(step.relativeAbsoluteChange),
                        crossingFraction: MonteCarloEstimate(step.crossingFraction),
                        offDiagonalDeltaOverEta: off.map { MonteCarloEstimate($0.deltaOverEta) }, offDiagonalKink: off.map { MonteCarloEstimate($0.kink) })
        }
        let off = correlation == nil ? nil : s.offDiagonal(rates: rateCount)
        self.init(network: network, samples: s.count, seconds: seconds, stoppedBy: stoppedBy, seeds: seeds, target: target,
                  theta: MonteCarloEstimate(s.theta), exactMeanTheta: reference.meanTheta, fQ: MonteCarloEstimate(s.fQ), exactFQ: reference.fQ,
                  rates: rates, correlation: off == nil ? nil : correlation,
                  offDiagonalTheta: off.map { MonteCarloEstimate($0.theta) }, offDiagonalFQ: off.map { MonteCarloEstimate($0.fQ) })
    }

    /// A run of `plan`.
    public init(network: Architecture, plan: StepPlan, statistics: GradientStepStatistics, seconds: Double, stoppedBy: String, seeds: [UInt64]) {
        let e = plan.experiment
        self.init(network: network, reference: plan.reference, learningRates: e.learningRates, scales: plan.scales, target: e.target,
                  correlation: e.correlation, statistics: statistics, seconds: seconds, stoppedBy: stoppedBy, seeds: seeds)
    }
}

extension StepResult: Codable {
    /// The members of one rate: under its own object in `sweep`, and the first rate's also at
    /// the top level.
    func rateMembers(_ r: Rate) -> [(key: String, value: JSONValue)] {
        var members: [(key: String, value: JSONValue)] = [("learning_rate", LegacyJSON.number(r.learningRate))]
        if let scale = r.scale { members.append(("learning_rate_scale", .string(scale))) }
        members += [
            ("delta_theta_over_eta", r.deltaOverEta.json()),
            ("kink", r.kink.json()),
            ("delta_theta_over_E_theta", r.deltaOverMeanTheta.json()),
            ("relative_abs_change", r.relativeAbsoluteChange.json()),
            ("crossing_fraction", r.crossingFraction.json()),
        ]
        if let d = r.offDiagonalDeltaOverEta, let k = r.offDiagonalKink {
            members += [("off_diagonal_delta_over_eta", d.json()), ("off_diagonal_kink", k.json())]
        }
        return members
    }

    /// The document: the schema stamp, then the members `ntk step --format json` has always
    /// written.
    public var document: JSONValue {
        var members = schema.jsonMembers(named: "schema") + LegacyJSON.architectureMembers(network) + [
            ("samples", .number("\(samples)")),
            ("seconds", LegacyJSON.number(seconds)),
            ("stopped_by", .string(stoppedBy)),
            ("seeds", .array(seeds.map { .number("\($0)") })),
            ("target", LegacyJSON.number(target)),
            ("E_theta", .object([("mc", LegacyJSON.number(theta.mean)), ("se", LegacyJSON.number(theta.standardError)),
                                 ("exact", LegacyJSON.number(exactMeanTheta))])),
            ("E_fQ", .object([("mc", LegacyJSON.number(fQ.mean)), ("se", LegacyJSON.number(fQ.standardError)),
                              ("exact", LegacyJSON.number(exactFQ)), ("z", LegacyJSON.number(zFQ))])),
            ("smooth_delta_over_eta_exact", LegacyJSON.number(exactSmoothDeltaOverEta)),
        ]
        // The first rate at the top level; every rate of a sweep in `sweep`.
        if let first = rates.first { members += rateMembers(first) }
        members.append(("sweep", .array(rates.map { .object(rateMembers($0)) })))
        if let rho = correlation, let theta = offDiagonalTheta, let fQ = offDiagonalFQ {
            members += [("correlation", LegacyJSON.number(rho)), ("off_diagonal_theta", theta.json()), ("off_diagonal_fQ", fQ.json())]
        }
        members.append(("note", .string(Self.kinkNote)))
        return .object(members)
    }

    public func encode(to encoder: any Encoder) throws { try LegacyJSON.encode(document, to: encoder) }

    public init(from decoder: any Decoder) throws { try self.init(document: try JSONValue(from: decoder)) }

    /// The result `document` wrote.
    public init(document d: JSONValue) throws {
        func estimate(_ v: JSONValue?) -> MonteCarloEstimate? { v.map { MonteCarloEstimate(json: $0) } }
        guard let samples = d["samples"]?.numberText.flatMap({ Int($0) }) else {
            throw JSONValueDecoder.Failure(path: "samples", reason: "expected an integer")
        }
        let rates = (d["sweep"]?.arrayValue ?? []).map { r in
            Rate(learningRate: LegacyJSON.double(r["learning_rate"]), scale: r["learning_rate_scale"]?.stringValue,
                 deltaOverEta: MonteCarloEstimate(json: r["delta_theta_over_eta"]), kink: MonteCarloEstimate(json: r["kink"]),
                 deltaOverMeanTheta: MonteCarloEstimate(json: r["delta_theta_over_E_theta"]),
                 relativeAbsoluteChange: MonteCarloEstimate(json: r["relative_abs_change"]),
                 crossingFraction: MonteCarloEstimate(json: r["crossing_fraction"]),
                 offDiagonalDeltaOverEta: estimate(r["off_diagonal_delta_over_eta"]), offDiagonalKink: estimate(r["off_diagonal_kink"]))
        }
        self.init(network: try LegacyJSON.architecture(in: d), samples: samples, seconds: LegacyJSON.double(d["seconds"]),
                  stoppedBy: d["stopped_by"]?.stringValue ?? "",
                  seeds: (d["seeds"]?.arrayValue ?? []).compactMap { $0.numberText.flatMap { UInt64($0) } },
                  target: LegacyJSON.double(d["target"]), theta: MonteCarloEstimate(json: d["E_theta"]),
                  exactMeanTheta: LegacyJSON.double(d["E_theta"]?["exact"]), fQ: MonteCarloEstimate(json: d["E_fQ"]),
                  exactFQ: LegacyJSON.double(d["E_fQ"]?["exact"]), rates: rates,
                  correlation: d["correlation"].map(LegacyJSON.double), offDiagonalTheta: estimate(d["off_diagonal_theta"]),
                  offDiagonalFQ: estimate(d["off_diagonal_fQ"]))
        schema = try SchemaStamp(jsonMembers: { d[$0] }, named: "schema")
    }
}
