import Foundation

/// The N shard files of one run, checked and merged.
public struct MergedShards<Request: Codable & Hashable & Sendable, Statistic: ShardStatistic> {
    /// The header of shard 1 (command, build, seed, samples, request are those of every shard).
    public let header: ShardFile<Request, Statistic>
    /// The statistics of shards 1 … N merged in that order: the unsharded run's, bit for bit,
    /// when every shard is complete.
    public let statistic: Statistic
    /// The shards' compute time, summed.
    public let seconds: Double
    /// `sampleBudget` when every shard completed its samples, else `timeBudget`.
    public let stoppedBy: MonteCarloStopReason

    public var request: Request { header.request }
    public var seed: UInt64 { header.seed }
}

/// Why a merge was refused, in one line naming the file at fault. Nothing is written then.
public struct ShardMergeError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The one merge of every sampling command: reads the shard files of a run, refuses anything
/// that would not reproduce the unsharded run — unreadable, truncated or corrupt files,
/// retired formats, files of another command, another run (flags, seed, samples, shard
/// count or build), a fingerprint that does not match its header, duplicates, missing
/// shards — and merges the statistics in shard order 1 … N.
public enum ShardMerge {
    /// Formats of earlier versions (one file per seed, no shard header), refused by name.
    public static let retiredFormats: Set<String> = [
        "ntk-validate-stats-1", "ntk-validate-stats-2", "ntk-distribution-stats-1", "ntk-offdiag-stats-1", "ntk-step-stats-1",
    ]

    public static func merge<Request, Statistic>(
        paths: [String], command: String, as type: ShardFile<Request, Statistic>.Type = ShardFile<Request, Statistic>.self
    ) throws(ShardMergeError) -> MergedShards<Request, Statistic> {
        guard !paths.isEmpty else { throw ShardMergeError("merge needs the shard files of one run (written by --shard k/N --emit-stats)") }
        var shards: [(path: String, file: ShardFile<Request, Statistic>)] = []
        var pathOfShard: [Int: String] = [:]  // k → file: duplicates found in O(1), the merge stays O(N · file size)
        for path in paths {
            let file = try read(path, command: command, as: type)
            if let (firstPath, first) = shards.first, let difference = difference(file, first) {
                throw ShardMergeError("shard \(quoted(path)) is from another run than \(quoted(firstPath)): \(difference)")
            }
            if let twin = pathOfShard[file.shard.index] {
                throw ShardMergeError("shard \(file.shard) appears twice: \(quoted(twin)) and \(quoted(path))")
            }
            pathOfShard[file.shard.index] = path
            shards.append((path, file))
        }
        let n = shards[0].file.shard.count
        let missing = (1...n).filter { pathOfShard[$0] == nil }
        if !missing.isEmpty {
            let listed = missing.prefix(20).map(String.init).joined(separator: ", ") + (missing.count > 20 ? ", …" : "")
            throw ShardMergeError("\(missing.count == 1 ? "shard" : "shards") \(listed) of \(n) missing")
        }
        shards.sort { $0.file.shard.index < $1.file.shard.index }
        var total = Statistic()
        var seconds = 0.0
        for (path, file) in shards {
            guard total.isMergeable(with: file.statistic) else {
                throw ShardMergeError("shard \(quoted(path)): its statistics do not fit those of the shards before it (edited or corrupt); rerun that shard")
            }
            total.merge(file.statistic)
            seconds += file.seconds
        }
        guard total.isWellFormed else { throw ShardMergeError("the shards' sums overflow when merged (not the result of one ntk run)") }
        return MergedShards(header: shards[0].file, statistic: total, seconds: seconds,
                            stoppedBy: shards.allSatisfy { $0.file.isComplete } ? .sampleBudget : .timeBudget)
    }

    /// One file, checked on its own.
    static func read<Request, Statistic>(_ path: String, command: String, as type: ShardFile<Request, Statistic>.Type)
        throws(ShardMergeError) -> ShardFile<Request, Statistic>
    {
        guard let data = FileManager.default.contents(atPath: path) else { throw ShardMergeError("shard \(quoted(path)): cannot read the file") }
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw ShardMergeError("shard \(quoted(path)): not a complete JSON object (truncated or corrupt); rerun that shard")
        }
        if let format = object["format"] as? String {
            if retiredFormats.contains(format) {
                throw ShardMergeError("shard \(quoted(path)): format \(format) (one file per seed, written by an older ntk) is no longer read; rerun the run as shards with --shard k/N --emit-stats")
            }
            throw ShardMergeError("shard \(quoted(path)): unknown format \(quoted(format))")
        }
        guard object["schema"] as? String == type.schemaName else {
            throw ShardMergeError("shard \(quoted(path)): not an ntk shard file (no schema \(type.schemaName))")
        }
        guard let version = object["version"] as? Int, version == type.schemaVersion else {
            throw ShardMergeError("shard \(quoted(path)): schema version \(object["version"].map { "\($0)" } ?? "missing") is not read by this ntk (it reads \(type.schemaVersion))")
        }
        guard let writer = object["command"] as? String, writer == command else {
            throw ShardMergeError("shard \(quoted(path)) was written by `ntk \(object["command"] as? String ?? "?")`, not `ntk \(command)`")
        }
        let file: ShardFile<Request, Statistic>
        do { file = try JSONDecoder().decode(type, from: data) } catch {
            throw ShardMergeError("shard \(quoted(path)): malformed (\(decodingProblem(error)))")
        }
        guard file.fingerprint == file.computedFingerprint else {
            throw ShardMergeError("shard \(quoted(path)): the fingerprint does not match the header (edited or corrupt); rerun that shard")
        }
        guard file.samples >= 0, file.firstSample >= 0, file.shardSamples >= 0, file.firstSample <= file.samples - file.shardSamples,
              file.seconds.isFinite, file.seconds >= 0, file.statistic.isWellFormed, file.statistic.count <= file.shardSamples else {
            throw ShardMergeError("shard \(quoted(path)): inconsistent counts, sums or times (edited or corrupt); rerun that shard")
        }
        return file
    }

    /// What makes `file` part of another run than `first`, or nil.
    static func difference<Request, Statistic>(_ file: ShardFile<Request, Statistic>, _ first: ShardFile<Request, Statistic>) -> String? {
        if file.build != first.build { return "another build of ntk (\(file.build), not \(first.build)); rerun it with this build" }
        if file.seed != first.seed { return "another seed (\(file.seed), not \(first.seed))" }
        if file.samples != first.samples { return "another sample count (\(file.samples), not \(first.samples))" }
        if file.shard.count != first.shard.count { return "another shard count (\(file.shard.count), not \(first.shard.count))" }
        if file.request != first.request { return "other flags (\(requestDifference(file.request, first.request)))" }
        if file.fingerprint != first.fingerprint { return "another fingerprint" }
        return nil
    }

    /// The request members that differ, by JSON key.
    static func requestDifference<Request: Encodable>(_ a: Request, _ b: Request) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let da = try? encoder.encode(a), let db = try? encoder.encode(b),
              let oa = (try? JSONSerialization.jsonObject(with: da)) as? [String: Any],
              let ob = (try? JSONSerialization.jsonObject(with: db)) as? [String: Any] else { return "the request differs" }
        let keys = Set(oa.keys).union(ob.keys).sorted().filter { key in
            let va = oa[key].flatMap { try? JSONSerialization.data(withJSONObject: [$0], options: [.sortedKeys]) }
            let vb = ob[key].flatMap { try? JSONSerialization.data(withJSONObject: [$0], options: [.sortedKeys]) }
            return va != vb
        }
        return keys.isEmpty ? "the request differs" : keys.joined(separator: ", ") + " differ" + (keys.count == 1 ? "s" : "")
    }

    static func decodingProblem(_ error: any Error) -> String {
        guard let e = error as? DecodingError else { return "not a shard" }
        func path(_ c: DecodingError.Context) -> String { c.codingPath.map(\.stringValue).joined(separator: ".") }
        switch e {
        case .keyNotFound(let key, let c): return "missing \(path(c).isEmpty ? "" : path(c) + ".")\(key.stringValue)"
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c): return "invalid \(path(c).isEmpty ? "value" : path(c))"
        @unknown default: return "not a shard"
        }
    }

    /// The value in quotes, shortened to 60 characters from the end (where a path carries its name).
    static func quoted(_ text: String) -> String {
        let shown = text.count > 60 ? "..." + String(text.suffix(57)) : text
        return "'" + shown.replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\r", with: "\\r") + "'"
    }
}
