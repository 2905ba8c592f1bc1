import ArgumentParser

/// `--output FILE`, shared by every command that prints a report, a table or a document.
struct OutputFileOption: ParsableArguments {
    @Option(help: "Write stdout to FILE instead, atomically: the whole output or, when the command refuses or fails, nothing.")
    var output: String?

    /// Runs `body` with stdout going to the file, when one was given (`CommandIO.writing`).
    func writing(_ io: CommandIO, _ body: (CommandIO) throws -> Void) throws {
        try io.writing(to: output, body)
    }
}
