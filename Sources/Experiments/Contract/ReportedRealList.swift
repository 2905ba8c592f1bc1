import NTKOutput

/// A list of real quantities under the JSON contract of `ReportedReal`: the sibling members
/// are parallel arrays — `q` (doubles or null), `q_decimal`, `q_exact`, `q_lower`/`q_upper`,
/// … — with `null` where an entry has no such member.
public struct ReportedRealList: Sendable, Equatable, JSONSiblingFieldsOnly {
    public var entries: [ReportedReal]

    public init(_ entries: [ReportedReal]) { self.entries = entries }

    public func jsonMembers(named q: String) -> [(key: String, value: JSONValue)] {
        ParallelMembers.gather(entries.map { [$0] }, named: q).map { ($0.key, .array($0.value.map { $0[0] })) }
    }

    public static func jsonMemberNames(named q: String) -> [String] { [q, "\(q)_decimal"] }

    public init(jsonMembers member: (String) -> JSONValue?, named q: String) throws {
        entries = try ParallelMembers.scatter(named: q) { key in member(key)?.arrayValue.map { $0.map { [$0] } } }.map { $0[0] }
    }
}

/// Entries of reals laid out as parallel arrays of their members (lists and matrices).
enum ParallelMembers {
    static let suffixes = ["", "_decimal", "_exact", "_log10", "_lower", "_upper", "_lower_decimal", "_upper_decimal",
                           "_digits", "_certified"]

    /// For each member key any entry has (in the entries' order), the matrix of that member.
    static func gather(_ rows: [[ReportedReal]], named q: String) -> [(key: String, value: [[JSONValue]])] {
        let members = rows.map { $0.map { Dictionary($0.jsonMembers(named: q).map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a }) } }
        let present = Set(members.flatMap { $0.flatMap(\.keys) })
        return suffixes.map { q + $0 }.filter(present.contains).map { key in (key, members.map { $0.map { $0[key] ?? .null } }) }
    }

    /// Reads the entries back from the member matrices (`matrix(key)` nil when absent).
    static func scatter(named q: String, _ matrix: (String) -> [[JSONValue]]?) throws -> [[ReportedReal]] {
        let keys = suffixes.map { q + $0 }
        let matrices = keys.map { matrix($0) }
        guard let shape = matrices[0] ?? matrices[1] else { throw JSONValueDecoder.Failure(path: q, reason: "expected an array") }
        return try shape.indices.map { i in
            try shape[i].indices.map { j in
                try ReportedReal(jsonMembers: { key in
                    guard let k = keys.firstIndex(of: key), let m = matrices[k], i < m.count, j < m[i].count else { return nil }
                    let v = m[i][j]
                    return v == .null && k != 0 ? nil : v
                }, named: q)
            }
        }
    }
}
