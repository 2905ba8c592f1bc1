import ArgumentParser
import Experiments
import Foundation
import MonteCarlo
import NTKOutput

struct SlurmCommand: NTKSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "slurm",
        abstract: "Write a Slurm job that runs validate, offdiag, step or distribution as N array tasks plus a merge (resumable).",
        discussion: """
        Example: ntk slurm validate --width 1000 --depth 100 --sigma2 2.5 --samples 1e7 --shards 64 --out runs/w1000 \
        --time 02:00:00 --cpus-per-task 8, then: bash runs/w1000/ntk-slurm.sh. Each task runs one shard (--shard auto, \
        --threads $SLURM_CPUS_PER_TASK) into OUT/shard-K-of-N.json; a merge job (afterok) writes OUT/result.json, equal \
        bit for bit to the unsharded run. Submitting the script again computes only the shards whose file is missing \
        or invalid. Without --max-seconds the shards get no time budget of their own (Slurm's --time limits them). \
        The script runs the ntk binary that wrote it, or $NTK when set at submission.
        """)

    static let commands = ["validate", "offdiag", "step", "distribution"]

    @Argument(help: "The command to shard: validate, offdiag, step or distribution.")
    var command: String

    @Option(parsing: .unconditional, help: "Number of shards N (array tasks), 1 … \(ShardSpec.maximumCount).")
    var shards: IntegerArgument

    @Option(help: "Directory for the script, the shard files, the logs and result.json (created if missing).")
    var out: String

    @Option(help: "sbatch --time of each task, e.g. 90, 02:00:00 or 1-12:00:00.")
    var time: String?

    @Option(help: "sbatch --mem of each task, e.g. 4G.")
    var mem: String?

    @Option(help: "sbatch --partition.")
    var partition: String?

    @Option(name: .customLong("cpus-per-task"), parsing: .unconditional, help: "sbatch --cpus-per-task; each shard runs that many threads.")
    var cpusPerTask = IntegerArgument(1)

    @Option(help: "sbatch --account.")
    var account: String?

    @Option(parsing: .unconditionalSingleValue, help: "A further sbatch option for every task, e.g. '--qos=long' (repeatable).")
    var extra: [String] = []

    @Argument(parsing: .allUnrecognized, help: "The command's own flags (as for `ntk <command> run`).")
    var flags: [String] = []

    /// Flags the job sets itself.
    static let reservedFlags = ["--shard", "--emit-stats", "--resume", "--threads", "--format", "--chart", "--log-density"]

    func execute(_ io: CommandIO) throws {
        guard Self.commands.contains(command) else {
            throw UsageError("ntk slurm \(Arguments.quoted(command)): the command must be one of \(Self.commands.joined(separator: ", "))")
        }
        let flags = self.flags.first == "run" ? Array(self.flags.dropFirst()) : self.flags
        if let reserved = flags.first(where: { f in Self.reservedFlags.contains { f == $0 || f.hasPrefix($0 + "=") } }) {
            throw UsageError("ntk slurm: \(reserved.split(separator: "=")[0]) is set by the job itself (shards, threads from --cpus-per-task, JSON result)")
        }
        try checkRunFlags(flags)
        guard let n = shards.value(in: 1...ShardSpec.maximumCount) else {
            throw UsageError("--shards \(Arguments.quoted(shards.text)) is out of range: an integer from 1 to \(ShardSpec.maximumCount)")
        }
        guard let cpus = cpusPerTask.value(in: RequestRange.threads) else {
            throw UsageError("--cpus-per-task \(Arguments.quoted(cpusPerTask.text)) is out of range: an integer from 1 to \(RequestRange.threads.upperBound)")
        }
        var options = ["--cpus-per-task=\(cpus)"]
        for (flag, value, pattern, example) in [
            ("--time", time, #"^([0-9]+-)?[0-9]+(:[0-9]{1,2}){0,2}$"#, "90, 02:00:00 or 1-12:00:00"),
            ("--mem", mem, #"^[0-9]+[KMGT]?$"#, "4G or 4000"),
            ("--partition", partition, #"^[A-Za-z0-9_.,-]{1,100}$"#, "a partition name"),
            ("--account", account, #"^[A-Za-z0-9_.-]{1,100}$"#, "an account name"),
        ] {
            guard let value else { continue }
            guard value.range(of: pattern, options: .regularExpression) != nil else {
                throw UsageError("\(flag) \(Arguments.quoted(value)): expected \(example)")
            }
            options.append("\(flag)=\(value)")
        }
        for line in extra {
            let option = line.hasPrefix("#SBATCH ") ? String(line.dropFirst(8)) : line
            guard option.hasPrefix("-"), option.count <= 200, !option.contains(where: { $0.isNewline || $0 == "\0" }) else {
                throw UsageError("--extra \(Arguments.quoted(line)): expected one sbatch option such as '--qos=long'")
            }
            options.append(option)
        }
        guard !out.isEmpty, !out.contains("\0"), !out.contains(where: \.isNewline) else { throw UsageError("--out: expected a directory") }
        let directory = URL(fileURLWithPath: out).standardizedFileURL.path
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw UsageError("--out \(Arguments.quoted(out)) exists and is not a directory")
        }
        let hasBudget = flags.contains { $0 == "--max-seconds" || $0.hasPrefix("--max-seconds=") }
        // Without a budget of its own a shard runs to its sample count (the longest budget allowed).
        let shardFlags = hasBudget ? flags : flags + ["--max-seconds", "\(Int(RunTimeLimit.maximumSeconds))"]
        let script = SlurmJobScript(command: command, flags: shardFlags, mergeFlags: mergeFlags(flags), shards: n, directory: directory,
                                    ntkPath: Self.executablePath, sbatchOptions: options,
                                    invocation: (["ntk", "slurm", command] + self.flags + ["--shards", "\(n)", "--out", out] + options)
                                        .map(SlurmJobScript.shellWord).joined(separator: " "))
        let path = directory + "/" + SlurmJobScript.fileName
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            InterruptCleanup.install()
            try AtomicFile.write(script.text, to: path)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        } catch { throw UsageError("--out \(Arguments.quoted(out)): \(error)") }
        io.write("wrote \(path): \(n) shards of ntk \(command)\nsubmit (again to resume): bash \(SlurmJobScript.shellQuoted(path))\n")
    }

    /// Parses `flags` as the command's run would (with a shard), so that bad flags are refused
    /// now, in one line, and not on the cluster.
    func checkRunFlags(_ flags: [String]) throws {
        let probe = flags + ["--shard", "1/1", "--emit-stats", "probe.json"]
        let type: ParsableCommand.Type
        switch command {
        case "validate": type = ValidateRunCommand.self
        case "offdiag": type = OffDiagRunCommand.self
        case "step": type = StepRunCommand.self
        default: type = DistributionRunCommand.self
        }
        do { _ = try type.parseAsRoot(probe) } catch {
            throw UsageError("ntk slurm \(command): \(type.message(for: error))")
        }
    }

    /// The flags of the command's `merge` among `flags`: `--z-max` (validate, offdiag).
    func mergeFlags(_ flags: [String]) -> [String] {
        guard command == "validate" || command == "offdiag" else { return [] }
        var result: [String] = []
        for (i, f) in flags.enumerated() {
            if f.hasPrefix("--z-max=") { result = [f] } else if f == "--z-max", i + 1 < flags.count { result = [f, flags[i + 1]] }
        }
        return result
    }

    /// The absolute path of the running `ntk` (what the script runs unless NTK is set).
    static var executablePath: String {
        #if os(Linux)
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return path }
        #endif
        return URL(fileURLWithPath: CommandLine.arguments.first ?? "ntk").standardizedFileURL.path
    }
}
