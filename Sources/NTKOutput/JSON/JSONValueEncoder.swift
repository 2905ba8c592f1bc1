/// Encodes any `Encodable` value as a `JSONValue`, keeping object members in the order the
/// value encodes them (Foundation's `JSONEncoder` does not), so printed documents are
/// deterministic and read in a sensible order.
///
/// Numbers: integers verbatim; `Double` and `Float` as their shortest round-trip decimal
/// (the nearest double is what any JSON parser reads back); non-finite values as `null`,
/// never as a token that a parser would turn into 0 or infinity. Values that conform to
/// `JSONSiblingFields` are flattened into their parent object. A `JSONValue` property is
/// inserted as it is.
public struct JSONValueEncoder {
    public init() {}

    /// - Throws: `EncodingError.invalidValue` when a type encodes nothing at the top level.
    public func encode<T: Encodable>(_ value: T) throws -> JSONValue {
        let slot = try TreeEncoder.slot(for: value, codingPath: [])
        guard let tree = slot.value else {
            throw EncodingError.invalidValue(value, .init(codingPath: [], debugDescription: "\(T.self) encoded nothing"))
        }
        return tree
    }
}

/// One place in the document being built; containers are shared by reference so that a
/// nested container keeps receiving members after it has been handed out.
private final class Slot {
    enum Content {
        case empty
        case leaf(JSONValue)
        case object([(key: String, slot: Slot)])
        case array([Slot])
    }
    var content: Content = .empty

    var value: JSONValue? {
        switch content {
        case .empty: return nil
        case .leaf(let v): return v
        case .object(let members): return .object(members.compactMap { m in m.slot.value.map { (key: m.key, value: $0) } })
        case .array(let elements): return .array(elements.map { $0.value ?? .null })
        }
    }

    func append(key: String, _ slot: Slot) {
        if case .object(var members) = content {
            members.removeAll { $0.key == key }
            members.append((key, slot))
            content = .object(members)
        } else {
            content = .object([(key, slot)])
        }
    }

    func append(_ slot: Slot) {
        if case .array(var elements) = content {
            elements.append(slot)
            content = .array(elements)
        } else {
            content = .array([slot])
        }
    }
}

private struct TreeEncoder: Encoder {
    let slot: Slot
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    static func slot<T: Encodable>(for value: T, codingPath: [any CodingKey]) throws -> Slot {
        let slot = Slot()
        if let leaf = leaf(value) {
            slot.content = .leaf(leaf)
        } else {
            try value.encode(to: TreeEncoder(slot: slot, codingPath: codingPath))
        }
        return slot
    }

    /// Scalars written directly (so that `Double` is never routed through a generic path).
    static func leaf<T>(_ value: T) -> JSONValue? {
        switch value {
        case let v as JSONValue: return v
        case let v as String: return .string(v)
        case let v as Bool: return .bool(v)
        case let v as Double: return v.isFinite ? .number(numberText(v)) : .null
        case let v as Float: return v.isFinite ? .number(numberText(Double(v))) : .null
        case let v as Int: return .number(String(v))
        case let v as Int64: return .number(String(v))
        case let v as Int32: return .number(String(v))
        case let v as UInt64: return .number(String(v))
        case let v as UInt32: return .number(String(v))
        case let v as UInt: return .number(String(v))
        default: return nil
        }
    }

    static func numberText(_ v: Double) -> String { DecimalText.shortest(v) }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .object = slot.content {} else { slot.content = .object([]) }
        return KeyedEncodingContainer(KeyedTreeContainer<Key>(slot: slot, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if case .array = slot.content {} else { slot.content = .array([]) }
        return UnkeyedTreeContainer(slot: slot, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { SingleTreeContainer(slot: slot, codingPath: codingPath) }
}

private struct KeyedTreeContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let slot: Slot
    let codingPath: [any CodingKey]

    mutating func encodeNil(forKey key: Key) throws {
        let s = Slot()
        s.content = .leaf(.null)
        slot.append(key: key.stringValue, s)
    }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        if let fields = value as? any JSONSiblingFields {
            for member in fields.jsonMembers(named: key.stringValue) {
                let s = Slot()
                s.content = .leaf(member.value)
                slot.append(key: member.key, s)
            }
            return
        }
        slot.append(key: key.stringValue, try TreeEncoder.slot(for: value, codingPath: codingPath + [key]))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let s = Slot()
        s.content = .object([])
        slot.append(key: key.stringValue, s)
        return KeyedEncodingContainer(KeyedTreeContainer<NestedKey>(slot: s, codingPath: codingPath + [key]))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let s = Slot()
        s.content = .array([])
        slot.append(key: key.stringValue, s)
        return UnkeyedTreeContainer(slot: s, codingPath: codingPath + [key])
    }

    mutating func superEncoder() -> any Encoder { superEncoder(forKey: Key(stringValue: "super")!) }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        let s = Slot()
        slot.append(key: key.stringValue, s)
        return TreeEncoder(slot: s, codingPath: codingPath + [key])
    }
}

private struct UnkeyedTreeContainer: UnkeyedEncodingContainer {
    let slot: Slot
    let codingPath: [any CodingKey]
    var count: Int {
        if case .array(let elements) = slot.content { return elements.count }
        return 0
    }

    mutating func encodeNil() throws {
        let s = Slot()
        s.content = .leaf(.null)
        slot.append(s)
    }

    mutating func encode<T: Encodable>(_ value: T) throws {
        slot.append(try TreeEncoder.slot(for: value, codingPath: codingPath))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let s = Slot()
        s.content = .object([])
        slot.append(s)
        return KeyedEncodingContainer(KeyedTreeContainer<NestedKey>(slot: s, codingPath: codingPath))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let s = Slot()
        s.content = .array([])
        slot.append(s)
        return UnkeyedTreeContainer(slot: s, codingPath: codingPath)
    }

    mutating func superEncoder() -> any Encoder {
        let s = Slot()
        slot.append(s)
        return TreeEncoder(slot: s, codingPath: codingPath)
    }
}

private struct SingleTreeContainer: SingleValueEncodingContainer {
    let slot: Slot
    let codingPath: [any CodingKey]

    mutating func encodeNil() throws { slot.content = .leaf(.null) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        slot.content = try TreeEncoder.slot(for: value, codingPath: codingPath).content
    }
}
