import Foundation
import Multiprecision
import NTKMoments
import NTKOutput

/// The `--shard k/N --emit-stats FILE` / `merge FILES…` plumbing shared by the sampling
/// commands (`validate`, `distribution`, `offdiag`, `step`): which samples a shard computes, how its statistics file
/// is written (atomically, as sorted-key JSON) and read back.
enum ShardFiles {
    /// `k/N` with 1 ≤ k ≤ N ≤ 100000, or nil.
    static func parse(_ s: String) -> (Int, Int)? {
        let parts = s.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]), n >= 1, n <= 100_000, k >= 1, k <= n else { return nil }
        return (k, n)
    }

    /// The first sample index and the count of part k of N of `total` samples (all of them
    /// without a shard): contiguous parts whose union is `0..<total`.
    static func range(_ shard: String?, total: Int) -> (first: Int, count: Int) {
        guard let s = shard, let (k, n) = parse(s) else { return (0, total) }
        let first = total * (k - 1) / n
        return (first, total * k / n - first)
    }

    /// The `--emit-stats` writer, opened before the run so that a bad path is refused first.
    static func openWriter(_ path: String?) throws -> AtomicFileWriter? {
        guard let path else { return nil }
        InterruptCleanup.install()
        do { return try AtomicFileWriter(path: path) } catch { throw UsageError("--emit-stats \(Arguments.quoted(path)): \(error)") }
    }

    /// Writes `value` as sorted-key JSON (one line, or indented for `validate`'s human-readable
    /// files) and commits (nothing when `writer` is nil).
    static func commit<T: Encodable>(_ value: T, to writer: AtomicFileWriter?, path: String?, prettyPrinted: Bool = false) throws {
        guard let writer else { return }
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = prettyPrinted ? [.prettyPrinted, .sortedKeys] : [.sortedKeys]
            try writer.append(String(decoding: try encoder.encode(value), as: UTF8.self) + "\n")
            try writer.commit()
        } catch {
            writer.abort()
            throw UsageError("--emit-stats \(Arguments.quoted(path ?? "")): \(error)")
        }
    }

    /// Decodes every file of a merge as `T`; `kind` names the command in messages.
    static func read<T: Decodable>(_ files: [String], as: T.Type, kind: String) throws -> [(path: String, shard: T)] {
        guard !files.isEmpty else { throw UsageError("merge needs at least one shard file") }
        return try files.map { path in
            guard let data = FileManager.default.contents(atPath: path) else { throw UsageError("shard \(Arguments.quoted(path)): cannot read the file") }
            do { return (path, try JSONDecoder().decode(T.self, from: data)) } catch {
                throw UsageError("shard \(Arguments.quoted(path)): not an ntk \(kind) statistics file")
            }
        }
    }

    /// The network a shard echoes, refused as malformed when it does not describe one.
    static func architecture(widths: String, sigma2Exact: String, inputNorm2Exact: String, biases: Bool, file: String) throws -> Architecture {
        do {
            let parsed = try WidthList.parse(widths)
            return try Architecture(inputDimension: parsed.inputDimension, hiddenRuns: parsed.hiddenRuns,
                                    sigma2: try BigRational(parsing: sigma2Exact), inputNorm2: try BigRational(parsing: inputNorm2Exact),
                                    trainableBiases: biases)
        } catch { throw UsageError("shard \(Arguments.quoted(file)): malformed network description") }
    }
}
