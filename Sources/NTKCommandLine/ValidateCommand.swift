import ArgumentParser

struct ValidateCommand: NTKSubcommand {
    static let configuration = CommandConfiguration(commandName: "validate", abstract: "(in progress)")
    func execute(_ io: CommandIO) throws { throw UsageError("validate is not available yet") }
}
