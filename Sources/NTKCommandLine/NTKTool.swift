import ArgumentParser
import Foundation

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
        (with one line on stderr).
        """,
        subcommands: [MomentsCommand.self, SymbolicCommand.self, LimitCommand.self, TableCommand.self,
                      ChartCommand.self, ValidateCommand.self]
    )
}

/// Entry point of the command layer.
public enum NTKTool {
    /// Runs `ntk` with `arguments` (without the program name) and returns the exit code.
    /// Contract: 0 success, 1 failed validation, 2 bad input or refused job — then exactly one
    /// line on stderr and nothing on stdout. Never traps for any argument vector.
    public static func run(_ arguments: [String], io: CommandIO) -> Int32 {
        do {
            let parsed = try NTK.parseAsRoot(arguments)
            guard let command = parsed as? any NTKSubcommand else {
                io.write(NTK.helpMessage() + "\n")
                return 0
            }
            try command.execute(io)
            return 0
        } catch let error as UsageError {
            io.writeError("ntk: error: \(oneLine(error.description))\n")
            return 2
        } catch let error as ValidationFailure {
            io.writeError("ntk: validation failed: \(oneLine(error.description))\n")
            return 1
        } catch {
            if NTK.exitCode(for: error) == .success {
                io.write(NTK.fullMessage(for: error) + "\n")
                return 0
            }
            io.writeError("ntk: error: \(oneLine(NTK.message(for: error)))\n")
            return 2
        }
    }

    static func oneLine(_ text: String) -> String {
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let joined = lines.joined(separator: " ")
        return joined.isEmpty ? "invalid command line (see ntk --help)" : joined
    }
}
