import Multiprecision
import NTKMoments
import NTKOutput

/// The result of `ExpandRequest` (schema `ntk.expand`, docs/schemas/expand.schema.json): the
/// family, the widths fitted and checked, and — where the expansion holds (`reason` nil) —
/// the fitted series with their printed-error bounds and the closed forms beside them.
public struct ExpandResult: ExperimentResult, Equatable {
    public static let schemaName = "ntk.expand"
    public static let schemaVersion = 1

    /// What the reported ± means, as the document states it.
    public static let errorEstimateNote = "twice the difference from the window at doubled widths, plus half a unit in the last printed digit (self-consistent, not rigorous)"

    public var schema: SchemaStamp = Self.stamp
    public var sigma2: BigRational
    public var lambda: BigRational
    /// r = n₀/M and ‖x‖²; α₀ = r/‖x‖² with biases, 0 without.
    public var inputRatio: BigRational
    public var inputNorm2: BigRational
    public var alpha0: BigRational
    public var biases: Bool
    public var model: MomentModel
    public var phase: Phase
    /// The highest coefficient c_k (0 when decoded from a document without coefficients).
    public var order: Int
    /// Significant digits of the coefficients (0 when decoded: the document does not carry it).
    public var digits: Int
    /// The widths of the fitting window and of its copy at doubled widths.
    public var widths: [Int]
    public var checkWidths: [Int]
    public var precisionBits: Int
    /// The widths are widthBase·2^k (widthBase makes λM and n₀ = rM integers) for k in
    /// `widthExponents`, from the first fitted width to the last check width. Text report
    /// only (nil when decoded).
    public var widthBase: BigRational?
    public var widthExponents: ClosedRange<Int>?
    /// Why the expansion does not hold here; nil when it does.
    public var reason: String?
    /// R(M) = E[Θ²]/E[Θ]².
    public var dispersion: ExpandSeries?
    /// The closed forms of c₁, c₂ (exact model, n₀ = M).
    public var closedForms: ExpandClosedForms?
    /// E[Θ]/Θ* and E[Θ²]/Θ*², Θ* the infinite-width NTK.
    public var meanRatio: ExpandSeries?
    public var secondMomentRatio: ExpandSeries?
    /// E[fQ]/E[Θ]² and its closed-form limit, when asked for.
    public var firstStepRatio: ExpandSeries?
    public var firstStepLimit: ExpandFirstStepLimit?

    /// True when the 1/M expansion holds at this setting.
    public var isValid: Bool { reason == nil }

    public init(sigma2: BigRational, lambda: BigRational, inputRatio: BigRational, inputNorm2: BigRational, alpha0: BigRational,
                biases: Bool, model: MomentModel, phase: Phase, order: Int, digits: Int, widths: [Int], checkWidths: [Int],
                precisionBits: Int, widthBase: BigRational? = nil, widthExponents: ClosedRange<Int>? = nil, reason: String? = nil,
                dispersion: ExpandSeries? = nil, closedForms: ExpandClosedForms? = nil, meanRatio: ExpandSeries? = nil,
                secondMomentRatio: ExpandSeries? = nil, firstStepRatio: ExpandSeries? = nil, firstStepLimit: ExpandFirstStepLimit? = nil) {
        self.sigma2 = sigma2
        self.lambda = lambda
        self.inputRatio = inputRatio
        self.inputNorm2 = inputNorm2
        self.alpha0 = alpha0
        self.biases = biases
        self.model = model
        self.phase = phase
        self.order = order
        self.digits = digits
        self.widths = widths
        self.checkWidths = checkWidths
        self.precisionBits = precisionBits
        self.widthBase = widthBase
        self.widthExponents = widthExponents
        self.reason = reason
        self.dispersion = dispersion
        self.closedForms = closedForms
        self.meanRatio = meanRatio
        self.secondMomentRatio = secondMomentRatio
        self.firstStepRatio = firstStepRatio
        self.firstStepLimit = firstStepLimit
    }

    /// The names of the coefficients: F, c1, …, c_order.
    public var coefficientNames: [String] { ["F"] + (0..<order).map { "c\($0 + 1)" } }
}

/// The document: the schema stamp, then the members `ntk expand --format json` wrote before it
/// was typed (in that order), brought to the JSON contract (`LegacyDocument`).
extension ExpandResult: Codable {
    func seriesMembers(_ s: ExpandSeries) -> [(key: String, value: JSONValue)] {
        zip(coefficientNames, zip(s.coefficients, s.errors)).flatMap { name, ce in
            [(name, .string(ce.0.decimal ?? "")), (name + "_error", .string(ce.1.decimal ?? ""))] as [(key: String, value: JSONValue)]
        }
    }

    var legacyDocument: JSONValue {
        let number = { (r: BigRational) in JSONValue.number(LegacyJSON.decimalNumber(r)) }
        var members: [(key: String, value: JSONValue)] = [
            ("sigma2", number(sigma2)), ("sigma2_exact", .string(sigma2.fractionString)),
            ("lambda", number(lambda)), ("lambda_exact", .string(lambda.fractionString)),
            ("input_ratio", number(inputRatio)), ("input_norm2", number(inputNorm2)),
            ("alpha0", number(alpha0)), ("biases", .bool(biases)),
            ("model", .string(model.rawValue)), ("phase", .string(phase.rawValue)),
            ("widths", .array(widths.map { .number("\($0)") })),
            ("check_widths", .array(checkWidths.map { .number("\($0)") })),
            ("precision_bits", .number("\(precisionBits)")),
            ("valid", .bool(isValid)),
        ]
        if let reason {
            members.append(("reason", .string(reason)))
            return .object(members)
        }
        members.append(("error_estimate", .string(Self.errorEstimateNote)))
        if let dispersion { members += seriesMembers(dispersion) }
        if let c = closedForms {
            members.append(("c1_closed_form", .string(c.c1.decimal ?? "")))
            members.append(("c1_difference", .string(c.c1Difference.decimal ?? "")))
            if let c2 = c.c2, let d2 = c.c2Difference {
                members.append(("c2_closed_form", .string(c2.decimal ?? "")))
                members.append(("c2_difference", .string(d2.decimal ?? "")))
            }
        }
        if let meanRatio { members.append(("mean_ratio", .object(seriesMembers(meanRatio)))) }
        if let secondMomentRatio { members.append(("second_moment_ratio", .object(seriesMembers(secondMomentRatio)))) }
        if let fs = firstStepRatio {
            members.append(("fQ_over_theta2", .object(seriesMembers(fs))))
            if let l = firstStepLimit { members.append(("fQ_over_theta2_limit_closed_form", .string(l.limit.decimal ?? ""))) }
        }
        return .object(members)
    }

    public func encode(to encoder: any Encoder) throws {
        try LegacyDocument.encode(stamp: schema, legacyDocument, to: encoder)
    }

    public init(from decoder: any Decoder) throws {
        let members = try LegacyDocument.members(of: decoder)
        func fail(_ key: String, _ reason: String) -> JSONValueDecoder.Failure { JSONValueDecoder.Failure(path: key, reason: reason) }
        /// The digits of a real: `_decimal`, or the number itself when it holds them exactly.
        func decimal(_ object: [String: JSONValue], _ key: String) -> String? {
            object[key + "_decimal"]?.stringValue ?? object[key]?.numberText
        }
        func rational(_ key: String) throws -> BigRational {
            guard let text = members[key + "_exact"]?.stringValue ?? decimal(members, key), let r = try? BigRational(parsing: text) else {
                throw fail(key, "expected a rational")
            }
            return r
        }
        func integers(_ key: String) throws -> [Int] {
            try (members[key]?.arrayValue ?? []).map { v in
                guard let n = v.numberText.flatMap({ Int($0) }) else { throw fail(key, "expected integers") }
                return n
            }
        }
        func real(_ object: [String: JSONValue], _ key: String) -> ReportedReal? { decimal(object, key).map { ReportedReal(decimal: $0) } }
        guard let model = members["model"]?.stringValue.flatMap(MomentModel.init(rawValue:)) else { throw fail("model", "expected exact or gi") }
        guard let phase = members["phase"]?.stringValue.flatMap(Phase.init(rawValue:)) else { throw fail("phase", "not a phase") }
        guard let bits = members["precision_bits"]?.numberText.flatMap({ Int($0) }) else { throw fail("precision_bits", "expected an integer") }
        // The document does not name the order: it is the highest c_k with an error at the top level.
        let order = (1...ExpandRequest.orderRange.upperBound).last { members["c\($0)_error"] != nil } ?? 0
        self.init(sigma2: try rational("sigma2"), lambda: try rational("lambda"), inputRatio: try rational("input_ratio"),
                  inputNorm2: try rational("input_norm2"), alpha0: try rational("alpha0"),
                  biases: members["biases"]?.boolValue ?? true, model: model, phase: phase, order: order, digits: 0,
                  widths: try integers("widths"), checkWidths: try integers("check_widths"), precisionBits: bits,
                  reason: members["valid"]?.boolValue == false ? (members["reason"]?.stringValue ?? "") : nil)
        schema = try SchemaStamp(jsonMembers: { members[$0] }, named: "schema")
        guard isValid else { return }
        let names = coefficientNames
        func series(_ object: [String: JSONValue]) throws -> ExpandSeries {
            var cs: [ReportedReal] = [], es: [ReportedReal] = []
            for name in names {
                guard let v = real(object, name), let e = real(object, name + "_error") else { throw fail(name, "expected a coefficient and its error") }
                cs.append(v)
                es.append(e)
            }
            return ExpandSeries(coefficients: cs, errors: es)
        }
        func object(_ key: String) -> [String: JSONValue]? {
            guard case .object(let m)? = members[key] else { return nil }
            return Dictionary(m, uniquingKeysWith: { a, _ in a })
        }
        dispersion = try series(members)
        if let c1 = real(members, "c1_closed_form"), let d1 = real(members, "c1_difference") {
            closedForms = ExpandClosedForms(c1: c1, c1Difference: d1, c2: real(members, "c2_closed_form"), c2Difference: real(members, "c2_difference"))
        }
        meanRatio = try object("mean_ratio").map(series)
        secondMomentRatio = try object("second_moment_ratio").map(series)
        firstStepRatio = try object("fQ_over_theta2").map(series)
        firstStepLimit = real(members, "fQ_over_theta2_limit_closed_form").map { ExpandFirstStepLimit(limit: $0) }
    }
}
