import Foundation
import Testing
import NTKOutput
import Experiments
@testable import NTKCommandLine

/// What a command-line user expects of any tool: a version, help that shows the flags one
/// needs, typos named with the closest word, and no silent choice between repeated options.
@Suite("Command-line habits")
struct CommandLineHabitsTests {
    @Test("ntk --version prints the one version string")
    func version() {
        let r = ntk(["--version"])
        #expect(r.code == 0 && r.stderr.isEmpty)
        #expect(r.stdout == ToolVersion.string + "\n")
        #expect(ToolVersion.string.split(separator: ".").count == 3)
    }

    @Test("a misspelt command is named, with the closest command", arguments: [
        ("momets --widths 3,2,2 --sigma2 2", "'momets'", "'moments'"),
        ("vaildate --width 10 --depth 3", "'vaildate'", "'validate'"),
        ("offdiag rn", "'rn'", "'run'"),
        ("validate merg a.json", "'merg'", "'merge'"),
    ])
    func unknownCommand(_ line: String, _ named: String, _ suggested: String) {
        let r = ntk(line)
        #expect(r.isCleanRefusal, "\(r)")
        #expect(r.stderr.contains("unknown command \(named)") && r.stderr.contains("did you mean \(suggested)"), "\(r.stderr)")
    }

    @Test("help of an unknown command is an error, help of a known one is not")
    func helpOfUnknownCommand() {
        let bad = ntk("help foo")
        #expect(bad.isCleanRefusal && bad.stderr.contains("'foo'"), "\(bad)")
        #expect(ntk("help validate foo").isCleanRefusal)
        let good = ntk("help validate run")
        #expect(good.code == 0 && good.stdout.contains("--samples"))
    }

    @Test("an unknown option is named before any missing-argument complaint, with the closest option")
    func unknownOptionFirst() {
        let r = ntk("moments --sigma 2 --widths 3,2,2")
        #expect(r.isCleanRefusal, "\(r)")
        #expect(r.stderr.contains("unknown option '--sigma'") && r.stderr.contains("'--sigma2'"), "\(r.stderr)")
        #expect(!r.stderr.contains("Missing"))
        let sub = ntk("validate --widht 10 --depth 3 --sigma2 2")
        #expect(sub.isCleanRefusal && sub.stderr.contains("unknown option '--widht'"), "\(sub.stderr)")
    }

    @Test("a single-value option given twice is refused; the value is not silently the last", arguments: [
        "moments --widths 3,2 --widths 3,2,2 --sigma2 2",
        "moments --widths=3,2 --widths 3,2,2 --sigma2 2",
        "validate --width 10 --depth 3 --sigma2 2 --samples 10 --samples 20",
        "limit --lambda 1 --sigma2 2 --sigma2 2.5",
    ])
    func repeatedOption(_ line: String) {
        expectCleanRefusal(line, mentioning: "given twice")
    }

    @Test("a stray word after a command is refused by name")
    func strayWord() {
        let r = ntk("moments --widths 3,2,2 --sigma2 2 extra")
        #expect(r.isCleanRefusal && r.stderr.contains("'extra'"), "\(r)")
    }

    @Test("negative values and values that look like words still parse")
    func valuesAreNotOptions() {
        #expect(ntk("kernel --width 3 --depth 2 --sigma2 2 --correlation -0.5 --double").code == 0)
        #expect(ntk("moments --widths 3,2,2 --sigma2 2 --exact").code == 0)
    }

    @Test("help of a command with a default subcommand shows that subcommand's flags",
          arguments: ["validate", "offdiag", "step", "distribution"])
    func defaultSubcommandHelp(_ command: String) {
        let r = ntk([command, "--help"])
        #expect(r.code == 0)
        #expect(r.stdout.contains("--samples") && r.stdout.contains("--seed"), "\(command) --help lacks the run flags")
        #expect(ntk(["help", command]).stdout == r.stdout)
    }
}
