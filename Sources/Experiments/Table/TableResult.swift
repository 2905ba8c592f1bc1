import Multiprecision
import NTKMoments
import NTKOutput

/// The result of `TableRequest` (schema `ntk.table`): one row per (σ², λ, M), the values
/// computed in MPFR at the request's precision and reported to its digits.
///
/// `ntk table` prints the rows as a table (text, Markdown, CSV, LaTeX) or, with `--format json`,
/// as this document (docs/schemas/table.schema.json) with each row restricted to `--columns`.
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
    /// In JSON `{"lambda": 0.5, "lambda_exact": "1/2", "M": 3}`.
    public struct UnattainableLambda: Sendable, Equatable, Codable {
        public var lambda: BigRational
        public var width: Int

        enum CodingKeys: String, CodingKey { case lambda, lambdaExact = "lambda_exact", width = "M" }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(JSONValue.number(LegacyJSON.decimalNumber(lambda)), forKey: .lambda)
            try c.encode(lambda.fractionString, forKey: .lambdaExact)
            try c.encode(width, forKey: .width)
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            lambda = try BigRational(parsing: try c.decode(String.self, forKey: .lambdaExact))
            width = try c.decode(Int.self, forKey: .width)
        }

        init(lambda: BigRational, width: Int) {
            self.lambda = lambda
            self.width = width
        }
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

extension TableResult {
    /// The members before `rows`: the stamp and what every row was computed with. `ntk table
    /// --format json` prints them, then the rows it computes (restricted to `--columns`).
    public static func documentMembers(_ request: TableRequest) -> [(key: String, value: JSONValue)] {
        var members = SchemaStamp(name: schemaName, version: schemaVersion).jsonMembers(named: "schema")
        members += [("moment", .number("\(request.moment)")), ("first_step", .bool(request.firstStep)),
                    ("digits", .number("\(request.digits)")), ("precision_bits", .number("\(request.precision)"))]
        if let shard = request.shard { members.append(("shard", .string(shard.description))) }
        return members
    }
}

extension TableResult.Row {
    /// The row's members under the table's column names, numbers as JSON numbers (the digits
    /// reported; null beside `_decimal`, `_log10` outside double range), then the members no
    /// column shows.
    public var members: [(key: String, value: JSONValue)] {
        var out: [(key: String, value: JSONValue)] = []
        func number(_ name: String, _ text: String?) {
            guard let text else { return out.append((name, .null)) }
            out += (try? JSONTableSink.numberMembers(name, text)) ?? [(name, .null)]
        }
        number("sigma2", LegacyJSON.decimalNumber(sigma2))
        number("lambda", LegacyJSON.decimalNumber(lambda))
        number("M", "\(width)")
        number("L", "\(depth)")
        number("n0", "\(inputDimension)")
        for (name, value) in [("ratio", ratio), ("limit_exact", limitExact), ("limit_published", limitPublished),
                              ("rel_err_exact", relativeErrorExact), ("rel_err_published", relativeErrorPublished),
                              ("order_exact", orderExact), ("order_published", orderPublished), ("c1", c1), ("predicted", predicted),
                              ("rel_err_predicted", relativeErrorPredicted), ("richardson", richardson)] {
            number(name, value.decimal)
        }
        out += [("sigma2_exact", .string(sigma2.fractionString)), ("lambda_exact", .string(lambda.fractionString)),
                ("requested_lambda_exact", .string(requestedLambda.fractionString)), ("phase", .string(phase.rawValue)),
                ("published_is_gi_derived", .bool(publishedIsGIDerived))]
        if let correctionNote { out.append(("correction_note", .string(correctionNote))) }
        return out
    }

    /// The row `members` wrote.
    init(members m: JSONValue) throws {
        func fail(_ key: String) -> JSONValueDecoder.Failure { JSONValueDecoder.Failure(path: "rows.\(key)", reason: "missing or malformed") }
        func rational(_ key: String) throws -> BigRational {
            guard let text = m[key]?.stringValue, let r = try? BigRational(parsing: text) else { throw fail(key) }
            return r
        }
        func integer(_ key: String) throws -> Int {
            guard let n = m[key]?.numberText.flatMap({ Int($0) }) else { throw fail(key) }
            return n
        }
        func real(_ key: String) -> ReportedReal {
            guard let text = m[key + "_decimal"]?.stringValue ?? m[key]?.numberText else { return .undefined }
            return ReportedReal(decimal: text)
        }
        guard let phase = m["phase"]?.stringValue.flatMap(Phase.init(rawValue:)) else { throw fail("phase") }
        sigma2 = try rational("sigma2_exact")
        lambda = try rational("lambda_exact")
        requestedLambda = try rational("requested_lambda_exact")
        width = try integer("M")
        depth = try integer("L")
        inputDimension = try integer("n0")
        self.phase = phase
        ratio = real("ratio")
        limitExact = real("limit_exact")
        limitPublished = real("limit_published")
        publishedIsGIDerived = m["published_is_gi_derived"]?.boolValue ?? false
        relativeErrorExact = real("rel_err_exact")
        relativeErrorPublished = real("rel_err_published")
        orderExact = real("order_exact")
        orderPublished = real("order_published")
        richardson = real("richardson")
        c1 = real("c1")
        predicted = real("predicted")
        relativeErrorPredicted = real("rel_err_predicted")
        correctionNote = m["correction_note"]?.stringValue
    }
}

/// The document: `documentMembers`, `rows` (every member of every row), and the λ that λM misses.
extension TableResult: Codable {
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: JSONKey.self)
        try c.encode(schema, forKey: JSONKey("schema"))
        try c.encode(moment, forKey: JSONKey("moment"))
        try c.encode(firstStep, forKey: JSONKey("first_step"))
        try c.encode(digits, forKey: JSONKey("digits"))
        try c.encode(precisionBits, forKey: JSONKey("precision_bits"))
        try c.encodeIfPresent(shard, forKey: JSONKey("shard"))
        try c.encode(JSONValue.array(rows.map { .object($0.members) }), forKey: JSONKey("rows"))
        try c.encode(unattainableLambdas, forKey: JSONKey("unattainable_lambdas"))
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: JSONKey.self)
        schema = try c.decode(SchemaStamp.self, forKey: JSONKey("schema"))
        moment = try c.decode(Int.self, forKey: JSONKey("moment"))
        firstStep = try c.decode(Bool.self, forKey: JSONKey("first_step"))
        digits = try c.decode(Int.self, forKey: JSONKey("digits"))
        precisionBits = try c.decode(Int.self, forKey: JSONKey("precision_bits"))
        shard = try c.decodeIfPresent(String.self, forKey: JSONKey("shard"))
        rows = try (c.decode(JSONValue.self, forKey: JSONKey("rows")).arrayValue ?? []).map(Row.init(members:))
        unattainableLambdas = try c.decode([UnattainableLambda].self, forKey: JSONKey("unattainable_lambdas"))
    }
}
