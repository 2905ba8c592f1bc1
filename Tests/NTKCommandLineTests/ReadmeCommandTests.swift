import Testing
import Foundation
@testable import NTKCommandLine

/// Every `$ ntk …` command shown in README.md runs here, in-process, and its output must be
/// the output the README shows (timings normalised). A chart written with `--output FILE`
/// must reproduce the committed FILE byte for byte.
@Suite("README commands")
struct ReadmeCommandTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct Example: CustomStringConvertible, Sendable {
        let command: String
        let expected: String
        var description: String { command }
    }

    static func examples() -> [Example] {
        guard let readme = try? String(contentsOf: repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8) else { return [] }
        var examples: [Example] = []
        var inConsole = false
        var command: String? = nil
        var output: [Substring] = []
        func flush() {
            if let c = command { examples.append(Example(command: c, expected: output.map { $0 + "\n" }.joined())) }
            command = nil
            output = []
        }
        for line in readme.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```console") { inConsole = true; continue }
            if inConsole && line.hasPrefix("```") { flush(); inConsole = false; continue }
            guard inConsole else { continue }
            if line.hasPrefix("$ ") {
                flush()
                command = String(line.dropFirst(2))
            } else if command != nil {
                output.append(line)
            }
        }
        return examples
    }

    /// Splits a command line on spaces, honouring single quotes.
    static func words(_ line: String) -> [String] {
        var words: [String] = [], current = "", quoted = false, started = false
        for ch in line {
            if ch == "'" { quoted.toggle(); started = true; continue }
            if ch == " " && !quoted {
                if started { words.append(current) }
                current = ""; started = false
                continue
            }
            current.append(ch); started = true
        }
        if started { words.append(current) }
        return words
    }

    static func normalised(_ text: String) -> String {
        text.replacingOccurrences(of: #"in [0-9]+\.[0-9]+ s"#, with: "in <t> s", options: .regularExpression)
    }

    @Test("the README shows commands of every kind")
    func coverage() {
        let commands = Self.examples().map(\.command)
        for needed in ["ntk moments", "--exact", "--double", "--certified", "--precision", "ntk symbolic", "ntk limit",
                       "ntk table", "ntk chart", "ntk validate"] {
            #expect(commands.contains { $0.contains(needed) }, "README lacks an example with \(needed)")
        }
    }

    @Test("each README command prints what the README shows", arguments: examples())
    func example(_ example: Example) throws {
        var arguments = Self.words(example.command)
        #expect(arguments.first == "ntk")
        arguments.removeFirst()
        var committedFile: URL? = nil
        if let i = arguments.firstIndex(of: "--output"), i + 1 < arguments.count {
            committedFile = Self.repositoryRoot.appendingPathComponent(arguments[i + 1])
            arguments[i + 1] = temporaryDirectory().appendingPathComponent(committedFile!.lastPathComponent).path
        }
        let result = ntk(arguments)
        #expect(result.code == 0, "\(example.command): \(result.stderr)")
        #expect(Self.normalised(result.stdout) == Self.normalised(example.expected), "\(example.command)")
        if let committedFile, let i = arguments.firstIndex(of: "--output") {
            let written = try String(contentsOfFile: arguments[i + 1], encoding: .utf8)
            let committed = try String(contentsOf: committedFile, encoding: .utf8)
            #expect(written == committed, "\(committedFile.lastPathComponent) is out of date: regenerate it with the README command")
        }
    }
}
