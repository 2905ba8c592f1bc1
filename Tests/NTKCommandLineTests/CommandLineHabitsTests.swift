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

    @Test("every command that prints a report, a table or a document takes --output FILE", arguments: [
        "moments", "kernel", "symbolic", "limit", "table", "expand", "validate run", "validate merge", "validate suite",
        "offdiag run", "offdiag merge", "step run", "step merge", "distribution run", "distribution merge", "train", "chart",
    ])
    func outputOption(_ command: String) {
        let help = ntk(command.split(separator: " ").map(String.init) + ["--help"])
        #expect(help.code == 0 && help.stdout.contains("--output <output>"), "\(command)")
    }

    @Test("--output holds what stdout would: written whole on success and with a verdict's report, untouched on a refusal")
    func outputFile() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let plain = ntk("moments --widths 3,2,2 --sigma2 2 --exact")
        let file = dir.appendingPathComponent("m.txt").path
        let written = ntk(["moments", "--widths", "3,2,2", "--sigma2", "2", "--exact", "--output", file])
        #expect(written.code == 0 && written.stdout.isEmpty && written.stderr.isEmpty)
        #expect(try String(contentsOfFile: file, encoding: .utf8) == plain.stdout)
        // A refusal leaves an existing file as it was.
        let refused = ntk(["moments", "--widths", "3,2,2", "--sigma2", "2", "--exact", "--max-moment", "9", "--output", file])
        #expect(refused.code == 2 && refused.stdout.isEmpty)
        // Also when the refusal comes from the request, after the file was opened.
        let late = ntk(["limit", "--lambda", "51", "--sigma2", "2", "--output", file])
        #expect(late.code == 2 && late.stderr == "ntk: error: --lambda 51 is outside the supported range 1e-30 … 50\n")
        #expect(try String(contentsOfFile: file, encoding: .utf8) == plain.stdout)
        // An inconclusive validation (exit 3) still writes its report.
        let report = dir.appendingPathComponent("v.txt").path
        let inconclusive = ntk(["validate", "--widths", "3,2,2", "--sigma2", "2", "--samples", "2", "--output", report])
        #expect(inconclusive.code == 3 && inconclusive.stdout.isEmpty && inconclusive.stderr.hasPrefix("ntk: validation inconclusive"))
        #expect(try String(contentsOfFile: report, encoding: .utf8).hasPrefix("architecture  n0=3, hidden 2x2"))
        let badPath = ntk(["limit", "--lambda", "1", "--sigma2", "2", "--output", dir.appendingPathComponent("no/such/dir.txt").path])
        #expect(badPath.code == 2 && badPath.stderr.hasPrefix("ntk: error: --output "))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["m.txt", "v.txt"])
    }

    @Test("--rho is a hidden name of chart's --correlation: read, not shown, and refused together with it")
    func rhoAlias() {
        let help = ntk("chart --help")
        #expect(help.stdout.contains("--correlation <correlation>") && !help.stdout.contains("--rho"))
        let both = ntk("chart --kind offdiag-depth --rho 0.5 --correlation 0.6")
        #expect(both.code == 2 && both.stderr == "ntk: error: --rho is another name of --correlation: give the correlations once\n")
    }

    @Test("an unknown command lists the commands a person uses, not the engine's")
    func unknownCommandList() {
        let r = ntk("xyz")
        #expect(r.code == 2 && r.stderr.contains("are moments, kernel,") && r.stderr.hasSuffix("train, slurm\n"))
    }
}
