/// A value that a JSON object carries as several sibling members rather than one nested
/// object: a real quantity `E_theta` appears as `E_theta`, `E_theta_decimal`,
/// `E_theta_exact`, … (docs/json.md). `JSONValueEncoder` and `JSONValueDecoder` flatten and
/// gather these members wherever such a value is a property of an encoded type.
public protocol JSONSiblingFields {
    /// The members this value contributes to its parent object under the base name `name`,
    /// in output order. Empty when the value has nothing to say.
    func jsonMembers(named name: String) -> [(key: String, value: JSONValue)]

    /// Reads the value back from its parent object's members; `member(key)` is nil for an
    /// absent key.
    /// - Throws: `JSONValueDecoder.Failure` when the members do not describe a value.
    init(jsonMembers member: (String) -> JSONValue?, named name: String) throws

    /// The member keys whose presence means the value is present (for optional properties).
    static func jsonMemberNames(named name: String) -> [String]
}

/// A value that exists only as sibling members of a parent object (a network's `widths`,
/// `sigma2`, … or a matrix of reals): `JSONValueEncoder` and `JSONValueDecoder` handle it
/// through `JSONSiblingFields`, and any other coder is refused rather than handed a shape
/// that no schema describes.
public protocol JSONSiblingFieldsOnly: JSONSiblingFields, Codable {}

extension JSONSiblingFieldsOnly {
    public init(from decoder: any Decoder) throws {
        throw DecodingError.typeMismatch(Self.self, .init(codingPath: decoder.codingPath,
            debugDescription: "\(Self.self) is read from its parent object's members (JSONValueDecoder)"))
    }

    public func encode(to encoder: any Encoder) throws {
        throw EncodingError.invalidValue(self, .init(codingPath: encoder.codingPath,
            debugDescription: "\(Self.self) is written into its parent object's members (JSONValueEncoder)"))
    }
}

/// A coding key for members whose names are only known at run time.
public struct JSONKey: CodingKey, Hashable {
    public var stringValue: String
    public init(_ name: String) { stringValue = name }
    public init?(stringValue: String) { self.stringValue = stringValue }
    public var intValue: Int? { nil }
    public init?(intValue: Int) { nil }
}
