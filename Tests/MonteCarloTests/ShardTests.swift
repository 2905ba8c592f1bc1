import Foundation
import Testing
@testable import MonteCarlo

/// `ShardSpec` (k/N, `auto` from a Slurm array, block-aligned sample ranges) and `ShardMerge`
/// (every refusal, and merged shards equal to the unsharded run bit for bit).
@Suite("Shards: specification, file, merge")
struct ShardTests {
    // MARK: ShardSpec

    @Test("k/N parses for 1 ≤ k ≤ N ≤ 100000; everything else is refused")
    func parsing() throws {
        let s = try ShardSpec(parsing: "2/8", environment: [:])
        #expect(s.index == 2 && s.count == 8 && s.description == "2/8")
        for bad in ["0/2", "3/2", "1/100001", "a/b", "1/2/3", "", "/", "2", "-1/2", "auto "] {
            #expect(throws: ShardSpecError.self, "\(bad)") { try ShardSpec(parsing: bad, environment: [:]) }
        }
        #expect(try ShardSpec(parsing: "100000/100000", environment: [:]).count == ShardSpec.maximumCount)
    }

    @Test("auto: the task's position in the array, whatever the array's first index")
    func auto() throws {
        func spec(_ env: [String: String]) throws -> String { try ShardSpec(parsing: "auto", environment: env).description }
        let base = ["SLURM_ARRAY_TASK_MIN": "5", "SLURM_ARRAY_TASK_MAX": "8", "SLURM_ARRAY_TASK_COUNT": "4"]
        #expect(try spec(base.merging(["SLURM_ARRAY_TASK_ID": "5"]) { $1 }) == "1/4")
        #expect(try spec(base.merging(["SLURM_ARRAY_TASK_ID": "8"]) { $1 }) == "4/4")
        #expect(try spec(["SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_MAX": "15"]) == "1/16")
        #expect(try spec(["SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_COUNT": "3"]) == "3/3")
        #expect(try spec(["SLURM_ARRAY_TASK_ID": "7", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_MAX": "7",
                          "SLURM_ARRAY_TASK_STEP": "2", "SLURM_ARRAY_TASK_COUNT": "4"]) == "4/4")
        // Outside an array job: one clear line naming the variable.
        do {
            _ = try ShardSpec(parsing: "auto", environment: [:])
            Issue.record("auto outside an array was accepted")
        } catch { #expect(error.description.contains("SLURM_ARRAY_TASK_ID") && !error.description.contains("\n")) }
        // An array with gaps (--array=1,3,7) has no positions to shard by.
        #expect(throws: ShardSpecError.self) {
            try ShardSpec(parsing: "auto", environment: ["SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_MIN": "1",
                                                         "SLURM_ARRAY_TASK_MAX": "7", "SLURM_ARRAY_TASK_COUNT": "3"])
        }
        #expect(throws: ShardSpecError.self) {
            try ShardSpec(parsing: "auto", environment: ["SLURM_ARRAY_TASK_ID": "x", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_COUNT": "3"])
        }
        #expect(throws: ShardSpecError.self) { try ShardSpec(parsing: "auto", environment: ["SLURM_ARRAY_TASK_ID": "3"]) }
    }

    @Test("the shards' samples are whole blocks that tile 0..<total in order", arguments: [1, 2, 3, 7, 16, 40])
    func ranges(count: Int) throws {
        for (total, alignment) in [(1000, 64), (1024, 64), (5, 64), (0, 8), (999_983, 1000)] {
            let ranges = try (1...count).map { try ShardSpec(index: $0, count: count).samples(of: total, alignment: alignment) }
            #expect(ranges.first?.lowerBound == 0 && ranges.last?.upperBound == total)
            for (a, b) in zip(ranges, ranges.dropFirst()) { #expect(a.upperBound == b.lowerBound) }
            for r in ranges { #expect(r.lowerBound % alignment == 0 && (r.upperBound % alignment == 0 || r.upperBound == total)) }
        }
    }

    // MARK: Merge

    static let architecture = SimulatedArchitecture(inputDimension: 3, hiddenWidths: [4, 4], sigma2: 2, inputNorm2: 1, trainableBiases: true)
    typealias File = ShardFile<[String: String], ThetaMoments>
    static let request = ["widths": "3,4x2"]

    /// Shards of a `validate`-like run written to `directory`; returns their paths.
    static func writeShards(_ count: Int, total: Int = 3000, seed: UInt64 = 5, request: [String: String] = request, build: String = "ntk-test",
                            into directory: URL, name: String = "s") throws -> [String] {
        try (1...count).map { k in
            let spec = try ShardSpec(index: k, count: count)
            let range = spec.samples(of: total, alignment: architecture.samplesPerBlock)
            var file = File(command: "validate", request: request, seed: seed, samples: total, shard: spec, range: range, build: build)
            let run = simulate(architecture, samples: range.count, firstSample: range.lowerBound, seed: seed, threads: 2)
            file.statistic = run.moments
            let path = directory.appendingPathComponent("\(name)\(k).json").path
            try file.encoded().write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
    }

    static func directory() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ntk-shard-tests-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func refusal(_ paths: [String]) -> String {
        do {
            _ = try ShardMerge.merge(paths: paths, command: "validate", as: File.self)
            return "accepted"
        } catch { return error.description }
    }

    @Test("merged shards equal the unsharded run bit for bit, for any N and any file order", arguments: [1, 2, 3, 5, 8])
    func bitForBit(count: Int) throws {
        let dir = Self.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let paths = try Self.writeShards(count, into: dir)
        let merged = try ShardMerge.merge(paths: paths.reversed(), command: "validate", as: File.self)
        let whole = simulate(Self.architecture, samples: 3000, seed: 5, threads: 1).moments
        let m = merged.statistic
        #expect(m.count == whole.count && merged.stoppedBy == .sampleBudget)
        for (a, b) in [(m.sumTheta, whole.sumTheta), (m.sumTheta2, whole.sumTheta2), (m.sumTheta3, whole.sumTheta3), (m.sumTheta4, whole.sumTheta4)] {
            #expect(a.value.bitPattern == b.value.bitPattern)
        }
        #expect(m.mean.bitPattern == whole.mean.bitPattern && m.standardErrorOfSecondMoment.bitPattern == whole.standardErrorOfSecondMoment.bitPattern)
    }

    @Test("missing shards are named; duplicates refused")
    func missingAndDuplicates() throws {
        let dir = Self.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let p = try Self.writeShards(4, into: dir)
        #expect(Self.refusal([p[0], p[2]]) == "shards 2, 4 of 4 missing")
        #expect(Self.refusal([p[0], p[1], p[3]]) == "shard 3 of 4 missing")
        #expect(Self.refusal([p[0], p[1], p[1], p[2], p[3]]).hasPrefix("shard 2/4 appears twice"))
        #expect(Self.refusal([]).contains("merge needs"))
    }

    @Test("truncated, corrupt, retired, foreign or edited files are refused by name")
    func badFiles() throws {
        let dir = Self.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let p = try Self.writeShards(2, into: dir)
        let text = try String(contentsOfFile: p[1], encoding: .utf8)
        func variant(_ name: String, _ contents: String) throws -> String {
            let path = dir.appendingPathComponent(name).path
            try contents.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        let truncated = try variant("truncated.json", String(text.prefix(text.count / 2)))
        #expect(Self.refusal([p[0], truncated]).contains("truncated.json': not a complete JSON object (truncated or corrupt)"))
        let retired = try variant("old.json", #"{"format": "ntk-validate-stats-2", "seed": 1}"#)
        #expect(Self.refusal([retired]).contains("format ntk-validate-stats-2") && Self.refusal([retired]).contains("no longer read"))
        let other = try variant("other.json", text.replacingOccurrences(of: "\"command\" : \"validate\"", with: "\"command\" : \"step\""))
        #expect(Self.refusal([p[0], other]).contains("written by `ntk step`"))
        // A header edited without its fingerprint: refused as edited or corrupt.
        let edited = try variant("edited.json", text.replacingOccurrences(of: "\"samples\" : 3000", with: "\"samples\" : 3001"))
        #expect(Self.refusal([p[0], edited]).contains("fingerprint does not match"))
        // A statistic with more samples than the shard has: inconsistent.
        let statistic = try #require(text.range(of: "\"statistic\""))
        let count = try #require(text.range(of: #""count" : [0-9]+"#, options: .regularExpression, range: statistic.upperBound..<text.endIndex))
        let inflated = try variant("inflated.json", text.replacingCharacters(in: count, with: "\"count\" : 99999"))
        #expect(Self.refusal([p[0], inflated]).contains("inconsistent counts"))
        let negative = try variant("negative.json", text.replacingCharacters(in: count, with: "\"count\" : -5"))
        #expect(Self.refusal([p[0], negative]).contains("inconsistent counts"))
        #expect(Self.refusal([dir.appendingPathComponent("nope.json").path]).contains("cannot read"))
    }

    @Test("a shard of another run (seed, flags, build, sample count, shard count) is refused")
    func otherRuns() throws {
        let dir = Self.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let p = try Self.writeShards(2, into: dir)
        let seed = try Self.writeShards(2, seed: 6, into: dir, name: "seed")
        #expect(Self.refusal([p[0], seed[1]]).contains("another seed (6, not 5)"))
        let flags = try Self.writeShards(2, request: ["widths": "3,4x3"], into: dir, name: "flags")
        #expect(Self.refusal([p[0], flags[1]]).contains("other flags (widths differs)"))
        let build = try Self.writeShards(2, build: "ntk-other", into: dir, name: "build")
        #expect(Self.refusal([p[0], build[1]]).contains("another build of ntk"))
        let samples = try Self.writeShards(2, total: 2000, into: dir, name: "samples")
        #expect(Self.refusal([p[0], samples[1]]).contains("another sample count"))
        let shards = try Self.writeShards(3, into: dir, name: "three")
        #expect(Self.refusal([p[0], shards[1]]).contains("another shard count"))
    }

    @Test("sums that overflow only when merged are refused")
    func overflow() throws {
        let dir = Self.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let p = try Self.writeShards(2, into: dir)
        // Each shard's Σ Θ⁴ near the top of the double range: finite alone, infinite together.
        var edited: [String] = []
        for (i, path) in p.enumerated() {
            var file = try JSONDecoder().decode(File.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
            var m = ThetaMoments()
            m.add(1.2e77)  // Θ⁴ ≈ 2e308 > max: refused as not finite already
            #expect(!m.isWellFormed)
            m = ThetaMoments()
            m.add(1e77)  // Θ⁴ = 1e308: finite; two of them are not
            file.statistic = m
            let out = dir.appendingPathComponent("big\(i).json").path
            try file.encoded().write(toFile: out, atomically: true, encoding: .utf8)
            edited.append(out)
        }
        #expect(Self.refusal(edited).contains("overflow when merged"))
    }

    @Test("resume: a complete shard file of the same run is recognised; another run's is not")
    func resume() throws {
        let dir = Self.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let p = try Self.writeShards(2, into: dir)
        let spec = try ShardSpec(index: 2, count: 2)
        let range = spec.samples(of: 3000, alignment: Self.architecture.samplesPerBlock)
        let same = File(command: "validate", request: Self.request, seed: 5, samples: 3000, shard: spec, range: range, build: "ntk-test")
        #expect(same.isDone(at: p[1]))
        #expect(!same.isDone(at: p[0]))  // shard 1's file
        let otherSeed = File(command: "validate", request: Self.request, seed: 6, samples: 3000, shard: spec, range: range, build: "ntk-test")
        #expect(!otherSeed.isDone(at: p[1]))
        #expect(!same.isDone(at: dir.appendingPathComponent("absent.json").path))
    }
}
