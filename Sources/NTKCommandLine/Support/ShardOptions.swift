import ArgumentParser
import Foundation
import MonteCarlo
import Multiprecision
import NTKMoments
import NTKOutput

/// `--shard k/N|auto`, `--emit-stats FILE` and `--resume`: the one option group of every
/// shardable command (validate, offdiag, step, distribution, table). Parsing only; what a shard
/// is and which samples it computes is `ShardSpec`, the file and its merge `ShardFile` and
/// `ShardMerge` (MonteCarlo).
struct ShardOptions: ParsableArguments {
    @Option(help: "k/N: compute only the k-th of N parts (1 ≤ k ≤ N ≤ \(ShardSpec.maximumCount)); auto: the task of the Slurm array job this runs in (SLURM_ARRAY_TASK_ID and the array's bounds).")
    var shard: String?

    @Option(name: .customLong("emit-stats"), help: "Write the statistics (JSON, schema ntk-shard) to FILE atomically, for the command's `merge`.")
    var emitStats: String?

    @Flag(help: "With --emit-stats: do nothing when FILE already holds this shard of this very run, complete (to resume an interrupted job).")
    var resume = false

    /// Refuses a spec that does not parse or resolve, and `--shard` without `--emit-stats` for
    /// commands whose shards are merged (`merge` names that command); for `table`
    /// (`merge == nil`), whose shards are concatenated, refuses the statistics flags instead.
    func check(merge: String?) throws {
        _ = try spec()
        if let merge {
            if shard != nil && emitStats == nil { throw ValidationError("--shard needs --emit-stats (the parts are combined by \(merge))") }
            if resume && emitStats == nil { throw ValidationError("--resume needs --emit-stats (the file it checks)") }
        } else if emitStats != nil || resume {
            throw ValidationError("this command has no statistics file: its --shard parts are concatenated in order")
        }
    }

    /// The shard, with `auto` resolved from the environment; nil without `--shard`.
    func spec() throws -> ShardSpec? {
        guard let shard else { return nil }
        do { return try ShardSpec(parsing: shard) } catch { throw ValidationError(error.description) }
    }

    /// The shard of a sampling run of `samples` samples in blocks of `alignment`: its samples,
    /// the header of its file, and the file's writer (opened now, so a bad path is refused
    /// before any work). `done` when `--resume` finds the file already complete.
    func plan<Request, Statistic>(command: String, request: Request, seed: UInt64, samples: Int, alignment: Int,
                                  as type: ShardFile<Request, Statistic>.Type = ShardFile<Request, Statistic>.self) throws -> ShardPlan<Request, Statistic> {
        let spec = try self.spec() ?? ShardSpec(index: 1, count: 1)
        let range = spec.samples(of: samples, alignment: alignment)
        let header = ShardFile<Request, Statistic>(command: command, request: request, seed: seed, samples: samples, shard: spec, range: range)
        guard let path = emitStats else { return ShardPlan(range: range, header: header, path: nil, writer: nil, done: false) }
        if resume && header.isDone(at: path) { return ShardPlan(range: range, header: header, path: path, writer: nil, done: true) }
        InterruptCleanup.install()
        do {
            return ShardPlan(range: range, header: header, path: path, writer: try AtomicFileWriter(path: path), done: false)
        } catch { throw UsageError("--emit-stats \(Arguments.quoted(path)): \(error)") }
    }
}

/// One shard about to run: the samples it computes and where its file goes.
struct ShardPlan<Request: Codable & Hashable & Sendable, Statistic: ShardStatistic> {
    let range: Range<Int>
    let header: ShardFile<Request, Statistic>
    let path: String?
    let writer: AtomicFileWriter?
    /// `--resume` found the file complete: nothing to compute.
    let done: Bool

    /// The line a resumed shard prints instead of a report.
    var doneMessage: String {
        "shard \(header.shard) of this \(header.command) run is already complete in \(Arguments.quoted(path ?? "")); nothing to do (--resume)\n"
    }

    /// Writes the file (when `--emit-stats` was given) and commits it atomically.
    func commit(_ statistic: Statistic, seconds: Double, stoppedBy: MonteCarloStopReason) throws {
        guard let writer else { return }
        var file = header
        file.statistic = statistic
        file.seconds = seconds
        file.stoppedBy = stoppedBy
        do {
            try writer.append(try file.encoded())
            try writer.commit()
        } catch {
            writer.abort()
            throw UsageError("--emit-stats \(Arguments.quoted(path ?? "")): \(error)")
        }
    }
}

/// `ShardMerge.merge`, with its refusals as usage errors (exit 2, one line, nothing written).
func mergeShards<Request, Statistic>(_ paths: [String], command: String,
                                     as type: ShardFile<Request, Statistic>.Type = ShardFile<Request, Statistic>.self) throws -> MergedShards<Request, Statistic> {
    do { return try ShardMerge.merge(paths: paths, command: command, as: type) } catch { throw UsageError(error.description) }
}
