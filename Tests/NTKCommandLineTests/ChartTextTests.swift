import Foundation
import Testing

/// Issue 19.6: every chart kind, rendered to SVG, is read as a reader of the figure reads it —
/// through its text. No raw underscores (LaTeX-style names that SVG does not typeset), a title
/// that says which networks are drawn (width, depth or λ, σ², biases), and labelled axes.
@Suite("Every chart kind: the text a reader sees")
struct ChartTextTests {
    /// The visible text of an SVG: its <title> and each <text> element, tspans flattened.
    static func texts(_ svg: String) -> [String] {
        var result: [String] = []
        var rest = svg[...]
        while let open = rest.range(of: "<text") ?? rest.range(of: "<title>") {
            guard let startOfContent = rest[open.upperBound...].firstIndex(of: ">"),
                  let close = rest[startOfContent...].range(of: rest[open].hasPrefix("<title") ? "</title>" : "</text>") else { break }
            let inner = rest[rest.index(after: startOfContent)..<close.lowerBound]
            result.append(inner.replacingOccurrences(of: "<[^>]*>", with: "", options: .regularExpression))
            rest = rest[close.upperBound...]
        }
        return result
    }

    /// Tick labels inside the group of one axis ("x-axis" or "y-axis").
    static func tickLabels(_ svg: String, axis: String) -> Int {
        guard let start = svg.range(of: "<g class=\"\(axis)\""), let end = svg[start.upperBound...].range(of: "</g>") else { return 0 }
        return svg[start.upperBound..<end.lowerBound].components(separatedBy: "class=\"tick-label\"").count - 1
    }

    static func title(_ svg: String) -> String {
        guard let start = svg.range(of: "<title>"), let end = svg.range(of: "</title>") else { return "" }
        return String(svg[start.upperBound..<end.lowerBound])
    }

    @Test("dispersion, depth, convergence, offdiag-correlation, offdiag-depth and distribution charts: no raw underscores, titles name the networks, both axes labelled")
    func everyKind() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let offdiag = dir.appendingPathComponent("offdiag.json").path
        let run = ntk("offdiag --width 4 --depth 4 --sigma2 2.5 --samples 100 --depths 1:4 --correlation 0:1:0.5 --format json")
        #expect(run.code == 0, "\(run.stderr)")
        try run.stdout.write(toFile: offdiag, atomically: true, encoding: .utf8)
        let density = dir.appendingPathComponent("density.svg").path
        #expect(ntk("distribution --width 20 --depth 10 --sigma2 2 --samples 2000 --chart \(density)").code == 0)

        var charts: [(String, String)] = []
        for line in ["chart --kind dispersion", "chart --kind dispersion --no-bias --input-ratio 2",
                     "chart --kind depth", "chart --kind convergence --lambda 1 --widths-grid 10,20,40",
                     "chart --kind offdiag-correlation --offdiag \(offdiag) --depths 4",
                     "chart --kind offdiag-depth --offdiag \(offdiag) --correlation 0,0.5"] {
            let r = ntk(line)
            #expect(r.code == 0, "\(line): \(r.stderr)")
            charts.append((line, r.stdout))
        }
        charts.append(("distribution --chart", try String(contentsOfFile: density, encoding: .utf8)))

        for (name, svg) in charts {
            let texts = Self.texts(svg), title = Self.title(svg)
            #expect(!texts.isEmpty, "\(name)")
            for t in texts { #expect(!t.contains("_"), "\(name): raw underscore in \"\(t)\"") }
            #expect(title.contains("biases"), "\(name): the title does not say whether biases are trained: \(title)")
            let all = texts.joined(separator: " | ")
            #expect(all.contains("σ²"), "\(name): σ² is named nowhere")
            #expect(all.contains("M") || all.contains("widths"), "\(name): the width is named nowhere")
            #expect(all.contains("L") || all.contains("λ"), "\(name): neither depth nor λ is named")
            #expect(Self.tickLabels(svg, axis: "x-axis") >= 3 && Self.tickLabels(svg, axis: "y-axis") >= 3,
                    "\(name): x \(Self.tickLabels(svg, axis: "x-axis")), y \(Self.tickLabels(svg, axis: "y-axis")) tick labels")
        }
        #expect(Self.title(charts[1].1).contains("no biases, n0 = 2·M"))
    }
}
