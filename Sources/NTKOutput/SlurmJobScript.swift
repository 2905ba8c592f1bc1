/// The self-contained Slurm job of a sharded run, as one bash script (`ntk slurm`). The same
/// file is the submitter and the job body:
///
/// - `bash ntk-slurm.sh [sbatch options]` submits an array of N tasks (`--array=1-N`) and a
///   merge job that waits for all of them (`--dependency=afterok`); extra options apply to
///   the array (e.g. `--hold`). Submitting again resumes: every task runs its shard with
///   `--resume`, so a task whose file is already complete does nothing.
/// - `ntk-slurm.sh shard` (a task) runs `ntk <command> <flags> --shard auto --threads
///   $SLURM_CPUS_PER_TASK --emit-stats DIR/shard-K-of-N.json --resume`; the file is written
///   atomically. A shard's own verdict (exit 1 or 3) does not fail the task.
/// - `ntk-slurm.sh merge` merges the N files into DIR/result.json (atomically, via a rename)
///   and exits with the merge's code (0 pass, 1 fail, 3 inconclusive, 2 refused).
///
/// Paths in the script: the output directory the user gave, and the `ntk` binary, which the
/// environment variable `NTK` overrides at submission time.
public struct SlurmJobScript: Sendable {
    /// The sampling command, e.g. `validate`.
    public var command: String
    /// The command's flags, passed to every shard unchanged.
    public var flags: [String]
    /// Flags of the command's `merge` (e.g. `--z-max 3`).
    public var mergeFlags: [String]
    /// N.
    public var shards: Int
    /// The output directory, absolute.
    public var directory: String
    /// The `ntk` binary the jobs run unless `NTK` is set.
    public var ntkPath: String
    /// sbatch options of the shard tasks and the merge, without the leading `#SBATCH `.
    public var sbatchOptions: [String]
    /// The command line that generated the script, for its comment.
    public var invocation: String

    public init(command: String, flags: [String], mergeFlags: [String], shards: Int, directory: String, ntkPath: String,
                sbatchOptions: [String], invocation: String) {
        self.command = command
        self.flags = flags
        self.mergeFlags = mergeFlags
        self.shards = shards
        self.directory = directory
        self.ntkPath = ntkPath
        self.sbatchOptions = sbatchOptions
        self.invocation = invocation
    }

    /// The file name of the script inside the directory.
    public static let fileName = "ntk-slurm.sh"

    /// The file name of shard k (the array task id) of N.
    public static func shardFileName(_ k: Int, of n: Int) -> String { "shard-\(k)-of-\(n).json" }

    /// `text` as one bash word: single-quoted, with `'` written as `'\''`.
    public static func shellQuoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// `text` as one bash word, quoted only when it needs to be (for comments people read).
    public static func shellWord(_ text: String) -> String {
        let safe = !text.isEmpty && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_./=:,+@%".contains($0)) }
        return safe ? text : shellQuoted(text)
    }

    public var text: String {
        let q = Self.shellQuoted
        let directives = (["--job-name=ntk-\(command)"] + sbatchOptions).map { "#SBATCH \($0)" }.joined(separator: "\n")
        return """
        #!/bin/bash
        # A sharded `ntk \(command)` run as a Slurm job array, written by:
        #   \(invocation.replacingOccurrences(of: "\n", with: " "))
        #
        # Submit, and submit again to resume (only missing or invalid shards are computed):
        #   bash \(directory)/\(Self.fileName) [sbatch options for the shard tasks, e.g. --hold]
        # Shards:  \(directory)/shard-K-of-\(shards).json     (K = 1 … \(shards), written atomically)
        # Result:  \(directory)/result.json                   (the merge job, after every shard succeeded)
        # Logs:    \(directory)/logs/
        # The ntk binary: $NTK when set at submission, else the path below.
        \(directives)
        set -euo pipefail

        DEFAULT_NTK=\(q(ntkPath))
        NTK="${NTK:-$DEFAULT_NTK}"
        export NTK
        OUT=\(q(directory))
        SHARDS=\(shards)
        COMMAND=\(q(command))
        FLAGS=(\(flags.map(q).joined(separator: " ")))
        MERGE_FLAGS=(\(mergeFlags.map(q).joined(separator: " ")))

        shard_file() { printf '%s/shard-%s-of-%s.json' "$OUT" "$1" "$SHARDS"; }

        mode=submit
        case "${1:-}" in
        shard|merge) mode=$1; shift ;;
        submit) shift ;;
        esac

        case "$mode" in
        submit)
            command -v sbatch >/dev/null || { echo "ntk-slurm: sbatch not found (run this on a Slurm login node)" >&2; exit 2; }
            [ -x "$NTK" ] || { echo "ntk-slurm: no ntk binary at $NTK (set NTK=/path/to/ntk)" >&2; exit 2; }
            mkdir -p "$OUT/logs"
            script="$OUT/\(Self.fileName)"
            array=$(sbatch --parsable --array="1-$SHARDS" --output="$OUT/logs/shard-%a.out" "$@" "$script" shard)
            array=${array%%;*}
            merge=$(sbatch --parsable --dependency="afterok:$array" --kill-on-invalid-dep=yes --cpus-per-task=1 \\
                --job-name="ntk-$COMMAND-merge" --output="$OUT/logs/merge.out" "$script" merge)
            merge=${merge%%;*}
            echo "ntk-slurm: shards: job $array (array 1-$SHARDS); merge: job $merge; result: $OUT/result.json"
            ;;
        shard)
            : "${SLURM_ARRAY_TASK_ID:?ntk-slurm: the shard mode runs as a task of the array}"
            file=$(shard_file "$SLURM_ARRAY_TASK_ID")
            rc=0
            "$NTK" "$COMMAND" "${FLAGS[@]}" --shard auto --threads "${SLURM_CPUS_PER_TASK:-1}" --emit-stats "$file" --resume || rc=$?
            # A shard's own verdict (1: fail, 3: inconclusive) is not the run's; its file is what counts.
            if [ "$rc" -eq 1 ] || [ "$rc" -eq 3 ]; then [ -s "$file" ] && rc=0; fi
            exit "$rc"
            ;;
        merge)
            files=()
            for k in $(seq 1 "$SHARDS"); do files+=("$(shard_file "$k")"); done
            rc=0
            "$NTK" "$COMMAND" merge "${files[@]}" "${MERGE_FLAGS[@]}" --format json > "$OUT/.result.json.tmp" || rc=$?
            if [ "$rc" -eq 0 ] || [ "$rc" -eq 1 ] || [ "$rc" -eq 3 ]; then
                mv -f "$OUT/.result.json.tmp" "$OUT/result.json"
            else
                rm -f "$OUT/.result.json.tmp"
            fi
            exit "$rc"
            ;;
        esac

        """
    }
}
