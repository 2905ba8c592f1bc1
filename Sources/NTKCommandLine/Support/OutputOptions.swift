import ArgumentParser
import NTKOutput

/// The formats a command prints, `text` (the default) among them.
protocol OutputFormat: ExpressibleByArgument, CaseIterable {
    static var text: Self { get }
}

extension ReportFormat: OutputFormat {}
extension ReportOrCSVFormat: OutputFormat {}
extension TableFormat: OutputFormat {}

/// `--format` and `--output FILE`, shared by every command that prints a report, a table or a
/// document; `Format` is the command's set of formats.
struct OutputOptions<Format: OutputFormat>: ParsableArguments {
    @Option(help: "Output format.")
    var format: Format = .text

    @Option(name: .customLong("output"),
            help: "Write stdout to FILE instead, atomically: the whole output or, when the command refuses or fails, nothing.")
    var file: String?

    /// Runs `body` with stdout going to the file, when one was given (`CommandIO.writing`).
    func writing(_ io: CommandIO, _ body: (CommandIO) throws -> Void) throws {
        try io.writing(to: file, body)
    }
}

/// `--output FILE` alone, for the commands with one output format (`chart`: SVG).
struct OutputFileOption: ParsableArguments {
    @Option(help: "Write stdout to FILE instead, atomically: the whole output or, when the command refuses or fails, nothing.")
    var output: String?

    /// Runs `body` with stdout going to the file, when one was given (`CommandIO.writing`).
    func writing(_ io: CommandIO, _ body: (CommandIO) throws -> Void) throws {
        try io.writing(to: output, body)
    }
}
