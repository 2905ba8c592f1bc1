import Multiprecision
import NTKMoments
import NTKOutput

/// The result of `TableRequest` (schema `ntk.table`): one row per (σ², λ, M), the values
/// computed in MPFR at the request's precision and reported to its digits.
///
/// `ntk table` prints the rows as a table (text, Markdown, CSV, LaTeX, or a JSON array of rows
/// under the names of its columns, docs/schemas/table.schema.json); this document is what a
/// library client receives.
public struct TableResult: ExperimentResult, Equatable {
    public static let schemaName = "ntk.table"
    public static let schemaVersion = 1

    /// One network of the table (`ConvergenceStudy.Row`, reported).
    public struct Row: Sendable, Equatable {
        public var sigma2: BigRational
        /// λ′ = L/M, the ratio the row was computed and compared at.
        public var lambda: BigRational
        /// The λ of the row's (σ², λ) group.
        public var requestedLambda: BigRational
        public var width: Int
        public var depth: Int
        public var inputDimension: Int
        public var phase: Phase
        /// The tabulated quantity at finite width: the dispersion, E[Θ^p]/E[Θ]^p or E[fQ]/E[Θ]².
        public var ratio: ReportedReal
        public var limitExact: ReportedReal
        /// Undefined where nothing was published (p ≥ 3, E[fQ]).
        public var limitPublished: ReportedReal
        public var publishedIsGIDerived: Bool
        public var relativeErrorExact: ReportedReal
        public var relativeErrorPublished: ReportedReal
        /// Observed orders of convergence (at most 4 digits); undefined on a group's first row
        /// and where λ′ changed from the row before.
        public var orderExact: ReportedReal
        public var orderPublished: ReportedReal
        public var richardson: ReportedReal
        /// Present only when the request asked for the first correction.
        public var c1: ReportedReal
        public var predicted: ReportedReal
        public var relativeErrorPredicted: ReportedReal
        /// Why c₁ or the prediction is absent although asked for.
        public var correctionNote: String?

        /// The row of `study` reported to `digits` significant digits.
        public init(_ row: ConvergenceStudy.Row, digits: Int) {
            func real(_ x: BigFloat?, _ d: Int = digits) -> ReportedReal {
                x.map { ReportedReal(decimal: $0.formatted(significantDigits: d)) } ?? .undefined
            }
            sigma2 = row.sigma2
            lambda = row.lambda
            requestedLambda = row.requestedLambda
            width = row.width
            depth = row.depth
            inputDimension = row.inputDimension
            phase = row.phase
            ratio = real(row.dispersion)
            limitExact = real(row.limitExact)
            limitPublished = real(row.limitPublished)
            publishedIsGIDerived = row.publishedIsGIDerived
            relativeErrorExact = real(row.relativeErrorExact)
            relativeErrorPublished = real(row.relativeErrorPublished)
            orderExact = real(row.orderExact, min(digits, 4))
            orderPublished = real(row.orderPublished, min(digits, 4))
            richardson = real(row.richardson)
            c1 = real(row.c1)
            predicted = real(row.predicted)
            relativeErrorPredicted = real(row.relativeErrorPredicted)
            correctionNote = row.correctionNote
        }
    }

    /// A requested λ that λM misses at width M: that row is computed at λ′ = round(λM)/M.
    public struct UnattainableLambda: Sendable, Equatable, Codable {
        public var lambda: BigRational
        public var width: Int
    }

    public var schema: SchemaStamp = Self.stamp
    /// p of E[Θ^p]/E[Θ]^p (2: the dispersion).
    public var moment: Int
    public var firstStep: Bool
    public var digits: Int
    public var precisionBits: Int
    /// The shard these rows are (nil: the whole table).
    public var shard: String?
    public var rows: [Row]
    public var unattainableLambdas: [UnattainableLambda]

    public init(request: TableRequest, rows: [Row]) {
        moment = request.moment
        firstStep = request.firstStep
        digits = request.digits
        precisionBits = request.precision
        shard = request.shard?.description
        self.rows = rows
        unattainableLambdas = request.study.unattainableLambdas.map { UnattainableLambda(lambda: $0.lambda, width: $0.width) }
    }
}

extension TableResult: Codable {
    enum CodingKeys: String, CodingKey {
        case schema, moment, firstStep = "first_step", digits, precisionBits = "precision_bits", shard, rows
        case unattainableLambdas = "unattainable_lambdas"
    }
}

extension TableResult.Row: Codable {
    enum CodingKeys: String, CodingKey {
        case sigma2, lambda, requestedLambda = "requested_lambda", width = "M", depth = "L", inputDimension = "n0", phase
        case ratio, limitExact = "limit_exact", limitPublished = "limit_published", publishedIsGIDerived = "published_is_gi_derived"
        case relativeErrorExact = "rel_err_exact", relativeErrorPublished = "rel_err_published"
        case orderExact = "order_exact", orderPublished = "order_published", richardson, c1, predicted
        case relativeErrorPredicted = "rel_err_predicted", correctionNote = "correction_note"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(sigma2, forKey: .sigma2)
        try c.encode(lambda, forKey: .lambda)
        try c.encode(requestedLambda, forKey: .requestedLambda)
        try c.encode(width, forKey: .width)
        try c.encode(depth, forKey: .depth)
        try c.encode(inputDimension, forKey: .inputDimension)
        try c.encode(phase.rawValue, forKey: .phase)
        try c.encode(ratio, forKey: .ratio)
        try c.encode(limitExact, forKey: .limitExact)
        try c.encode(limitPublished, forKey: .limitPublished)
        try c.encode(publishedIsGIDerived, forKey: .publishedIsGIDerived)
        try c.encode(relativeErrorExact, forKey: .relativeErrorExact)
        try c.encode(relativeErrorPublished, forKey: .relativeErrorPublished)
        try c.encode(orderExact, forKey: .orderExact)
        try c.encode(orderPublished, forKey: .orderPublished)
        try c.encode(richardson, forKey: .richardson)
        try c.encode(c1, forKey: .c1)
        try c.encode(predicted, forKey: .predicted)
        try c.encode(relativeErrorPredicted, forKey: .relativeErrorPredicted)
        try c.encodeIfPresent(correctionNote, forKey: .correctionNote)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        guard let phase = Phase(rawValue: try c.decode(String.self, forKey: .phase)) else {
            throw JSONValueDecoder.Failure(path: "phase", reason: "not a phase")
        }
        sigma2 = try c.decode(BigRational.self, forKey: .sigma2)
        lambda = try c.decode(BigRational.self, forKey: .lambda)
        requestedLambda = try c.decode(BigRational.self, forKey: .requestedLambda)
        width = try c.decode(Int.self, forKey: .width)
        depth = try c.decode(Int.self, forKey: .depth)
        inputDimension = try c.decode(Int.self, forKey: .inputDimension)
        self.phase = phase
        ratio = try c.decode(ReportedReal.self, forKey: .ratio)
        limitExact = try c.decode(ReportedReal.self, forKey: .limitExact)
        limitPublished = try c.decode(ReportedReal.self, forKey: .limitPublished)
        publishedIsGIDerived = try c.decode(Bool.self, forKey: .publishedIsGIDerived)
        relativeErrorExact = try c.decode(ReportedReal.self, forKey: .relativeErrorExact)
        relativeErrorPublished = try c.decode(ReportedReal.self, forKey: .relativeErrorPublished)
        orderExact = try c.decode(ReportedReal.self, forKey: .orderExact)
        orderPublished = try c.decode(ReportedReal.self, forKey: .orderPublished)
        richardson = try c.decode(ReportedReal.self, forKey: .richardson)
        c1 = try c.decode(ReportedReal.self, forKey: .c1)
        predicted = try c.decode(ReportedReal.self, forKey: .predicted)
        relativeErrorPredicted = try c.decode(ReportedReal.self, forKey: .relativeErrorPredicted)
        correctionNote = try c.decodeIfPresent(String.self, forKey: .correctionNote)
    }
}
