import Testing
import Foundation
@testable import NTKCommandLine

/// Every `$ ntk …` command shown in a console block of README.md or of a page in docs/ runs
/// here, in-process, and its output must be the output the page shows (timings normalised).
/// Files named by `--output` are written to a temporary folder instead. docs/cli.md shows each
/// command's `--help`, so the command reference cannot drift from the tool.
@Suite("README and docs commands")
struct ReadmeCommandTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct Example: CustomStringConvertible, Sendable {
        let page: String
        let command: String
        let expected: String
        var description: String { "\(page): \(command)" }
    }

    /// README.md and every Markdown page in docs/.
    static func pages() -> [String] {
        let docs = (try? FileManager.default.contentsOfDirectory(atPath: repositoryRoot.appendingPathComponent("docs").path)) ?? []
        return ["README.md"] + docs.filter { $0.hasSuffix(".md") }.sorted().map { "docs/" + $0 }
    }

    static func examples() -> [Example] { pages().flatMap(examples(in:)) }

    static func examples(in page: String) -> [Example] {
        guard let readme = try? String(contentsOf: repositoryRoot.appendingPathComponent(page), encoding: .utf8) else { return [] }
        var examples: [Example] = []
        var inConsole = false
        var command: String? = nil
        var output: [Substring] = []
        func flush() {
            if let c = command { examples.append(Example(page: page, command: c, expected: output.map { $0 + "\n" }.joined())) }
            command = nil
            output = []
        }
        for line in readme.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```console") { inConsole = true; continue }
            if inConsole && line.hasPrefix("```") { flush(); inConsole = false; continue }
            guard inConsole else { continue }
            if line.hasPrefix("$ ") {
                // Only `ntk` lines are replayed here; other shell lines (python3, pip) are run
                // by the suites of their own tools.
                flush()
                command = line.hasPrefix("$ ntk ") ? String(line.dropFirst(2)) : nil
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

    @Test("the README tour shows commands of every kind, in at most 200 lines")
    func coverage() throws {
        let commands = Self.examples(in: "README.md").map(\.command)
        for needed in ["ntk moments", "--exact", "--certified", "ntk symbolic", "ntk limit",
                       "ntk table", "ntk kernel", "ntk chart", "ntk validate"] {
            #expect(commands.contains { $0.contains(needed) }, "README lacks an example with \(needed)")
        }
        let readme = try String(contentsOf: Self.repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(readme.split(separator: "\n", omittingEmptySubsequences: false).count <= 200)
        let guarantees = Self.examples(in: "docs/guarantees.md").map(\.command)
        for needed in ["--double", "--precision"] {
            #expect(guarantees.contains { $0.contains(needed) }, "docs/guarantees.md lacks an example with \(needed)")
        }
    }

    @Test("docs/cli.md shows the --help of every command and subcommand")
    func commandReferenceCoversEveryCommand() {
        let shown = Set(Self.examples(in: "docs/cli.md").map(\.command))
        func paths(_ command: CommandLineVocabulary.Command, _ prefix: String) -> [String] {
            command.subcommands.filter { $0.name != "help" && $0.isShownInHelp }.flatMap { sub -> [String] in
                let path = prefix + " " + sub.name
                // A default subcommand's help is part of its parent's (`ntk validate --help`).
                let isDefault = command.defaultSubcommand == sub.name
                return (isDefault ? [] : [path]) + paths(sub, path)
            }
        }
        for path in paths(CommandLineVocabulary.ntk.root, "ntk") {
            #expect(shown.contains(path + " --help"), "docs/cli.md lacks '$ \(path) --help'")
        }
    }

    @Test("no example writes into the repository: --output goes to a temporary path")
    func examplesWriteOutsideTheRepository() {
        for example in Self.examples() {
            let words = Self.words(example.command)
            if let i = words.firstIndex(of: "--output"), i + 1 < words.count {
                #expect(words[i + 1].hasPrefix("/tmp/"), "\(example): writes \(words[i + 1])")
            }
        }
    }

    @Test("each command in README and docs prints what the page shows", arguments: examples())
    func example(_ example: Example) throws {
        var arguments = Self.words(example.command)
        #expect(arguments.first == "ntk")
        arguments.removeFirst()
        if let i = arguments.firstIndex(of: "--output"), i + 1 < arguments.count {
            arguments[i + 1] = temporaryDirectory().appendingPathComponent(URL(fileURLWithPath: arguments[i + 1]).lastPathComponent).path
        }
        // Committed inputs are named from the repository root; tests never depend on the
        // process-wide working directory.
        arguments = arguments.map { $0.hasPrefix("derivations/") ? Self.repositoryRoot.appendingPathComponent($0).path : $0 }
        let result = ntk(arguments)
        #expect(result.code == 0, "\(example): \(result.stderr)")
        #expect(Self.normalised(result.stdout) == Self.normalised(example.expected), "\(example)")
    }
}

/// The committed figures in derivations/figures/ are exactly what the single-line `chart`
/// commands of `make figures` produce (the Makefile is the one place that writes them).
@Suite("Committed figures")
struct CommittedFigureTests {
    struct FigureCommand: CustomStringConvertible, Sendable {
        let arguments: [String]
        let committedPath: String
        var description: String { committedPath }
    }

    static func figureCommands() -> [FigureCommand] {
        let root = ReadmeCommandTests.repositoryRoot
        guard let makefile = try? String(contentsOf: root.appendingPathComponent("Makefile"), encoding: .utf8) else { return [] }
        return makefile.split(separator: "\n").compactMap { line -> FigureCommand? in
            let text = line.trimmingCharacters(in: .whitespaces)
            guard text.hasPrefix("$(RELEASE_BIN) chart "), !text.hasSuffix("\\") else { return nil }
            var words = ReadmeCommandTests.words(String(text.dropFirst("$(RELEASE_BIN) ".count)))
                .map { $0.replacingOccurrences(of: "$(FIGURE_DIR)", with: "derivations/figures") }
            guard let i = words.firstIndex(of: "--output"), i + 1 < words.count else { return nil }
            let committed = words[i + 1]
            words[i + 1] = temporaryDirectory().appendingPathComponent(URL(fileURLWithPath: committed).lastPathComponent).path
            words = words.map { $0.hasPrefix("derivations/") ? root.appendingPathComponent($0).path : $0 }
            return FigureCommand(arguments: words, committedPath: committed)
        }
    }

    @Test("make figures lists the chart commands of the committed figures")
    func figuresAreListed() {
        let listed = Set(Self.figureCommands().map(\.committedPath))
        for name in ["convergence.svg", "dispersion.svg", "depth-m100.svg"] {
            #expect(listed.contains("derivations/figures/" + name), "make figures does not write \(name)")
        }
    }

    @Test("each committed figure is what its make-figures command draws", arguments: figureCommands())
    func figureIsCurrent(_ figure: FigureCommand) throws {
        let result = ntk(figure.arguments)
        #expect(result.code == 0, "\(figure): \(result.stderr)")
        let i = try #require(figure.arguments.firstIndex(of: "--output"))
        let written = try String(contentsOfFile: figure.arguments[i + 1], encoding: .utf8)
        let committed = try String(contentsOf: ReadmeCommandTests.repositoryRoot.appendingPathComponent(figure.committedPath), encoding: .utf8)
        #expect(written == committed, "\(figure.committedPath) is out of date: run make figures")
    }
}
