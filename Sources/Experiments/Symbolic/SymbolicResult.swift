import Multiprecision
import NTKMoments
import NTKOutput

/// A polynomial in s = σ² and x = ‖x‖² with exact rational coefficients, as JSON reports it:
/// `degree_s`, `degree_x` and `coefficients[i][j]`, the coefficient of xⁱsʲ as `"p/q"`.
public struct ReportedPolynomial: Sendable, Equatable, Codable {
    public var polynomial: Polynomial

    public init(_ polynomial: Polynomial) { self.polynomial = polynomial }

    enum CodingKeys: String, CodingKey { case degreeS = "degree_s", degreeX = "degree_x", coefficients }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(polynomial.sDegree, forKey: .degreeS)
        try c.encode(polynomial.xDegree, forKey: .degreeX)
        try c.encode(polynomial.coefficients.map { $0.map(\.fractionString) }, forKey: .coefficients)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let rows = try c.decode([[String]].self, forKey: .coefficients)
        let coefficients = try rows.map { try $0.map { text -> BigRational in
            guard let r = BigRational(text) else { throw JSONValueDecoder.Failure(path: "coefficients", reason: "not a rational: \(text)") }
            return r
        } }
        polynomial = Polynomial(coefficients: coefficients)
    }
}

/// The result of `SymbolicRequest` (schema `ntk.symbolic`, docs/schemas/symbolic.schema.json).
public struct SymbolicResult: ExperimentResult, Equatable {
    public static let schemaName = "ntk.symbolic"
    public static let schemaVersion = 1

    public var schema: SchemaStamp = Self.stamp
    /// The width list n₀,… (runs as NxK), the depth and whether biases are trainable.
    public var widths: String
    public var depth: Int
    public var biases: Bool
    public var model: MomentModel
    public var variables = ["s": "sigma^2", "x": "||x||^2"]
    public var coefficientLayout = "coefficients[i][j] multiplies x^i s^j; exact rationals p/q"
    public var validFor = "||x||^2 > 0; at ||x||^2 = 0 (depth >= 2) E_theta = beta, E_theta2 = beta^2"
    public var mean: ReportedPolynomial
    public var secondMoment: ReportedPolynomial
    /// E[Θ^k] for k = 3 … p.
    public var higherMoments: [ReportedPolynomial] = []
    public var fQ: ReportedPolynomial?

    public init(network a: Architecture, model: MomentModel, mean: ReportedPolynomial, secondMoment: ReportedPolynomial) {
        widths = ReportedNetwork.compactWidths(a)
        depth = a.depth
        biases = a.trainableBiases
        self.model = model
        self.mean = mean
        self.secondMoment = secondMoment
    }
}

extension SymbolicResult: Codable {
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: JSONKey.self)
        try c.encode(schema, forKey: JSONKey("schema"))
        try c.encode(widths, forKey: JSONKey("widths"))
        try c.encode(depth, forKey: JSONKey("depth"))
        try c.encode(biases, forKey: JSONKey("biases"))
        try c.encode(model, forKey: JSONKey("model"))
        var v = c.nestedContainer(keyedBy: JSONKey.self, forKey: JSONKey("variables"))
        for key in ["s", "x"] { try v.encode(variables[key], forKey: JSONKey(key)) }
        try c.encode(coefficientLayout, forKey: JSONKey("coefficient_layout"))
        try c.encode(validFor, forKey: JSONKey("valid_for"))
        try c.encode(mean, forKey: JSONKey("E_theta"))
        try c.encode(secondMoment, forKey: JSONKey("E_theta2"))
        for (i, h) in higherMoments.enumerated() { try c.encode(h, forKey: JSONKey("E_theta\(i + 3)")) }
        try c.encodeIfPresent(fQ, forKey: JSONKey("E_fQ"))
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: JSONKey.self)
        schema = try c.decode(SchemaStamp.self, forKey: JSONKey("schema"))
        widths = try c.decode(String.self, forKey: JSONKey("widths"))
        depth = try c.decode(Int.self, forKey: JSONKey("depth"))
        biases = try c.decode(Bool.self, forKey: JSONKey("biases"))
        model = try c.decode(MomentModel.self, forKey: JSONKey("model"))
        variables = try c.decode([String: String].self, forKey: JSONKey("variables"))
        coefficientLayout = try c.decode(String.self, forKey: JSONKey("coefficient_layout"))
        validFor = try c.decode(String.self, forKey: JSONKey("valid_for"))
        mean = try c.decode(ReportedPolynomial.self, forKey: JSONKey("E_theta"))
        secondMoment = try c.decode(ReportedPolynomial.self, forKey: JSONKey("E_theta2"))
        var k = 3
        while let h = try c.decodeIfPresent(ReportedPolynomial.self, forKey: JSONKey("E_theta\(k)")) {
            higherMoments.append(h)
            k += 1
        }
        fQ = try c.decodeIfPresent(ReportedPolynomial.self, forKey: JSONKey("E_fQ"))
    }
}
