import NTKOutput

/// Brings the JSON of a command that has no typed result yet to the JSON contract of
/// docs/json.md, so that every command's output reads the same way:
/// - a real written as a decimal string (`"E_theta": "5.08…"`) becomes the nearest double
///   (or `null` outside double range) with its digits in `_decimal` and, when out of range,
///   its `_log10`;
/// - a JSON number outside double range (`"ratio": 6.49592e-628`, which parsers read as 0)
///   becomes `null` with `_decimal` and `_log10`.
/// Members that are text by nature (`widths`, versions, notes, `_exact` rationals, forms) and
/// numbers inside arrays are left as they are.
public enum LegacyDocument {
    /// Names whose string values are never reals.
    static let textMembers: Set<String> = ["widths", "ntk_version", "schema", "seed", "build"]
    static let textSuffixes = ["_exact", "_decimal", "_lower_decimal", "_upper_decimal", "_source", "_note", "_reason"]

    public static func conform(_ document: JSONValue) -> JSONValue {
        switch document {
        case .object(let members):
            let present = Set(members.map(\.key))
            var out: [(key: String, value: JSONValue)] = []
            for (key, value) in members {
                if case .object = value { out.append((key, conform(value))); continue }
                if case .array = value { out.append((key, conform(value))); continue }
                let isText = textMembers.contains(key) || textSuffixes.contains(where: key.hasSuffix)
                guard !isText, !present.contains(key + "_decimal") else { out.append((key, value)); continue }
                switch value {
                case .string(let text) where DecimalText.isDecimal(text):
                    out += ReportedReal(decimal: text).jsonMembers(named: key)
                case .number(let text) where DecimalText.nearestDouble(text) == nil:
                    out += ReportedReal(decimal: text).jsonMembers(named: key)
                default:
                    out.append((key, value))
                }
            }
            return .object(out)
        case .array(let elements):
            return .array(elements.map(conform))
        default:
            return document
        }
    }

    /// Writes a stamped document: `stamp`'s members first, then `document` brought to the contract.
    static func encode(stamp: SchemaStamp, _ document: JSONValue, to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: JSONKey.self)
        try c.encode(stamp, forKey: JSONKey("schema"))
        guard case .object(let members) = conform(document) else { return }
        for (key, value) in members { try c.encode(value, forKey: JSONKey(key)) }
    }

    /// The top-level members of a document being decoded, by name.
    static func members(of decoder: any Decoder) throws -> [String: JSONValue] {
        let c = try decoder.container(keyedBy: JSONKey.self)
        var members: [String: JSONValue] = [:]
        for key in c.allKeys { members[key.stringValue] = try c.decode(JSONValue.self, forKey: key) }
        return members
    }
}
