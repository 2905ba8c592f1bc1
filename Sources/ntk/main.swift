import NTKCommandLine
import Foundation

exit(NTKTool.run(Array(CommandLine.arguments.dropFirst()), io: CommandIO(.process)))
