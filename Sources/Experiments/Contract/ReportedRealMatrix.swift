import NTKOutput

/// A matrix of real quantities under the JSON contract of `ReportedReal`: the sibling members
/// are parallel matrices — `q` (doubles or null), `q_decimal`, `q_lower`/`q_upper` (outward
/// doubles) and `q_lower_decimal`/`q_upper_decimal` when the entries have them, with `null`
/// where an entry has no such member.
public struct ReportedRealMatrix: Sendable, Equatable, JSONSiblingFieldsOnly {
    public var rows: [[ReportedReal]]

    public init(_ rows: [[ReportedReal]]) { self.rows = rows }

    public func jsonMembers(named q: String) -> [(key: String, value: JSONValue)] {
        ParallelMembers.gather(rows, named: q).map { ($0.key, .array($0.value.map { .array($0) })) }
    }

    public static func jsonMemberNames(named q: String) -> [String] { [q, "\(q)_decimal"] }

    public init(jsonMembers member: (String) -> JSONValue?, named q: String) throws {
        rows = try ParallelMembers.scatter(named: q) { key in member(key)?.arrayValue?.map { $0.arrayValue ?? [] } }
    }
}
