import Experiments
import Foundation
import NTKMoments
import NTKOutput

/// One row of `ntk offdiag --format json`, as the charts read it.
struct OffDiagPoint {
    let depth: Int
    let correlation: Double
    let ratio: Double, ratioSE: Double
    let infiniteWidthRatio: Double?
}

/// The rows of one offdiag JSON file and the σ² they were simulated at.
struct OffDiagFile {
    let sigma2Text: String
    let width: String
    let points: [OffDiagPoint]
    /// The simulated network (at its largest depth), when the file describes it completely.
    let network: Architecture?

    init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw UsageError("--offdiag \(Arguments.quoted(path)): cannot read the file")
        }
        let json: JSONValue
        do { json = try JSONParser().parse(text) } catch { throw UsageError("--offdiag \(Arguments.quoted(path)): not JSON (\(error))") }
        guard let sigma2 = json["sigma2_exact"]?.stringValue, let widths = json["widths"]?.stringValue, let rows = json["results"]?.arrayValue else {
            throw UsageError("--offdiag \(Arguments.quoted(path)): not the JSON of `ntk offdiag --format json` (needs sigma2_exact, widths, results)")
        }
        func number(_ v: JSONValue?) -> Double? { v?.numberText.flatMap(Double.init).flatMap { $0.isFinite ? $0 : nil } }
        var points: [OffDiagPoint] = []
        for row in rows {
            guard let depth = number(row["depth"]), let rho = number(row["correlation"]), depth >= 1, depth <= 1e6 else {
                throw UsageError("--offdiag \(Arguments.quoted(path)): a result without depth and correlation")
            }
            // Rows the time budget left without samples (null estimates) are not drawn.
            guard let ratio = number(row["ratio"]?["mc"]) else { continue }
            points.append(OffDiagPoint(depth: Int(depth), correlation: rho, ratio: ratio, ratioSE: number(row["ratio"]?["se"]) ?? 0,
                                       infiniteWidthRatio: number(row["infinite_width_ratio"])))
        }
        guard !points.isEmpty else { throw UsageError("--offdiag \(Arguments.quoted(path)): no result with samples") }
        sigma2Text = sigma2
        network = try? LegacyJSON.architecture(in: json)
        width = widths
        self.points = points
    }
}

extension ChartCommand {
    func offDiagonalFiles() throws -> [OffDiagFile] { try offdiag.map(OffDiagFile.init(path:)) }

    /// "biases" or "no biases" when every file says the same, for the titles.
    static func biasText(_ files: [OffDiagFile]) -> String {
        let kinds = Set(files.compactMap { $0.network?.trainableBiases })
        guard kinds.count == 1, let biases = kinds.first else { return "biases as in each file" }
        return biases ? "biases" : "no biases"
    }

    /// E[Θ(x,x′)]/E[Θ(x,x)] against ρ: Monte Carlo points with error bars and the infinite-width
    /// curve, one colour per (file, depth) for the depths in --depths.
    func offDiagonalCorrelationChart() throws -> LineChart {
        let allowed = Set(depths.elements.map(\.value))
        var series: [ChartSeries] = []
        var colour = 0
        let files = try offDiagonalFiles()
        for file in files {
            for depth in Set(file.points.map(\.depth)).sorted() where allowed.contains(depth) {
                let points = file.points.filter { $0.depth == depth }.sorted { $0.correlation < $1.correlation }
                let color = ChartColor.okabeIto[colour % ChartColor.okabeIto.count]
                colour += 1
                let name = "σ²=\(file.sigma2Text), L=\(depth)"
                series.append(ChartSeries(name: "\(name) Monte Carlo ± s.e.", points: points.map { ($0.correlation, $0.ratio) }, lineStyle: .none,
                                          showsMarkers: true, color: color, errorBars: points.map(\.ratioSE)))
                // The curve on a fine grid (it has a cusp at ρ = 1), else through the file's points.
                let dense = file.network.flatMap { network in
                    OffDiagReference.infiniteWidthCurve(network, depth: depth, from: points.first!.correlation, to: points.last!.correlation)
                }
                let limit = dense?.map { ($0.correlation, $0.ratio) } ?? points.compactMap { p in p.infiniteWidthRatio.map { (p.correlation, $0) } }
                if !limit.isEmpty {
                    series.append(ChartSeries(name: "\(name) infinite width", points: limit, lineStyle: .solid, showsMarkers: false, color: color))
                }
            }
        }
        guard !series.isEmpty else { throw UsageError("--depths: none of the files' depths is selected") }
        guard series.count <= 24 else { throw UsageError("too many curves for one chart: select fewer depths with --depths") }
        let widthsText = Set(files.map(\.width)).sorted().joined(separator: "; ")
        return LineChart(title: "Off-diagonal NTK: E[Θ(x,x′)]/E[Θ(x,x)] against the input correlation ρ (widths \(widthsText), \(Self.biasText(files)))",
                         xLabel: "ρ = ⟨x,x′⟩/‖x‖²",
                         yLabel: "E[Θ(x,x′)] / E[Θ(x,x)]", xScale: .linear, yScale: .linear, series: series, width: 900, height: 560)
    }

    /// The figure of Seleznova & Kutyniok (ICML 2022): E[Θ(x,x′)]/E[Θ(x,x)] against depth for the correlations of --correlation, one
    /// colour per ρ and one line style per file (σ²); with one file, also the infinite-width curves.
    func offDiagonalDepthChart() throws -> LineChart {
        let files = try offDiagonalFiles()
        let allowed = Set(depths.elements.map(\.value))
        let styles: [LineStyle] = [.solid, .dashed, .dotted]
        var series: [ChartSeries] = []
        for (i, file) in files.enumerated() {
            for (k, r) in correlation.elements.enumerated() {
                let target = r.doubleValue
                let points = file.points.filter { abs($0.correlation - target) <= 1e-12 && allowed.contains($0.depth) }.sorted { $0.depth < $1.depth }
                guard !points.isEmpty else { continue }
                let color = ChartColor.okabeIto[k % ChartColor.okabeIto.count]
                let name = "σ²=\(file.sigma2Text), ρ=\(shortestDecimal(target))"
                series.append(ChartSeries(name: "\(name) Monte Carlo ± s.e.", points: points.map { (Double($0.depth), $0.ratio) },
                                          lineStyle: styles[i % styles.count], showsMarkers: true, color: color, errorBars: points.map(\.ratioSE)))
                let limit = points.compactMap { p in p.infiniteWidthRatio.map { (Double(p.depth), $0) } }
                if files.count == 1 && !limit.isEmpty {
                    series.append(ChartSeries(name: "\(name) infinite width", points: limit, lineStyle: .dotted, showsMarkers: false, color: color))
                }
            }
        }
        guard !series.isEmpty else { throw UsageError("--correlation, --depths: the files hold no result at these correlations and depths") }
        let widths = Set(files.map(\.width)).sorted().joined(separator: "; ")
        return LineChart(title: "Off-diagonal NTK against depth (widths \(widths), \(Self.biasText(files)))", xLabel: "depth L",
                         yLabel: "E[Θ(x,x′)] / E[Θ(x,x)]", xScale: .linear, yScale: .linear, series: series, width: 900, height: 560)
    }
}
