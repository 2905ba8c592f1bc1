import Foundation
import Multiprecision
import NTKMoments
import NTKOutput

extension ChartRequest {
    /// Checks the request and draws the figure. The study kinds compute every finite-width
    /// point with the exact recursion in MPFR (96 bits; the chart shows doubles) and the limits
    /// in closed form; the offdiag kinds draw the given results and the infinite-width curves.
    /// - Throws: `ExperimentError` for an invalid or cancelled request, or an overlay point that
    ///   belongs to no charted curve (unless `skipUnmatched`).
    public func run(_ context: ExperimentContext) throws -> ChartResult {
        try check()
        var notes: [String] = []
        var chart: LineChart
        switch kind {
        case .dispersion:
            let lambdas = (1...points).map { lambdaMax * BigRational($0, points) }
            // Each finite-M point is drawn at the λ′ = L/M it was computed at: nothing to note.
            chart = try dispersionChart(lambdas: lambdas, context: context)
        case .depth:
            chart = try depthChart(context: context)
        case .convergence:
            let study = ConvergenceStudy(sigma2Values: sigma2, lambdaValues: lambda, widths: chartedWidths)
            if let note = study.unattainableLambdaNote(where: "points use L = round(λM), λ′ = L/M") { notes.append(note) }
            chart = try convergenceChart(context: context)
        case .offdiagCorrelation:
            chart = try offDiagonalCorrelationChart()
        case .offdiagDepth:
            chart = try offDiagonalDepthChart()
        }
        chart.series += try overlaySeries(notes: &notes)
        do {
            return ChartResult(svg: try chart.svg(), notes: notes)
        } catch {
            throw ExperimentError.invalidRequest("chart: \(error)")
        }
    }

    /// How the charted networks are fed, for the titles of the study charts (a reader of the
    /// figure does not see the flags): biases or not, n₀ and ‖x‖².
    var inputText: String {
        return [biases ? "biases" : "no biases", inputRatio == 1 ? "n0 = M" : "n0 = \(inputRatio.displayText)·M", "‖x‖² = \(inputNorm2.displayText)"]
            .joined(separator: ", ")
    }

    /// The row of the exact study at one (σ², λ, M): the finite-width dispersion at L = round(λM)
    /// and its limits at λ′ = L/M.
    func studyRow(sigma2: BigRational, lambda: BigRational, width: Int) throws -> ConvergenceStudy.Row {
        let study = ConvergenceStudy(sigma2Values: [sigma2], lambdaValues: [lambda], widths: [width], inputRatio: inputRatio,
                                     inputNorm2: inputNorm2, trainableBiases: biases, precision: 96)
        return try study.rows(for: study.groups[0])[0]
    }

    /// Visits each σ² with its colour and its label, reporting progress and honouring
    /// cancellation between them.
    func forEachSigma2(_ context: ExperimentContext, _ body: (BigRational, ChartColor, String) throws -> Void) throws {
        for (i, s) in sigma2.enumerated() {
            try context.checkCancellation()
            context.report(.init("chart: σ² = \(s.displayText)", done: i, total: sigma2.count))
            try body(s, ChartColor.okabeIto[i % ChartColor.okabeIto.count], "σ²=\(s.displayText)")
        }
    }

    func dispersionChart(lambdas: [BigRational], context: ExperimentContext) throws -> LineChart {
        let alpha0 = DispersionLimits.alpha0(inputRatio: inputRatio, inputNorm2: inputNorm2, trainableBiases: biases)
        var series: [ChartSeries] = []
        try forEachSigma2(context) { s, color, name in
            let limits = try lambdas.map { try DispersionLimits(sigma2: s, lambda: $0, trainableBiases: biases, alpha0: alpha0, precision: 64) }
            series.append(ChartSeries(name: "\(name) exact limit", points: zip(lambdas, limits).map { ($0.approximateDouble, $1.exact.doubleValue()) },
                                      lineStyle: .solid, showsMarkers: false, color: color))
            let publishedName = limits.first?.publishedIsGIDerived == true ? "\(name) published limit (GI-derived)" : "\(name) published limit"
            series.append(ChartSeries(name: publishedName, points: zip(lambdas, limits).map { ($0.approximateDouble, $1.published.doubleValue()) },
                                      lineStyle: .dashed, showsMarkers: false, color: color))
            for M in chartedWidths {
                // Each point sits at the λ′ = L/M it was computed at; repeated λ′ (depth rounding
                // at small M) are drawn once.
                var seen = Set<Double>()
                let values = try lambdas.map { l -> (lambda: Double, value: Double) in
                    let row = try studyRow(sigma2: s, lambda: l, width: M)
                    return (row.lambda.approximateDouble, row.dispersion.doubleValue())
                }.filter { seen.insert($0.lambda).inserted }
                series.append(ChartSeries(name: "\(name) finite M=\(M)", points: values.map { ($0.lambda, $0.value) },
                                          lineStyle: .dotted, showsMarkers: true, color: color))
            }
        }
        return LineChart(title: "NTK dispersion E[Θ²]/E[Θ]² against λ = L/M (\(inputText))", xLabel: "λ = L/M",
                         yLabel: "E[Θ²]/E[Θ]²", xScale: .linear, yScale: .log10, series: series, width: 900, height: 560)
    }

    /// The figure of Seleznova & Kutyniok (ICML 2022): the dispersion against depth L at fixed
    /// width M — the exact recursion, the exact and published limits at λ = L/M, and optional
    /// Monte Carlo points.
    func depthChart(context: ExperimentContext) throws -> LineChart {
        let widths = chartedWidths
        var series: [ChartSeries] = []
        try forEachSigma2(context) { s, color, name in
            for (k, M) in widths.enumerated() {
                var finite: [(x: Double, y: Double)] = [], exact: [(x: Double, y: Double)] = [], published: [(x: Double, y: Double)] = []
                for L in depths {
                    let row = try studyRow(sigma2: s, lambda: BigRational(L, M), width: M)
                    finite.append((Double(L), row.dispersion.doubleValue()))
                    exact.append((Double(L), row.limitExact.doubleValue()))
                    if let v = row.limitPublished { published.append((Double(L), v.doubleValue())) }
                }
                let suffix = widths.count > 1 ? " (λ = L/\(M))" : ""
                if k == 0 || widths.count > 1 {
                    series.append(ChartSeries(name: "\(name) exact limit\(suffix)", points: exact, lineStyle: .solid, showsMarkers: false, color: color))
                    let gi = Phase(sigma2: s) == .edgeOfChaos && biases ? " (GI-derived)" : ""
                    series.append(ChartSeries(name: "\(name) published limit\(gi)\(suffix)", points: published, lineStyle: .dashed,
                                              showsMarkers: false, color: color))
                }
                series.append(ChartSeries(name: "\(name) finite M=\(M)", points: finite, lineStyle: .dotted, showsMarkers: true, color: color))
            }
        }
        let mText = widths.map(String.init).joined(separator: ", ")
        return LineChart(title: "NTK dispersion E[Θ²]/E[Θ]² against depth at width M = \(mText) (\(inputText))", xLabel: "depth L",
                         yLabel: "E[Θ²]/E[Θ]²", xScale: .linear, yScale: .log10, series: series, width: 900, height: 560)
    }

    func convergenceChart(context: ExperimentContext) throws -> LineChart {
        let widths = chartedWidths
        var series: [ChartSeries] = []
        var colorIndex = 0
        var anchor: (x: Double, y: Double)? = nil
        for s in sigma2 {
            for l in lambda {
                try context.checkCancellation()
                context.report(.init("chart: σ² = \(s.displayText), λ = \(l.displayText)", done: colorIndex, total: sigma2.count * lambda.count))
                let study = ConvergenceStudy(sigma2Values: [s], lambdaValues: [l], widths: widths, inputRatio: inputRatio,
                                             inputNorm2: inputNorm2, trainableBiases: biases, precision: 96)
                let rows = try study.rows(for: study.groups[0])
                let color = ChartColor.okabeIto[colorIndex % ChartColor.okabeIto.count]
                colorIndex += 1
                let name = "σ²=\(s.displayText), λ=\(l.displayText)"
                // A difference of exactly 0 (e.g. depth 1, where R = 1) cannot sit on a log axis.
                let exactPoints = rows.map { (Double($0.width), ($0.dispersion - $0.limitExact).magnitude().doubleValue()) }.filter { $0.1 > 0 && $0.1.isFinite }
                let publishedPoints = rows.compactMap { row in row.limitPublished.map { (Double(row.width), (row.dispersion - $0).magnitude().doubleValue()) } }
                    .filter { $0.1 > 0 && $0.1.isFinite }
                series.append(ChartSeries(name: "\(name) vs exact limit", points: exactPoints, lineStyle: .solid, showsMarkers: true, color: color))
                let kind = rows.first?.publishedIsGIDerived == true ? "published limit (GI-derived)" : "published limit"
                series.append(ChartSeries(name: "\(name) vs \(kind)", points: publishedPoints, lineStyle: .dashed, showsMarkers: true, color: color))
                if anchor == nil, let first = exactPoints.first { anchor = first }
            }
        }
        let xs = widths.map(Double.init)
        if let anchor, let lo = xs.min(), let hi = xs.max(), hi > lo {
            series.append(try ChartSeries.referenceLine(name: "slope −1 (error ∝ 1/M)", slope: -1, through: anchor,
                                                        xRange: lo...hi, xScale: .log10, yScale: .log10))
        }
        return LineChart(title: "Convergence of the finite-width dispersion to its limits (\(inputText))", xLabel: "hidden width M",
                         yLabel: "|R_M − R_∞|", xScale: .log10, yScale: .log10, series: series, width: 900, height: 560)
    }

    /// The Monte Carlo points, one series per charted network (σ², M): x = depth (or λ = L/M),
    /// y = plug-in dispersion ± its delta-method standard error. A point whose network is not
    /// charted (another σ², width, n₀, ‖x‖², biases) or that lies off the chart's depths or λ
    /// range is refused by name — or left out with a note under `skipUnmatched` — so that a
    /// point is never drawn on another network's curve.
    func overlaySeries(notes: inout [String]) throws -> [ChartSeries] {
        guard !overlay.isEmpty else { return [] }
        let charted = ChartedNetworks(sigma2Values: sigma2, widths: chartedWidths, inputRatio: inputRatio, inputNorm2: inputNorm2,
                                      trainableBiases: biases,
                                      depths: kind == .depth ? depths.min().flatMap { lo in depths.max().map { lo...$0 } } : nil,
                                      lambdaMax: kind == .dispersion ? lambdaMax : nil)
        var groups: [(curve: ChartedNetworks.Curve, points: [(x: Double, y: Double)], errors: [Double])] = []
        for point in overlay {
            let curve: ChartedNetworks.Curve
            do {
                curve = try charted.curve(for: point.network)
            } catch let mismatch as ChartedNetworks.Mismatch {
                guard skipUnmatched else {
                    throw ExperimentError.invalidRequest("--overlay \(point.source): \(mismatch.description) (--skip-unmatched skips such files)")
                }
                notes.append("--overlay \(point.source) skipped: \(mismatch.description)")
                continue
            }
            let x = kind == .depth ? Double(curve.depth) : Double(curve.depth) / Double(curve.width)
            if let i = groups.firstIndex(where: { $0.curve.sigma2 == curve.sigma2 && $0.curve.width == curve.width }) {
                groups[i].points.append((x, point.dispersion)); groups[i].errors.append(point.standardError)
            } else {
                groups.append((curve, [(x, point.dispersion)], [point.standardError]))
            }
        }
        return groups.sorted { ($0.curve.sigma2, $0.curve.width) < ($1.curve.sigma2, $1.curve.width) }.map { group in
            let order = group.points.indices.sorted { group.points[$0].x < group.points[$1].x }
            return ChartSeries(name: "σ²=\(group.curve.sigma2.displayText), M=\(group.curve.width) Monte Carlo (plug-in ± s.e.)",
                               points: order.map { group.points[$0] }, lineStyle: .none, showsMarkers: true,
                               color: ChartColor.reference, errorBars: order.map { group.errors[$0] })
        }
    }

    /// "biases" or "no biases" when every offdiag result says the same, for the titles.
    var offDiagonalBiasText: String {
        let kinds = Set(offdiag.map(\.result.network.trainableBiases))
        guard kinds.count == 1, let biases = kinds.first else { return "biases as in each file" }
        return biases ? "biases" : "no biases"
    }

    /// E[Θ(x,x′)]/E[Θ(x,x)] against ρ: Monte Carlo points with error bars and the infinite-width
    /// curve, one colour per (result, depth) for the selected depths.
    func offDiagonalCorrelationChart() throws -> LineChart {
        let allowed = Set(depths)
        var series: [ChartSeries] = []
        var colour = 0
        for source in offdiag {
            let rows = source.points
            for depth in Set(rows.map(\.depth)).sorted() where allowed.contains(depth) {
                let points = rows.filter { $0.depth == depth }.sorted { $0.correlation < $1.correlation }
                let color = ChartColor.okabeIto[colour % ChartColor.okabeIto.count]
                colour += 1
                let name = "σ²=\(source.sigma2Text), L=\(depth)"
                series.append(ChartSeries(name: "\(name) Monte Carlo ± s.e.", points: points.map { ($0.correlation, $0.ratio.mean) }, lineStyle: .none,
                                          showsMarkers: true, color: color, errorBars: points.map(\.ratio.drawnError)))
                // The curve on a fine grid (it has a cusp at ρ = 1), else through the result's points.
                let dense = OffDiagReference.infiniteWidthCurve(source.result.network, depth: depth,
                                                                from: points.first!.correlation, to: points.last!.correlation)
                let limit = dense?.map { ($0.correlation, $0.ratio) } ?? points.compactMap { p in p.infiniteWidthRatio.map { (p.correlation, $0) } }
                if !limit.isEmpty {
                    series.append(ChartSeries(name: "\(name) infinite width", points: limit, lineStyle: .solid, showsMarkers: false, color: color))
                }
            }
        }
        guard !series.isEmpty else { throw ExperimentError.invalidRequest("--depths: none of the files' depths is selected") }
        guard series.count <= 24 else { throw ExperimentError.invalidRequest("too many curves for one chart: select fewer depths with --depths") }
        let widthsText = Set(offdiag.map(\.widthsText)).sorted().joined(separator: "; ")
        return LineChart(title: "Off-diagonal NTK: E[Θ(x,x′)]/E[Θ(x,x)] against the input correlation ρ (widths \(widthsText), \(offDiagonalBiasText))",
                         xLabel: "ρ = ⟨x,x′⟩/‖x‖²",
                         yLabel: "E[Θ(x,x′)] / E[Θ(x,x)]", xScale: .linear, yScale: .linear, series: series, width: 900, height: 560)
    }

    /// The figure of Seleznova & Kutyniok (ICML 2022): E[Θ(x,x′)]/E[Θ(x,x)] against depth for
    /// the selected correlations, one colour per ρ and one line style per result (σ²); with one
    /// result, also the infinite-width curves.
    func offDiagonalDepthChart() throws -> LineChart {
        let allowed = Set(depths)
        let styles: [LineStyle] = [.solid, .dashed, .dotted]
        var series: [ChartSeries] = []
        for (i, source) in offdiag.enumerated() {
            for (k, r) in correlations.enumerated() {
                // The nearest double, as offdiag wrote the correlation (`approximateDouble` may be an ulp off).
                let target = BigFloat(r, precision: 53).doubleValue()
                let points = source.points.filter { abs($0.correlation - target) <= 1e-12 && allowed.contains($0.depth) }.sorted { $0.depth < $1.depth }
                guard !points.isEmpty else { continue }
                let color = ChartColor.okabeIto[k % ChartColor.okabeIto.count]
                let name = "σ²=\(source.sigma2Text), ρ=\(LegacyJSON.shortestDecimal(target))"
                series.append(ChartSeries(name: "\(name) Monte Carlo ± s.e.", points: points.map { (Double($0.depth), $0.ratio.mean) },
                                          lineStyle: styles[i % styles.count], showsMarkers: true, color: color, errorBars: points.map(\.ratio.drawnError)))
                let limit = points.compactMap { p in p.infiniteWidthRatio.map { (Double(p.depth), $0) } }
                if offdiag.count == 1 && !limit.isEmpty {
                    series.append(ChartSeries(name: "\(name) infinite width", points: limit, lineStyle: .dotted, showsMarkers: false, color: color))
                }
            }
        }
        guard !series.isEmpty else { throw ExperimentError.invalidRequest("--correlation, --depths: the files hold no result at these correlations and depths") }
        let widths = Set(offdiag.map(\.widthsText)).sorted().joined(separator: "; ")
        return LineChart(title: "Off-diagonal NTK against depth (widths \(widths), \(offDiagonalBiasText))", xLabel: "depth L",
                         yLabel: "E[Θ(x,x′)] / E[Θ(x,x)]", xScale: .linear, yScale: .linear, series: series, width: 900, height: 560)
    }
}

extension MonteCarloEstimate {
    /// The error bar drawn for this estimate: its standard error, or none where it has none.
    var drawnError: Double { standardError.isFinite ? standardError : 0 }
}
