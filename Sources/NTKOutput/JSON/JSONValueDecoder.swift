/// Decodes any `Decodable` value from a `JSONValue` tree: the inverse of `JSONValueEncoder`,
/// including the gathering of `JSONSiblingFields` members. Numbers are read from their text,
/// so an integer is accepted only when its text is an integer in range (never truncated).
public struct JSONValueDecoder {
    public init() {}

    /// A document that does not describe a value of the requested type.
    public struct Failure: Error, CustomStringConvertible {
        public let path: String
        public let reason: String
        public init(path: String, reason: String) {
            self.path = path
            self.reason = reason
        }
        public var description: String { path.isEmpty ? reason : "\(path): \(reason)" }
    }

    /// - Throws: `Failure` naming the offending member.
    public func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        try TreeDecoder(value: value, codingPath: []).decodeValue(T.self)
    }
}

private func pathText(_ path: [any CodingKey]) -> String {
    path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
}

private func failure(_ path: [any CodingKey], _ reason: String) -> JSONValueDecoder.Failure {
    JSONValueDecoder.Failure(path: pathText(path), reason: reason)
}

private struct TreeDecoder: Decoder {
    let value: JSONValue
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func decodeValue<T: Decodable>(_ type: T.Type) throws -> T {
        if let leaf = try leaf(type) { return leaf }
        return try T(from: self)
    }

    /// Scalars read directly from the tree.
    func leaf<T>(_ type: T.Type) throws -> T? {
        func number<N>(_ parse: (String) -> N?) throws -> N {
            guard case .number(let text) = value, let n = parse(text) else {
                throw failure(codingPath, "expected \(T.self), found \(kind(value))")
            }
            return n
        }
        switch type {
        case is JSONValue.Type: return value as? T
        case is String.Type:
            guard case .string(let s) = value else { throw failure(codingPath, "expected a string, found \(kind(value))") }
            return s as? T
        case is Bool.Type:
            guard case .bool(let b) = value else { throw failure(codingPath, "expected true or false, found \(kind(value))") }
            return b as? T
        case is Double.Type:
            if case .null = value { return Double.nan as? T }
            return try number { Double($0) } as? T
        case is Int.Type: return try number { Int($0) } as? T
        case is Int64.Type: return try number { Int64($0) } as? T
        case is Int32.Type: return try number { Int32($0) } as? T
        case is UInt64.Type: return try number { UInt64($0) } as? T
        case is UInt32.Type: return try number { UInt32($0) } as? T
        default: return nil
        }
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let members) = value else { throw failure(codingPath, "expected an object, found \(kind(value))") }
        return KeyedDecodingContainer(KeyedTreeDecoder<Key>(members: members, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let elements) = value else { throw failure(codingPath, "expected an array, found \(kind(value))") }
        return UnkeyedTreeDecoder(elements: elements, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { SingleTreeDecoder(value: value, codingPath: codingPath) }
}

private func kind(_ value: JSONValue) -> String {
    switch value {
    case .null: return "null"
    case .bool: return "a boolean"
    case .number: return "a number"
    case .string: return "a string"
    case .array: return "an array"
    case .object: return "an object"
    }
}

private struct IndexKey: CodingKey {
    let intValue: Int?
    var stringValue: String { "\(intValue ?? 0)" }
    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.intValue = intValue }
}

private struct KeyedTreeDecoder<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let members: [(key: String, value: JSONValue)]
    let codingPath: [any CodingKey]

    var allKeys: [Key] { members.compactMap { Key(stringValue: $0.key) } }

    func member(_ name: String) -> JSONValue? { members.first { $0.key == name }?.value }

    func contains(_ key: Key) -> Bool { member(key.stringValue) != nil }

    func decodeNil(forKey key: Key) throws -> Bool {
        guard let v = member(key.stringValue) else { return true }
        if case .null = v { return true }
        return false
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        if let fields = type as? any JSONSiblingFields.Type {
            do {
                return try fields.init(jsonMembers: member, named: key.stringValue) as! T
            } catch let error as JSONValueDecoder.Failure {
                throw JSONValueDecoder.Failure(path: pathText(codingPath + [key]), reason: error.reason)
            }
        }
        guard let v = member(key.stringValue) else { throw failure(codingPath + [key], "missing") }
        return try TreeDecoder(value: v, codingPath: codingPath + [key]).decodeValue(T.self)
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        if let fields = type as? any JSONSiblingFields.Type {
            let present = fields.jsonMemberNames(named: key.stringValue).contains { name in
                if let v = member(name), v != .null { return true }
                return false
            }
            return present ? try decode(type, forKey: key) : nil
        }
        guard let v = member(key.stringValue), v != .null else { return nil }
        return try TreeDecoder(value: v, codingPath: codingPath + [key]).decodeValue(T.self)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        guard let v = member(key.stringValue) else { throw failure(codingPath + [key], "missing") }
        return try TreeDecoder(value: v, codingPath: codingPath + [key]).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        guard let v = member(key.stringValue) else { throw failure(codingPath + [key], "missing") }
        return try TreeDecoder(value: v, codingPath: codingPath + [key]).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder { TreeDecoder(value: member("super") ?? .null, codingPath: codingPath) }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        TreeDecoder(value: member(key.stringValue) ?? .null, codingPath: codingPath + [key])
    }
}

private struct UnkeyedTreeDecoder: UnkeyedDecodingContainer {
    let elements: [JSONValue]
    let codingPath: [any CodingKey]
    var currentIndex = 0
    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    init(elements: [JSONValue], codingPath: [any CodingKey]) {
        self.elements = elements
        self.codingPath = codingPath
    }

    private mutating func next() throws -> TreeDecoder {
        guard !isAtEnd else { throw failure(codingPath, "expected more than \(elements.count) elements") }
        defer { currentIndex += 1 }
        return TreeDecoder(value: elements[currentIndex], codingPath: codingPath + [IndexKey(currentIndex)])
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd else { return true }
        if case .null = elements[currentIndex] {
            currentIndex += 1
            return true
        }
        return false
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next().decodeValue(T.self) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try next().container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { try next().unkeyedContainer() }

    mutating func superDecoder() throws -> any Decoder { try next() }
}

private struct SingleTreeDecoder: SingleValueDecodingContainer {
    let value: JSONValue
    let codingPath: [any CodingKey]

    func decodeNil() -> Bool {
        if case .null = value { return true }
        return false
    }

    func decode<T: Decodable>(_ type: T.Type) throws -> T { try TreeDecoder(value: value, codingPath: codingPath).decodeValue(T.self) }
}
