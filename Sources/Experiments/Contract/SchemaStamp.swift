import NTKOutput

/// The first members of every result document: which schema it follows and which build
/// wrote it, e.g. `"schema": "ntk.kernel", "schema_version": 1, "ntk_version": "0.4.0"`.
/// A schema's version changes when its document changes incompatibly; the JSON Schema files
/// in docs/schemas/ describe each version.
public struct SchemaStamp: Sendable, Equatable {
    public var name: String
    public var version: Int
    public var toolVersion: String

    public init(name: String, version: Int, toolVersion: String = ToolVersion.string) {
        self.name = name
        self.version = version
        self.toolVersion = toolVersion
    }
}

extension SchemaStamp: JSONSiblingFields {
    public func jsonMembers(named _: String) -> [(key: String, value: JSONValue)] {
        [("schema", .string(name)), ("schema_version", .number("\(version)")), ("ntk_version", .string(toolVersion))]
    }

    public static func jsonMemberNames(named _: String) -> [String] { ["schema"] }

    public init(jsonMembers member: (String) -> JSONValue?, named _: String) throws {
        guard let name = member("schema")?.stringValue,
              let version = member("schema_version")?.numberText.flatMap({ Int($0) }) else {
            throw JSONValueDecoder.Failure(path: "schema", reason: "not an ntk result document (no schema and schema_version)")
        }
        self.init(name: name, version: version, toolVersion: member("ntk_version")?.stringValue ?? "unknown")
    }
}

/// A result of one experiment: a `Codable` value whose JSON encoding (by
/// `JSONValueEncoder`) is the document every front end prints or returns.
public protocol ExperimentResult: Sendable, Codable {
    /// The schema name and version this type's documents follow.
    static var schemaName: String { get }
    static var schemaVersion: Int { get }
}

extension ExperimentResult {
    /// The stamp a freshly computed result carries.
    public static var stamp: SchemaStamp { SchemaStamp(name: schemaName, version: schemaVersion) }
}

/// Outside a parent object the stamp is an object with the same three members.
extension SchemaStamp: Codable {
    private enum CodingKeys: String, CodingKey { case schema, schemaVersion = "schema_version", ntkVersion = "ntk_version" }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .schema)
        try c.encode(version, forKey: .schemaVersion)
        try c.encode(toolVersion, forKey: .ntkVersion)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(name: try c.decode(String.self, forKey: .schema), version: try c.decode(Int.self, forKey: .schemaVersion),
                  toolVersion: try c.decodeIfPresent(String.self, forKey: .ntkVersion) ?? "unknown")
    }
}
