import Foundation
import Testing
import NTKOutput
@testable import NTKCommandLine

/// The shard layer through the CLI: every sampling command's merge equals its unsharded run
/// bit for bit (every printed digit; only timings differ), refusals are one line naming the
/// fault, `--resume` skips a finished shard, and `ntk slurm` writes a job or nothing.
@Suite("shards and merges through the CLI; ntk slurm")
struct ShardCommandTests {
    /// The JSON text without the lines that carry timings (the only fields a merge changes).
    static func withoutTimings(_ text: String) -> String {
        text.split(separator: "\n").filter { !$0.contains("\"seconds\"") }.joined(separator: "\n")
    }

    @Test("merge of N shards equals the unsharded run, for every sampling command", arguments: [
        "validate --width 6 --depth 3 --sigma2 2 --samples 5000 --seed 3 --format json",
        "offdiag --width 6 --depth 3 --sigma2 2 --samples 700 --seed 4 --correlation 0,0.5 --depths 2,3 --format json",
        "step --width 5 --depth 3 --sigma2 2 --samples 600 --seed 4 --correlation 0.5 --format json",
        "distribution --widths 3,2,2 --sigma2 2 --samples 20000 --seed 5 --format json",
    ])
    func bitForBit(_ base: String) throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let whole = ntk(base + " --threads 2")
        #expect([0, 1, 3].contains(whole.code), "\(whole.stderr)")
        let command = String(base.split(separator: " ")[0])
        for count in [2, 5] {
            let files = writeShards(base + " --threads 1", count: count, into: dir)
            let merged = ntk([command, "merge", "--format", "json"] + files.reversed())
            #expect(merged.code == whole.code, "\(merged.stderr)")
            #expect(Self.withoutTimings(merged.stdout) == Self.withoutTimings(whole.stdout), "\(command), \(count) shards")
        }
    }

    @Test("merge refusals: one line naming the fault, nothing on stdout")
    func refusals() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // 8000 samples: two blocks of 1024 per shard, so no shard is empty (and inconclusive).
        let base = "validate --width 4 --depth 3 --sigma2 2 --samples 8000 --seed 1"
        let files = writeShards(base, count: 4, into: dir)
        func refusal(_ args: [String]) -> String {
            let r = ntk(args)
            #expect(r.isCleanRefusal, "\(args): \(r)")
            return r.stderr
        }
        #expect(refusal(["validate", "merge", files[0], files[3]]) == "ntk: error: shards 2, 3 of 4 missing\n")
        #expect(refusal(["validate", "merge"] + files + [files[1]]).contains("shard 2/4 appears twice"))
        let other = dir.appendingPathComponent("other").path
        try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
        let seed2 = writeShards(base.replacingOccurrences(of: "--seed 1", with: "--seed 2"), count: 4, into: URL(fileURLWithPath: other))
        #expect(refusal(["validate", "merge", files[0], files[1], files[2], seed2[3]]).contains("another seed (2, not 1)"))
        let truncated = dir.appendingPathComponent("cut.json").path
        let text = try String(contentsOfFile: files[2], encoding: .utf8)
        try String(text.prefix(200)).write(toFile: truncated, atomically: true, encoding: .utf8)
        #expect(refusal(["validate", "merge", files[0], files[1], truncated, files[3]]).contains("cut.json': not a complete JSON object"))
        #expect(refusal(["offdiag", "merge"] + files).contains("not `ntk offdiag`"))
        let old = dir.appendingPathComponent("old.json").path
        try #"{"format": "ntk-validate-stats-2", "seed": 1, "moments": {}}"#.write(toFile: old, atomically: true, encoding: .utf8)
        #expect(refusal(["validate", "merge", old]).contains("ntk-validate-stats-2 (one file per seed, written by an older ntk) is no longer read"))
    }

    @Test("--shard: parsing, auto outside an array, the flags it needs")
    func shardFlags() {
        for line in ["validate --width 3 --depth 2 --sigma2 2 --shard 2/1 --emit-stats x.json",
                     "validate --width 3 --depth 2 --sigma2 2 --shard 1/100001 --emit-stats x.json",
                     "offdiag --width 3 --depth 2 --sigma2 2 --shard 1/2",
                     "step --width 3 --depth 2 --sigma2 2 --resume",
                     "table --shard 1/2 --emit-stats x.json", "table --shard 3/2"] {
            #expect(ntk(line).isCleanRefusal, "\(line)")
        }
        guard ProcessInfo.processInfo.environment["SLURM_ARRAY_TASK_ID"] == nil else { return }
        let auto = ntk("distribution --widths 3,2 --sigma2 2 --shard auto --emit-stats x.json")
        #expect(auto.isCleanRefusal && auto.stderr.contains("SLURM_ARRAY_TASK_ID"), "\(auto)")
        #expect(ntk("table --shard auto").isCleanRefusal)
    }

    @Test("--resume: a complete shard of the same run is kept as it is; another run's is recomputed")
    func resume() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("s.json").path
        let base = "validate --width 4 --depth 3 --sigma2 2 --samples 3000 --seed 1 --shard 2/3 --emit-stats \(file) --resume"
        #expect(ntk(base).code == 0)
        let first = try String(contentsOfFile: file, encoding: .utf8)
        let again = ntk(base)
        #expect(again.code == 0 && again.stdout.contains("nothing to do (--resume)"), "\(again)")
        #expect(try String(contentsOfFile: file, encoding: .utf8) == first)
        let other = ntk(base.replacingOccurrences(of: "--seed 1", with: "--seed 9"))
        #expect(other.code == 0 && !other.stdout.contains("nothing to do"))
        #expect(try String(contentsOfFile: file, encoding: .utf8) != first)
    }

    // MARK: ntk slurm

    @Test("ntk slurm writes one executable bash script with the array, the shard flags and the merge")
    func slurmScript() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("job").path
        let r = ntk(["slurm", "validate", "--width", "4", "--depth", "3", "--sigma2", "2", "--samples", "1e4", "--z-max", "3",
                     "--shards", "8", "--out", out, "--time", "01:30:00", "--mem", "2G", "--partition", "short",
                     "--cpus-per-task", "4", "--account", "lab", "--extra", "--qos=long"])
        #expect(r.code == 0 && r.stderr.isEmpty, "\(r)")
        let path = out + "/ntk-slurm.sh"
        let script = try String(contentsOfFile: path, encoding: .utf8)
        for expected in ["#SBATCH --cpus-per-task=4", "#SBATCH --time=01:30:00", "#SBATCH --mem=2G", "#SBATCH --partition=short",
                         "#SBATCH --account=lab", "#SBATCH --qos=long", "SHARDS=8", "COMMAND='validate'",
                         "FLAGS=('--width' '4' '--depth' '3' '--sigma2' '2' '--samples' '1e4' '--z-max' '3' '--max-seconds' '31536000')",
                         "MERGE_FLAGS=('--z-max' '3')", "--array=\"1-$SHARDS\"", "--dependency=\"afterok:$array\"",
                         "--shard auto --threads \"${SLURM_CPUS_PER_TASK:-1}\"", "--resume", "NTK=\"${NTK:-$DEFAULT_NTK}\"",
                         "OUT='\(out)'"] {
            #expect(script.contains(expected), "missing: \(expected)")
        }
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int).map { $0 & 0o100 != 0 } == true)
        let bash = Process()
        bash.executableURL = URL(fileURLWithPath: "/bin/bash")
        bash.arguments = ["-n", path]
        try bash.run()
        bash.waitUntilExit()
        #expect(bash.terminationStatus == 0, "the script is not valid bash")
    }

    @Test("ntk slurm: bad input is one line, exit 2, and writes nothing", arguments: [
        ["validate", "--width", "4", "--depth", "3", "--sigma2", "-2"],
        ["validate", "--width", "4", "--depth", "3", "--sigma2", "2", "--threads", "2"],
        ["validate", "--width", "4", "--depth", "3", "--sigma2", "2", "--shard", "1/2"],
        ["validate", "--width", "4", "--depth", "3", "--sigma2", "2", "--emit-stats", "x.json"],
        ["validate", "--width", "4", "--depth", "3", "--sigma2", "2", "--time", "soon"],
        ["validate", "--width", "4", "--depth", "3", "--sigma2", "2", "--mem", "lots"],
        ["validate", "--width", "4", "--depth", "3", "--sigma2", "2", "--extra", "--qos=a\n#SBATCH --x"],
        ["validate", "--width", "4", "--depth", "3", "--sigma2", "2", "--cpus-per-task", "0"],
        ["table", "--sigma2", "2"],
        ["moments", "--widths", "3,3"],
    ])
    func slurmRefusals(_ args: [String]) {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("job").path
        let r = ntk(["slurm"] + args + ["--shards", "4", "--out", out])
        #expect(r.isCleanRefusal, "\(args): \(r)")
        #expect(!FileManager.default.fileExists(atPath: out), "\(args) created the directory")
        for shards in ["0", "100001", "x"] {
            #expect(ntk(["slurm", "validate", "--width", "4", "--depth", "3", "--sigma2", "2", "--shards", shards, "--out", out]).isCleanRefusal)
        }
        #expect(!FileManager.default.fileExists(atPath: out))
    }
}
