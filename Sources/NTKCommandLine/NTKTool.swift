import ArgumentParser
import Foundation
import NTKOutput
import Experiments

/// A subcommand of `ntk`. Commands never print directly: they write through `CommandIO`, so
/// the same code serves the executable and the in-process tests.
protocol NTKSubcommand: ParsableCommand {
    func execute(_ io: CommandIO) throws
}

extension NTKSubcommand {
    mutating func run() throws { try execute(CommandIO(.process)) }
}

struct NTK: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ntk",
        abstract: "Exact finite-width moments of the neural tangent kernel of deep ReLU networks.",
        discussion: """
        Exit codes: 0 success, 1 a failed Monte Carlo validation, 2 bad input or a refused job \
        (with one line on stderr), 3 an inconclusive validation (too few samples for a verdict).
        """,
        version: ToolVersion.string,
        subcommands: [MomentsCommand.self, KernelCommand.self, SymbolicCommand.self, LimitCommand.self, TableCommand.self,
                      ChartCommand.self, ExpandCommand.self, DistributionCommand.self, ValidateCommand.self,
                      OffDiagCommand.self, StepCommand.self, TrainCommand.self, SlurmCommand.self, EngineCommand.self]
    )
}

/// Entry point of the command layer.
public enum NTKTool {
    /// Runs `ntk` with `arguments` (without the program name) and returns the exit code.
    /// Contract: 0 success, 1 failed validation, 2 bad input or refused job — then exactly one
    /// line on stderr and nothing on stdout —, 3 inconclusive validation (too few samples or no
    /// finite standard error, or a result such as an expansion that does not hold at the setting;
    /// report on stdout, one line on stderr). Never traps for any
    /// argument vector.
    public static func run(_ arguments: [String], io: CommandIO) -> Int32 {
        do {
            let parsed = try parse(arguments)
            guard let command = parsed as? any NTKSubcommand else {
                // `ntk`, `ntk help …` and `… --help` arrive here as ArgumentParser's help command.
                io.write(helpText(for: helpTarget(arguments)))
                return 0
            }
            try command.execute(io)
            return 0
        } catch let error as UsageError {
            io.writeError("ntk: error: \(oneLine(error.description))\n")
            return 2
        } catch let error as ExperimentError {
            io.writeError("ntk: error: \(oneLine(error.description))\n")
            return error == .cancelled ? 130 : 2
        } catch let error as ValidationFailure {
            io.writeError("ntk: validation failed: \(oneLine(error.description))\n")
            return 1
        } catch let error as ValidationInconclusive {
            io.writeError("ntk: validation inconclusive: \(oneLine(error.description))\n")
            return 3
        } catch let error as ResultDoesNotHold {
            io.writeError("ntk: \(oneLine(error.description))\n")
            return 3
        } catch {
            // Asking ArgumentParser for the exit code builds the whole usage text again (about
            // 20 ms in a debug build); only help-like arguments can end in a clean exit.
            let mayRequestHelp = arguments.contains {
                $0 == "help" || $0 == "--version" || $0.hasPrefix("--help") || $0.hasPrefix("--experimental")
                    || $0.hasPrefix("--generate-completion") || ($0.hasPrefix("-") && !$0.hasPrefix("--") && $0.contains("h"))
            }
            if mayRequestHelp, NTK.exitCode(for: error) == .success {
                let isHelp = arguments.contains { $0 == "help" || $0 == "-h" || $0.hasPrefix("--help") }
                io.write(isHelp ? helpText(for: helpTarget(arguments)) : NTK.fullMessage(for: error) + "\n")
                return 0
            }
            io.writeError("ntk: error: \(oneLine(NTK.message(for: error)))\n")
            return 2
        }
    }

    /// Parses `arguments`, reporting an unknown command, an unknown option or a repeated
    /// single-value option in the tool's own words before ArgumentParser's. Building the
    /// vocabulary costs about as much as a small computation, so a command line that parses and
    /// repeats no option name never pays for it.
    static func parse(_ arguments: [String]) throws -> ParsableCommand {
        if arguments.first == "help" || CommandLineVocabulary.repeatsAnOptionName(arguments) {
            try CommandLineVocabulary.ntk.check(arguments)
        }
        do {
            return try NTK.parseAsRoot(arguments)
        } catch {
            try CommandLineVocabulary.ntk.check(arguments)
            throw error
        }
    }

    /// The (sub)command whose help was asked for: the longest chain of subcommand names
    /// among the arguments, e.g. `validate merge --help` → `ValidateMergeCommand`.
    static func helpTarget(_ arguments: [String]) -> ParsableCommand.Type {
        var current: ParsableCommand.Type = NTK.self
        for word in arguments where !word.hasPrefix("-") {
            guard let next = current.configuration.subcommands.first(where: { $0._commandName == word }) else { continue }
            current = next
        }
        return current
    }

    /// The help of `command`; for a command with a default subcommand (`validate` runs
    /// `validate run`), followed by the default subcommand's help, so that `ntk validate --help`
    /// shows the flags one needs.
    /// Always 80 columns, whatever the terminal: the help is reproduced verbatim in docs/cli.md
    /// and checked there by a test.
    static func helpText(for command: ParsableCommand.Type) -> String {
        var text = NTK.helpMessage(for: command, columns: 80) + "\n"
        if let defaultCommand = command.configuration.defaultSubcommand {
            text += "\n" + NTK.helpMessage(for: defaultCommand, columns: 80) + "\n"
        }
        return text
    }

    static func oneLine(_ text: String) -> String {
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let joined = lines.joined(separator: " ")
        return joined.isEmpty ? "invalid command line (see ntk --help)" : joined
    }
}
