import Foundation
import Testing

/// Table headers and notes that name what is actually tabulated (issue 19, item 6).
@Suite("table labels and notes")
struct TableLabelTests {
    /// The LaTeX header line (the third line, after \begin{tabular} and \toprule).
    func latexHeader(_ line: String) -> String {
        let r = ntk(line)
        #expect(r.code == 0, "\(r.stderr)")
        return String(r.stdout.split(separator: "\n")[2])
    }

    @Test("--first-step headers name E[fQ]/E[Θ]² and mark the ordered-phase limit as an approximation")
    func firstStepHeaders() {
        let header = latexHeader("table --first-step --format latex")
        #expect(header.contains("$\\mathbb{E}[fQ]/\\mathbb{E}[\\Theta]^2$"))
        #expect(header.contains("(exact, $\\approx$ where ordered)"))
        #expect(!header.contains("R_M") && !header.contains("$F$"))
        // Without an ordered σ² (or without biases) the limit is exact and not marked.
        let chaotic = latexHeader("table --first-step --sigma2 2.5 --format latex")
        #expect(chaotic.contains("$G$ (exact)") && !chaotic.contains("approx"))
    }

    @Test("--moment p headers name E[Θ^p]/E[Θ]^p, with LaTeX that has no double subscript")
    func momentHeaders() {
        let header = latexHeader("table --moment 4 --sigma2 2 --lambda 1 --widths-grid 10,20 --format latex")
        #expect(header.contains("$\\mathbb{E}[\\Theta^{4}]/\\mathbb{E}[\\Theta]^{4}$"))
        #expect(header.contains("{m_{4}}_{\\mathrm{pub}}"))
        #expect(!header.contains("m_{4}_"))
    }

    @Test("the dispersion keeps R_M and F")
    func dispersionHeaders() {
        let header = latexHeader("table --format latex")
        #expect(header.contains("$R_M$ & $F$ (exact) & $F$ (published) & $R_M/F - 1$ & $R_M/F_{\\mathrm{pub}} - 1$"))
    }

    @Test("the σ² = 2 note on limit_published only when that column is shown")
    func publishedNote() {
        let note = "limit_published there is the GI-derived form"
        #expect(ntk("table --format markdown").stdout.contains(note))
        #expect(!ntk(["table", "--format", "markdown", "--columns", "sigma2,M,L,ratio"]).stdout.contains(note))
        #expect(ntk(["table", "--format", "markdown", "--columns", "sigma2,M,limit_published"]).stdout.contains(note))
    }

    @Test("λ·M not an integer: the note says why order and Richardson are empty")
    func emptyOrderColumns() {
        let r = ntk(["table", "--sigma2", "2.5", "--lambda", "1/3", "--widths-grid", "10,100,1000"])
        #expect(r.code == 0)
        #expect(r.stderr.contains("order and Richardson compare rows of the same λ′ only"))
        let rows = r.stdout.split(separator: "\n").dropFirst(2)
        #expect(rows.count == 3 && rows.allSatisfy { $0.split(separator: " ").suffix(3).allSatisfy { $0 == "-" } })
        // Columns not shown, no word about them.
        let narrow = ntk(["table", "--sigma2", "2.5", "--lambda", "1/3", "--widths-grid", "10,100", "--columns", "M,ratio"])
        #expect(narrow.stderr.contains("λ·M is not an integer") && !narrow.stderr.contains("Richardson"))
    }
}
