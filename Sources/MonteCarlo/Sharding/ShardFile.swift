import Foundation

/// A statistic a shard file can carry: mergeable, encodable, and checkable when read back
/// from a file that may have been edited or damaged.
public protocol ShardStatistic: MonteCarloStatistic, Codable {
    /// Whether the counts are non-negative and consistent and every sum is finite.
    var isWellFormed: Bool { get }
    /// Whether `merge(other)` is defined (same shape: thresholds, correlations, quantities).
    func isMergeable(with other: Self) -> Bool
}

/// The one file format of `--emit-stats` for every sampling command (schema `ntk-shard`,
/// version 1): a header naming the run — command, build, the request (every flag that
/// affects the result), the random seed, the total samples, the shard k/N and its samples — and a
/// fingerprint of that header, then the shard's statistic. `ShardMerge` combines the N files
/// of one run; nothing else is needed to reproduce the report.
///
/// Not part of the identity: the time budget (`--max-seconds`) and the thread count, which
/// never change a completed shard's statistic.
public struct ShardFile<Request: Codable & Hashable & Sendable, Statistic: ShardStatistic>: Codable {
    public static var schemaName: String { "ntk-shard" }
    public static var schemaVersion: Int { 1 }

    public var schema: String
    public var version: Int
    /// The command that wrote it, e.g. `validate`.
    public var command: String
    /// `BuildIdentity.current` of the writer.
    public var build: String
    /// Hash of (command, build, request, seed, samples, shard count): equal for all shards of one run.
    public var fingerprint: String
    public var seed: UInt64
    /// Samples of the whole run (all shards).
    public var samples: Int
    public var shard: ShardSpec
    /// This shard's samples, `firstSample ..< firstSample + shardSamples`.
    public var firstSample: Int
    public var shardSamples: Int
    public var request: Request
    public var seconds: Double
    public var stoppedBy: MonteCarloStopReason
    public var statistic: Statistic

    enum CodingKeys: String, CodingKey {
        case schema, version, command, build, fingerprint, seed, samples, shard, request, seconds, statistic
        case firstSample = "first_sample", shardSamples = "shard_samples", stoppedBy = "stopped_by"
    }

    /// The header of shard `shard` of a run of `samples` samples whose samples `range` it
    /// computes; the statistic and times are filled in after the run.
    public init(command: String, request: Request, seed: UInt64, samples: Int, shard: ShardSpec, range: Range<Int>,
                build: String = BuildIdentity.current) {
        schema = Self.schemaName
        version = Self.schemaVersion
        self.command = command
        self.build = build
        self.request = request
        self.seed = seed
        self.samples = samples
        self.shard = shard
        firstSample = range.lowerBound
        shardSamples = range.count
        seconds = 0
        stoppedBy = .sampleBudget
        statistic = Statistic()
        fingerprint = ""
        fingerprint = computedFingerprint
    }

    /// The fingerprint the header's fields give.
    public var computedFingerprint: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let identity = ShardRunIdentity(schema: schema, version: version, command: command, build: build, seed: seed, samples: samples,
                                shards: shard.count, request: request)
        let data = (try? encoder.encode(identity)) ?? Data()
        return BuildIdentity.hexHash(data)
    }

    /// Whether the statistic covers all of the shard's samples (no time budget cut it short).
    public var isComplete: Bool { stoppedBy == .sampleBudget && statistic.count == shardSamples }

    /// The file's text: sorted-key, indented JSON and a final newline.
    public func encoded() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }

    /// Whether `path` already holds this very shard, complete: the same fingerprint (run),
    /// the same k/N and the whole of its samples. What `--resume` checks before computing.
    public func isDone(at path: String) -> Bool {
        guard let data = FileManager.default.contents(atPath: path),
              let existing = try? JSONDecoder().decode(Self.self, from: data) else { return false }
        return existing.schema == schema && existing.version == version && existing.fingerprint == fingerprint
            && existing.computedFingerprint == fingerprint && existing.shard == shard && existing.firstSample == firstSample
            && existing.shardSamples == shardSamples && existing.isComplete && existing.statistic.isWellFormed
    }
}

/// What the fingerprint of a shard file hashes: everything that makes two shards parts of one run.
struct ShardRunIdentity<Request: Encodable>: Encodable {
    let schema: String, version: Int, command: String, build: String, seed: UInt64, samples: Int, shards: Int
    let request: Request
}
