import ArgumentParser

struct TableCommand: NTKSubcommand {
    static let configuration = CommandConfiguration(commandName: "table", abstract: "(in progress)")
    func execute(_ io: CommandIO) throws { throw UsageError("table is not available yet") }
}
