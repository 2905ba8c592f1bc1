import ArgumentParser
import Foundation

/// The words `ntk` understands — command names and each command's option names — read once
/// from ArgumentParser's own description of the tool, so that it can never disagree with the
/// declarations.
///
/// ArgumentParser reports the first problem it meets in its own order: a missing required
/// option before an unknown one (`--sigma 2` says "Missing expected argument '--sigma2'"), a
/// misspelt command as an unknown option of the root, and a repeated single-value option not
/// at all (the last one silently wins). `check(_:)` runs before parsing and reports, in this
/// order, an unknown command (with the closest name), an unknown option of the resolved
/// command (with the closest name) and a single-value option given twice.
struct CommandLineVocabulary: Sendable {
    struct Option: Sendable {
        let names: [String]          // spelled as typed: "--widths", "-h"
        let takesValue: Bool
        let isRepeating: Bool
        let valueIsUnconditional: Bool
        let takesValuesUpToNextOption: Bool
        /// The values a closed set of values allows (e.g. `--format`), else empty.
        let allValues: [String]

        /// The long names without their dashes (`widths` for `--widths`).
        var longNames: [String] { names.filter { $0.hasPrefix("--") }.map { String($0.dropFirst(2)) } }
    }

    struct Command: Sendable {
        let name: String
        let subcommands: [Command]
        let defaultSubcommand: String?
        let options: [Option]
        /// Commands that pass unparsed words on (none today) are not checked for unknown options.
        let capturesRemainingInput: Bool
        /// The value names of its positional arguments (e.g. `files` of `merge`).
        let positionalNames: [String]
        /// False for hidden commands (`engine`, which speaks to programs, not people).
        let isShownInHelp: Bool

        /// Whether the command takes positional arguments.
        var hasPositionals: Bool { !positionalNames.isEmpty }

        func subcommand(named word: String) -> Command? { subcommands.first { $0.name == word } }

        /// The command that runs for this one: its default subcommand, recursively (`validate`
        /// runs `validate run`), or itself.
        var runningCommand: Command {
            defaultSubcommand.flatMap(subcommand(named:))?.runningCommand ?? self
        }
    }

    let root: Command

    /// The vocabulary of `ntk`, computed once per process.
    static let ntk = CommandLineVocabulary(dumpedHelp: NTK._dumpHelp())

    init(dumpedHelp: String) {
        let decoded = try? JSONDecoder().decode(DumpedTool.self, from: Data(dumpedHelp.utf8))
        root = decoded.map { Self.command(from: $0.command) }
            ?? Command(name: "ntk", subcommands: [], defaultSubcommand: nil, options: [], capturesRemainingInput: true, positionalNames: ["arguments"], isShownInHelp: true)
    }

    /// Whether some `--name` occurs twice in `arguments` (a cheap test that needs no
    /// vocabulary: only then can a single-value option have been repeated).
    static func repeatsAnOptionName(_ arguments: [String]) -> Bool {
        var seen = Set<Substring>()
        for word in arguments where word.hasPrefix("--") && word.count > 2 {
            let name = word.split(separator: "=", maxSplits: 1)[0]
            if !seen.insert(name).inserted { return true }
        }
        return false
    }

    /// Throws a `UsageError` naming the first unknown command, unknown option or repeated
    /// single-value option in `arguments` (without the program name); does nothing for
    /// argument vectors that only ArgumentParser can judge.
    func check(_ arguments: [String]) throws {
        guard !arguments.isEmpty else { return }
        if arguments[0] == "help" {
            var command = root
            var path = ["ntk"]
            for word in arguments.dropFirst() where !word.hasPrefix("-") {
                guard let next = command.subcommand(named: word) else {
                    throw UsageError("'\(word)' is not a command of '\(path.joined(separator: " "))'\(suggestion(word, among: command.subcommands.map(\.name))); see 'ntk --help'")
                }
                command = next
                path.append(word)
            }
            return
        }
        var command = root
        var path = ["ntk"]
        var index = 0
        while !command.subcommands.isEmpty {
            guard index < arguments.count else { return }
            let word = arguments[index]
            if let next = command.subcommand(named: word) {
                command = next
                path.append(word)
                index += 1
                continue
            }
            if word.hasPrefix("-") {
                if let defaultName = command.defaultSubcommand, let next = command.subcommand(named: defaultName) {
                    command = next
                    path.append(defaultName)
                    break
                }
                if command.name == root.name { return }  // `ntk --help`, `ntk --version`: ArgumentParser's own
            }
            let names = command.subcommands.filter(\.isShownInHelp).map(\.name).filter { $0 != "help" }
            throw UsageError("unknown command '\(word)'\(suggestion(word, among: names)); the commands of '\(path.joined(separator: " "))' are \(names.joined(separator: ", "))")
        }
        guard !command.capturesRemainingInput else { return }
        try checkOptions(Array(arguments[index...]), of: command, path: path.joined(separator: " "))
    }

    private func checkOptions(_ words: [String], of command: Command, path: String) throws {
        var byName: [String: Int] = [:]
        for (position, option) in command.options.enumerated() {
            for name in option.names { byName[name] = position }
        }
        var seen: [Int: String] = [:]
        var index = 0
        while index < words.count {
            let word = words[index]
            index += 1
            if word == "--" { return }
            guard word.hasPrefix("--") else {
                if !command.hasPositionals, !Self.looksLikeOption(word) {
                    throw UsageError("unexpected argument '\(word)' for '\(path)' (options start with --); see 'ntk help \(path.dropFirst(4))'")
                }
                continue  // short flags such as -h: ArgumentParser's
            }
            let name = word.split(separator: "=", maxSplits: 1).first.map(String.init) ?? word
            guard let position = byName[name] else {
                let known = command.options.flatMap(\.names).filter { $0.hasPrefix("--") }
                throw UsageError("unknown option '\(name)' for '\(path)'\(suggestion(name, among: known)); see 'ntk help \(path.dropFirst(4))'")
            }
            let option = command.options[position]
            if option.takesValue, !option.isRepeating {
                if let first = seen[position] {
                    let alias = first == name ? "" : " (also as '\(first)')"
                    throw UsageError("option '\(name)' given twice\(alias); give it once")
                }
                seen[position] = name
            }
            guard option.takesValue, !word.contains("=") else { continue }
            if option.valueIsUnconditional {
                index += 1
            } else if option.takesValuesUpToNextOption {
                while index < words.count, !Self.looksLikeOption(words[index]) { index += 1 }
            } else if index < words.count, !Self.looksLikeOption(words[index]) {
                index += 1
            }
        }
    }

    /// A word that ArgumentParser reads as an option name rather than a value: `-x`, `--xyz`,
    /// but not a negative number such as `-0.5` or `-1e-3`.
    private static func looksLikeOption(_ word: String) -> Bool {
        guard word.hasPrefix("-"), word.count > 1 else { return false }
        let second = word[word.index(after: word.startIndex)]
        return !(second.isNumber || second == ".")
    }

    /// " (did you mean 'x'?)" for the closest candidate within a small edit distance, else "".
    private func suggestion(_ word: String, among candidates: [String]) -> String {
        let scored = candidates.map { (candidate: $0, distance: Self.editDistance(word, $0)) }
        guard let best = scored.min(by: { $0.distance < $1.distance }),
              best.distance <= max(2, best.candidate.count / 3) else { return "" }
        return " (did you mean '\(best.candidate)'?)"
    }

    /// Levenshtein distance between two strings, by characters.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        var current = previous
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }

    // MARK: Reading ArgumentParser's tool description

    private static func command(from dumped: DumpedCommand) -> Command {
        let options = (dumped.arguments ?? []).compactMap { argument -> Option? in
            let names = (argument.names ?? []).map { $0.kind == "short" ? "-\($0.name)" : "--\($0.name)" }
            guard !names.isEmpty, argument.kind != "positional" else { return nil }
            return Option(
                names: names,
                takesValue: argument.kind == "option",
                isRepeating: argument.isRepeating,
                valueIsUnconditional: argument.parsingStrategy == "unconditional",
                takesValuesUpToNextOption: argument.parsingStrategy == "upToNextOption",
                allValues: argument.allValues ?? [])
        }
        let capturesRemainingInput = (dumped.arguments ?? []).contains {
            ["remaining", "allRemainingInput", "postTerminator", "allUnrecognized"].contains($0.parsingStrategy)
        }
        return Command(
            name: dumped.commandName,
            subcommands: (dumped.subcommands ?? []).map(command(from:)),
            defaultSubcommand: dumped.defaultSubcommand,
            options: options,
            capturesRemainingInput: capturesRemainingInput,
            positionalNames: (dumped.arguments ?? []).filter { $0.kind == "positional" }.compactMap(\.valueName),
            isShownInHelp: dumped.shouldDisplay ?? true)
    }

    private struct DumpedTool: Decodable { let command: DumpedCommand }
    private struct DumpedCommand: Decodable {
        let commandName: String
        let shouldDisplay: Bool?
        let defaultSubcommand: String?
        let subcommands: [DumpedCommand]?
        let arguments: [DumpedArgument]?
    }
    private struct DumpedArgument: Decodable {
        struct Name: Decodable { let kind: String; let name: String }
        let kind: String
        let names: [Name]?
        let isRepeating: Bool
        let parsingStrategy: String
        let valueName: String?
        let allValues: [String]?
    }
}
