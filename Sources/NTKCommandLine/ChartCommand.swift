import ArgumentParser

struct ChartCommand: NTKSubcommand {
    static let configuration = CommandConfiguration(commandName: "chart", abstract: "(in progress)")
    func execute(_ io: CommandIO) throws { throw UsageError("chart is not available yet") }
}
