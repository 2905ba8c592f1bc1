import MonteCarlo
import Multiprecision
import NTKMoments
import NTKOutput

/// The result of `OffDiagRequest` (schema `ntk.offdiag`): per depth the diagonal z-test
/// against the exact recursion, per depth and correlation the off-diagonal estimates with
/// their references and bounds, and the combined verdict of the diagonal tests.
public struct OffDiagResult: ExperimentResult, Equatable {
    public static let schemaName = "ntk.offdiag"
    public static let schemaVersion = 1

    /// One depth of the sweep: its samples, time, stop reason and the z-test of Θ(x,x).
    public struct Depth: Sendable, Equatable {
        public var depth: Int
        public var samples: Int
        public var seconds: Double
        public var stoppedBy: String
        public var diagonalCheck: MomentZTestRecord
    }

    /// One correlation at one depth.
    public struct Row: Sendable, Equatable {
        public var depth: Int
        public var correlation: Double
        public var samples: Int
        /// E[Θ(x,x′)] and E[Θ(x,x′)²].
        public var meanXY: MonteCarloEstimate
        public var secondMomentXY: MonteCarloEstimate
        /// The paired ratio E[Θ(x,x′)]/E[Θ(x,x)].
        public var ratio: MonteCarloEstimate
        /// Θ*(x,x′) and Θ*(x,x′)/Θ*(x,x); nil outside the double range.
        public var infiniteWidthTheta: Double?
        public var infiniteWidthRatio: Double?
        /// E[Θ(x,x′)²]/E[Θ(x,x′)]², its standard error by the delta method.
        public var dispersion: MonteCarloEstimate
        /// The correlation of Θ(x,x′) with Θ(x,x).
        public var correlationWithDiagonal: Double
        /// Rigorous bounds |E[Θ(x,x′)]| ≤ E[Θ(x,x)] and E[Θ(x,x′)²] ≤ E[Θ(x,x)²] (certified, rounded up).
        public var boundAbsMeanXY: Double
        public var boundSecondMomentXY: Double
        /// At ρ = 1, where Θ(x,x′) = Θ(x,x): its z-test against the exact diagonal.
        public var exactCheck: MomentZTestRecord?
    }

    public var schema: SchemaStamp = Self.stamp
    /// The largest network of the sweep (the one the request names).
    public var network: Architecture
    public var seeds: [UInt64]
    public var zMax: Double
    public var correlations: [Double]
    public var depths: [Depth]
    public var rows: [Row]

    /// The fewest samples of any depth.
    public var samples: Int { depths.map(\.samples).min() ?? 0 }
    /// The time of all depths.
    public var seconds: Double { depths.reduce(0) { $0 + $1.seconds } }
    /// The diagonal tests of all depths combined.
    public var verdict: ValidationVerdict { MomentZTest.combine(depths.map(\.diagonalCheck.verdict)) }
    /// True when the infinite-width kernel was outside the double range somewhere.
    public var lacksInfiniteWidthValues: Bool { rows.contains { $0.infiniteWidthTheta == nil } }

    public init(network: Architecture, seeds: [UInt64], zMax: Double, correlations: [Double], depths: [Depth], rows: [Row]) {
        self.network = network
        self.seeds = seeds
        self.zMax = zMax
        self.correlations = correlations
        self.depths = depths
        self.rows = rows
    }

    /// The result of one depth's statistics against its references.
    init(network: Architecture, seeds: [UInt64], zMax: Double, correlations: [Double],
         measured: [(reference: OffDiagReference, statistics: OffDiagonalStatistics, seconds: Double, stoppedBy: String)]) {
        var depths: [Depth] = [], rows: [Row] = []
        for (reference, statistics, seconds, stoppedBy) in measured {
            let L = reference.architecture.depth
            depths.append(Depth(depth: L, samples: statistics.count, seconds: seconds, stoppedBy: stoppedBy,
                                diagonalCheck: MomentZTestRecord(reference.test(statistics.diagonal, zMax: zMax))))
            for (k, e) in statistics.estimates.enumerated() {
                rows.append(Row(depth: L, correlation: e.correlation, samples: e.count,
                                meanXY: MonteCarloEstimate(mean: e.meanXY, standardError: e.standardErrorOfMeanXY),
                                secondMomentXY: MonteCarloEstimate(mean: e.secondMomentXY, standardError: e.standardErrorOfSecondMomentXY),
                                ratio: MonteCarloEstimate(mean: e.ratio, standardError: e.ratioStandardError),
                                infiniteWidthTheta: reference.infiniteWidth[k]?.theta, infiniteWidthRatio: reference.infiniteWidth[k]?.ratio,
                                dispersion: MonteCarloEstimate(mean: e.dispersion, standardError: e.dispersionStandardError),
                                correlationWithDiagonal: e.correlationWithDiagonal,
                                boundAbsMeanXY: reference.meanUpper, boundSecondMomentXY: reference.secondUpper,
                                exactCheck: e.correlation == 1 ? MomentZTestRecord(reference.test(e.offDiagonalMoments, zMax: zMax)) : nil))
            }
        }
        self.init(network: network, seeds: seeds, zMax: zMax, correlations: correlations, depths: depths, rows: rows)
    }
}

extension OffDiagResult: Codable {
    /// The document: the schema stamp, then the members `ntk offdiag --format json` has always
    /// written (the chart command and the Python package read them).
    public var document: JSONValue {
        let results: [JSONValue] = rows.map { r in
            var members: [(key: String, value: JSONValue)] = [
                ("depth", .number("\(r.depth)")), ("correlation", LegacyJSON.number(r.correlation)), ("samples", .number("\(r.samples)")),
                ("E_theta_xy", r.meanXY.json()), ("E_theta_xy2", r.secondMomentXY.json()), ("ratio", r.ratio.json()),
                ("infinite_width_theta", r.infiniteWidthTheta.map(LegacyJSON.number) ?? .null),
                ("infinite_width_ratio", r.infiniteWidthRatio.map(LegacyJSON.number) ?? .null),
                ("dispersion", r.dispersion.json(standardErrorKey: "se_delta_method")),
                ("correlation_with_diagonal", LegacyJSON.number(r.correlationWithDiagonal)),
                ("bound_abs_E_theta_xy", LegacyJSON.number(r.boundAbsMeanXY)), ("bound_E_theta_xy2", LegacyJSON.number(r.boundSecondMomentXY)),
            ]
            if let t = r.exactCheck { members.append(("exact_check", .object(t.jsonMembers))) }
            return .object(members)
        }
        return .object(schema.jsonMembers(named: "schema") + LegacyJSON.architectureMembers(network) + [
            ("samples", .number("\(samples)")),
            ("seconds", LegacyJSON.number(seconds)),
            ("seeds", .array(seeds.map { .number("\($0)") })),
            ("z_max", LegacyJSON.number(zMax)),
            ("correlations", .array(correlations.map(LegacyJSON.number))),
            ("depths", .array(depths.map { d in
                .object([("depth", .number("\(d.depth)")), ("samples", .number("\(d.samples)")), ("seconds", LegacyJSON.number(d.seconds)),
                         ("stopped_by", .string(d.stoppedBy)), ("diagonal_check", .object(d.diagonalCheck.jsonMembers))])
            })),
            ("verdict", .string(verdict.rawValue)),
            ("results", .array(results)),
        ])
    }

    public func encode(to encoder: any Encoder) throws { try LegacyJSON.encode(document, to: encoder) }

    public init(from decoder: any Decoder) throws { try self.init(document: try JSONValue(from: decoder)) }

    /// The result `document` wrote.
    public init(document d: JSONValue) throws {
        func int(_ v: JSONValue?, _ path: String) throws -> Int {
            guard let n = v?.numberText.flatMap({ Int($0) }) else { throw JSONValueDecoder.Failure(path: path, reason: "expected an integer") }
            return n
        }
        let depths = try (d["depths"]?.arrayValue ?? []).map { e in
            Depth(depth: try int(e["depth"], "depths.depth"), samples: try int(e["samples"], "depths.samples"),
                  seconds: LegacyJSON.double(e["seconds"]), stoppedBy: e["stopped_by"]?.stringValue ?? "",
                  diagonalCheck: try MomentZTestRecord(json: e["diagonal_check"] ?? .null))
        }
        let rows = try (d["results"]?.arrayValue ?? []).map { e in
            Row(depth: try int(e["depth"], "results.depth"), correlation: LegacyJSON.double(e["correlation"]),
                samples: try int(e["samples"], "results.samples"),
                meanXY: MonteCarloEstimate(json: e["E_theta_xy"]), secondMomentXY: MonteCarloEstimate(json: e["E_theta_xy2"]),
                ratio: MonteCarloEstimate(json: e["ratio"]),
                infiniteWidthTheta: e["infinite_width_theta"]?.numberText.flatMap(Double.init),
                infiniteWidthRatio: e["infinite_width_ratio"]?.numberText.flatMap(Double.init),
                dispersion: MonteCarloEstimate(json: e["dispersion"], standardErrorKey: "se_delta_method"),
                correlationWithDiagonal: LegacyJSON.double(e["correlation_with_diagonal"]),
                boundAbsMeanXY: LegacyJSON.double(e["bound_abs_E_theta_xy"]), boundSecondMomentXY: LegacyJSON.double(e["bound_E_theta_xy2"]),
                exactCheck: try e["exact_check"].map { try MomentZTestRecord(json: $0) })
        }
        self.init(network: try LegacyJSON.architecture(in: d), seeds: (d["seeds"]?.arrayValue ?? []).compactMap { $0.numberText.flatMap { UInt64($0) } },
                  zMax: LegacyJSON.double(d["z_max"]), correlations: (d["correlations"]?.arrayValue ?? []).map(LegacyJSON.double),
                  depths: depths, rows: rows)
        schema = try SchemaStamp(jsonMembers: { d[$0] }, named: "schema")
    }
}
