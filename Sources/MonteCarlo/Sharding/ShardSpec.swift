import Foundation

/// Part `index` of `count` of a sampling run (`--shard k/N`, 1 ≤ k ≤ N ≤ `maximumCount`), and
/// which samples that part computes.
///
/// Shards are contiguous runs of whole blocks (`samples(of:alignment:)`): every block of the
/// unsharded run lies inside one shard and is summed there exactly as in the unsharded run,
/// and blocks merge exactly (`CompensatedSum`), so merged shards equal the unsharded run bit
/// for bit.
public struct ShardSpec: Sendable, Hashable, Codable, CustomStringConvertible {
    /// k, from 1.
    public let index: Int
    /// N.
    public let count: Int

    /// The largest N: more shards than any cluster runs at once, few enough for one merge.
    public static let maximumCount = 100_000

    public init(index: Int, count: Int) throws(ShardSpecError) {
        guard (1...Self.maximumCount).contains(count), (1...count).contains(index) else {
            throw ShardSpecError("shard \(index)/\(count) is out of range: k/N with 1 ≤ k ≤ N ≤ \(Self.maximumCount)")
        }
        self.index = index
        self.count = count
    }

    /// `k/N`, or `auto` for the task of the Slurm array job this process runs in
    /// (`slurmArrayTask(environment:)`).
    public init(parsing text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(ShardSpecError) {
        if text == "auto" {
            self = try Self.slurmArrayTask(environment: environment)
            return
        }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard text.count <= 20, parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]) else {
            throw ShardSpecError("--shard '\(text.prefix(40))': expected k/N with 1 ≤ k ≤ N ≤ \(Self.maximumCount) (e.g. 2/8) or auto")
        }
        do { try self.init(index: k, count: n) } catch {
            throw ShardSpecError("--shard '\(text)': expected k/N with 1 ≤ k ≤ N ≤ \(Self.maximumCount) (e.g. 2/8) or auto")
        }
    }

    /// The shard of the current Slurm array task: k is the task's position in the array and N
    /// the array's size, from `SLURM_ARRAY_TASK_ID` and `SLURM_ARRAY_TASK_MIN`, `_MAX`, `_STEP`
    /// or `_COUNT`. Arrays need not start at 0 or 1 (`--array=5-8` gives 1/4 … 4/4); an array
    /// with gaps (`--array=1,3,7`) is refused, since its positions are not its tasks.
    public static func slurmArrayTask(environment: [String: String]) throws(ShardSpecError) -> ShardSpec {
        func integer(_ name: String) throws(ShardSpecError) -> Int? {
            guard let text = environment[name] else { return nil }
            guard let v = Int(text.trimmingCharacters(in: .whitespaces)), v >= 0 else {
                throw ShardSpecError("--shard auto: \(name)='\(text.prefix(40))' is not a task number")
            }
            return v
        }
        guard let id = try integer("SLURM_ARRAY_TASK_ID") else {
            throw ShardSpecError("--shard auto works only inside a Slurm array job (SLURM_ARRAY_TASK_ID is not set); give --shard k/N instead")
        }
        let minimum = try integer("SLURM_ARRAY_TASK_MIN")
        let maximum = try integer("SLURM_ARRAY_TASK_MAX")
        let step = try integer("SLURM_ARRAY_TASK_STEP") ?? 1
        let taskCount = try integer("SLURM_ARRAY_TASK_COUNT")
        guard let minimum, let size = taskCount ?? maximum.map({ ($0 - minimum) / max(step, 1) + 1 }), step >= 1 else {
            throw ShardSpecError("--shard auto: the array's bounds are unknown (SLURM_ARRAY_TASK_MIN and SLURM_ARRAY_TASK_MAX or _COUNT are not set)")
        }
        if let maximum, (maximum - minimum) / step + 1 != size || (maximum - minimum) % step != 0 {
            throw ShardSpecError("--shard auto needs an array without gaps (--array=A-B): this one has \(size) tasks from \(minimum) to \(maximum)")
        }
        guard id >= minimum, (id - minimum) % step == 0, (id - minimum) / step < size else {
            throw ShardSpecError("--shard auto: task \(id) is not in the array \(minimum)…\(maximum.map(String.init) ?? "?")")
        }
        do { return try ShardSpec(index: (id - minimum) / step + 1, count: size) } catch {
            throw ShardSpecError("--shard auto: an array of \(size) tasks; at most \(maximumCount) shards")
        }
    }

    /// The samples of this shard of a run of `total` samples cut into blocks of `alignment`
    /// consecutive indices (a multiple of every block size the run uses): whole blocks, the k-th
    /// of N nearly equal contiguous groups of them. Shards beyond the number of blocks are empty.
    public func samples(of total: Int, alignment: Int) -> Range<Int> {
        precondition(total >= 0 && alignment >= 1, "a run has samples ≥ 0 in blocks of ≥ 1")
        let blocks = total / alignment + (total % alignment == 0 ? 0 : 1)
        // blocks · k < 10¹² · 10⁵: no overflow for any run a command accepts.
        func start(_ k: Int) -> Int { min(total, blocks * k / count * alignment) }
        return start(index - 1)..<start(index)
    }

    public var description: String { "\(index)/\(count)" }

    enum CodingKeys: String, CodingKey { case index, count }

    /// Read back only when 1 ≤ k ≤ N ≤ `maximumCount`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let k = try c.decode(Int.self, forKey: .index), n = try c.decode(Int.self, forKey: .count)
        do { try self.init(index: k, count: n) } catch {
            throw DecodingError.dataCorruptedError(forKey: .index, in: c, debugDescription: error.description)
        }
    }
}

/// A shard specification that cannot be used, in one line.
public struct ShardSpecError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
