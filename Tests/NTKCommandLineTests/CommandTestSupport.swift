import Foundation
import Testing
@testable import NTKCommandLine
import NTKOutput

/// Runs `ntk` in-process and returns what a shell would see.
struct CommandResult {
    let code: Int32
    let stdout: String
    let stderr: String

    var stderrLines: [Substring] { stderr.split(separator: "\n", omittingEmptySubsequences: false).dropLast(stderr.hasSuffix("\n") ? 1 : 0).map { $0 } }

    /// The bad-input contract: exit 2, exactly one line on stderr, nothing on stdout.
    var isCleanRefusal: Bool { code == 2 && stdout.isEmpty && stderrLines.count == 1 && stderr.hasSuffix("\n") }
}

func ntk(_ arguments: [String]) -> CommandResult {
    let io = CommandIO(.capture)
    let code = NTKTool.run(arguments, io: io)
    return CommandResult(code: code, stdout: io.capturedStandardOutput, stderr: io.capturedStandardError)
}

func ntk(_ line: String) -> CommandResult {
    ntk(line.split(separator: " ").map(String.init))
}

/// Runs `line` and expects the bad-input contract with `text` in the one stderr line.
func expectCleanRefusal(_ line: String, mentioning text: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let r = ntk(line)
    #expect(r.isCleanRefusal, "\(r)", sourceLocation: sourceLocation)
    #expect(r.stderr.contains(text), "\(r.stderr)", sourceLocation: sourceLocation)
}

func temporaryDirectory() -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("ntk-tests-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Runs `base` (a command line) once per shard k/N with `--emit-stats` into `directory` and
/// returns the shard files; every run must succeed.
func writeShards(_ base: String, count: Int, into directory: URL) -> [String] {
    (1...count).map { k in
        let file = directory.appendingPathComponent("part\(k).json").path
        let r = ntk(base.split(separator: " ").map(String.init) + ["--shard", "\(k)/\(count)", "--emit-stats", file])
        #expect(r.code == 0, "shard \(k)/\(count) of \(base) failed: \(r.stderr)")
        return file
    }
}

extension JSONValue {
    /// The guaranteed digits of the real `key` under the JSON contract (docs/json.md): its
    /// `_decimal` member, or the number itself when the double holds the value exactly.
    func real(_ key: String) -> String? { self[key + "_decimal"]?.stringValue ?? self[key]?.numberText }
}
