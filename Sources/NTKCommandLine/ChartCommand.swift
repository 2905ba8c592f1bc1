import ArgumentParser
import Foundation
import Multiprecision
import NTKMoments
import NTKOutput

struct ChartCommand: NTKSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "chart",
        abstract: "Self-contained SVG charts: dispersion against λ, or convergence against M.",
        discussion: """
        --kind dispersion: E[Θ²]/E[Θ]² against λ for each σ² — finite-M curves of the exact recursion \
        (L = round(λM)), the exact limit and the published limit (GI-derived at σ² = 2); log y axis. \
        --kind convergence: |R_M − R_∞| against M on log–log axes for each (σ², λ), against both \
        limits, with a slope −1 reference line.
        """)

    @Option(help: "dispersion or convergence.")
    var kind: String = "dispersion"

    @Option(help: "Comma list of σ² values (default 1.5,2,2.5).")
    var sigma2: String = "1.5,2,2.5"

    @Option(help: "convergence: comma list of λ values (default 0.5,1).")
    var lambda: String = "0.5,1"

    @Option(name: .customLong("lambda-max"), help: "dispersion: largest λ on the x axis (default 1).")
    var lambdaMax: String = "1"

    @Option(help: "dispersion: number of λ points (default 40).")
    var points: String = "40"

    @Option(name: .customLong("widths-grid"), help: "Widths M (default: 10,100 for dispersion; 10,…,100000 for convergence).")
    var widthsGrid: String?

    @OptionGroup var input: StudyInputOptions

    @Option(help: "Write the SVG to FILE atomically (default: stdout).")
    var output: String?

    func execute(_ io: CommandIO) throws {
        guard kind == "dispersion" || kind == "convergence" else {
            throw UsageError("--kind \(Arguments.quoted(kind)): allowed: dispersion, convergence")
        }
        let sigmas = try Arguments.list(sigma2, flag: "--sigma2") { try Arguments.positiveRational($0, flag: "--sigma2", maximumMagnitudeDigits: 60) }
        guard sigmas.count <= 8 else { throw UsageError("--sigma2: at most 8 values fit in one chart") }
        let (r, x) = try input.values()
        let defaultWidths = kind == "dispersion" ? "10,100" : "10,100,1000,10000,100000"
        let widths = try Arguments.list(widthsGrid ?? defaultWidths, flag: "--widths-grid") {
            try Arguments.integer($0, flag: "--widths-grid entry", range: 1...10_000_000)
        }
        guard widths.count <= 8 else { throw UsageError("--widths-grid: at most 8 widths fit in one chart") }
        try Arguments.checkInputDimensions(ConvergenceStudy(sigma2Values: [], lambdaValues: [], widths: widths, inputRatio: r),
                                       flag: "--input-ratio", text: input.inputRatio)
        let chart: LineChart
        if kind == "dispersion" {
            let lmax = try Arguments.positiveRational(lambdaMax, flag: "--lambda-max", maximumMagnitudeDigits: 30)
            guard lmax <= BigRational(50) else { throw UsageError("--lambda-max \(Arguments.quoted(lambdaMax)) exceeds 50") }
            let n = try Arguments.integer(points, flag: "--points", range: 2...1000)
            for M in widths where ConvergenceStudy.depth(lambda: lmax, width: M) > 100_000_000 {
                throw UsageError("--lambda-max × M = \(lmax)·\(M) is too deep for a chart (limit 10^8 layers)")
            }
            chart = try dispersionChart(sigmas, lambdaMax: lmax, points: n, widths: widths, inputRatio: r, inputNorm2: x)
        } else {
            let lambdas = try Arguments.list(lambda, flag: "--lambda") { text -> BigRational in
                let l = try Arguments.positiveRational(text, flag: "--lambda", maximumMagnitudeDigits: 30)
                guard l <= BigRational(50) else { throw UsageError("--lambda \(Arguments.quoted(text)) exceeds 50") }
                return l
            }
            guard sigmas.count * lambdas.count <= 8 else { throw UsageError("at most 8 (σ², λ) pairs fit in one chart") }
            guard widths.count >= 2 else { throw UsageError("--widths-grid needs at least two widths for a convergence chart") }
            chart = try convergenceChart(sigmas, lambdas: lambdas, widths: widths, inputRatio: r, inputNorm2: x)
        }
        let svg: String
        do { svg = try chart.svg() } catch { throw UsageError("chart: \(error)") }
        if let path = output {
            InterruptCleanup.install()
            do { try AtomicFile.write(svg, to: path) } catch { throw UsageError("--output \(Arguments.quoted(path)): \(error)") }
        } else {
            io.write(svg.hasSuffix("\n") ? svg : svg + "\n")
        }
    }

    func dispersion(sigma2: BigRational, lambda: BigRational, width M: Int, inputRatio: BigRational, inputNorm2: BigRational) throws -> Double {
        let study = ConvergenceStudy(sigma2Values: [sigma2], lambdaValues: [lambda], widths: [M], inputRatio: inputRatio,
                                     inputNorm2: inputNorm2, trainableBiases: !input.noBias, precision: 96)
        return try study.rows(for: study.groups[0])[0].dispersion.doubleValue()
    }

    func dispersionChart(_ sigmas: [BigRational], lambdaMax: BigRational, points: Int, widths: [Int],
                         inputRatio: BigRational, inputNorm2: BigRational) throws -> LineChart {
        let alpha0 = input.noBias ? BigRational(0) : inputRatio / inputNorm2
        let lambdas = (1...points).map { lambdaMax * BigRational($0, points) }
        var series: [ChartSeries] = []
        let styles: [LineStyle] = [.dotted, .dotted, .dotted, .dotted, .dotted, .dotted, .dotted, .dotted]
        for (i, s) in sigmas.enumerated() {
            let color = ChartColor.okabeIto[i % ChartColor.okabeIto.count]
            let name = "σ²=\(exactDecimal(s))"
            let limits = try lambdas.map { try DispersionLimits(sigma2: s, lambda: $0, trainableBiases: !input.noBias, alpha0: alpha0, precision: 64) }
            series.append(ChartSeries(name: "\(name) exact limit", points: zip(lambdas, limits).map { ($0.approximateDouble, $1.exact.doubleValue()) },
                                      lineStyle: .solid, showsMarkers: false, color: color))
            let publishedName = Phase(sigma2: s) == .edgeOfChaos ? "\(name) published limit (GI-derived)" : "\(name) published limit"
            series.append(ChartSeries(name: publishedName, points: zip(lambdas, limits).map { ($0.approximateDouble, $1.published.doubleValue()) },
                                      lineStyle: .dashed, showsMarkers: false, color: color))
            for (k, M) in widths.enumerated() {
                let values = try lambdas.map { try dispersion(sigma2: s, lambda: $0, width: M, inputRatio: inputRatio, inputNorm2: inputNorm2) }
                series.append(ChartSeries(name: "\(name) finite M=\(M)", points: zip(lambdas, values).map { ($0.approximateDouble, $1) },
                                          lineStyle: styles[k % styles.count], showsMarkers: true, color: color))
            }
        }
        return LineChart(title: "NTK dispersion E[Θ²]/E[Θ]² against λ = L/M", xLabel: "λ = L/M",
                         yLabel: "E[Θ²]/E[Θ]²", xScale: .linear, yScale: .log10, series: series, width: 900, height: 560)
    }

    func convergenceChart(_ sigmas: [BigRational], lambdas: [BigRational], widths: [Int],
                          inputRatio: BigRational, inputNorm2: BigRational) throws -> LineChart {
        var series: [ChartSeries] = []
        var colorIndex = 0
        var anchor: (x: Double, y: Double)? = nil
        for s in sigmas {
            for l in lambdas {
                let study = ConvergenceStudy(sigma2Values: [s], lambdaValues: [l], widths: widths, inputRatio: inputRatio,
                                             inputNorm2: inputNorm2, trainableBiases: !input.noBias, precision: 96)
                let rows = try study.rows(for: study.groups[0])
                let color = ChartColor.okabeIto[colorIndex % ChartColor.okabeIto.count]
                colorIndex += 1
                let name = "σ²=\(exactDecimal(s)), λ=\(exactDecimal(l))"
                // A difference of exactly 0 (e.g. depth 1, where R = 1) cannot sit on a log axis.
                let exactPoints = rows.map { (Double($0.width), ($0.dispersion - $0.limitExact).magnitude().doubleValue()) }.filter { $0.1 > 0 && $0.1.isFinite }
                let publishedPoints = rows.map { (Double($0.width), ($0.dispersion - $0.limitPublished).magnitude().doubleValue()) }.filter { $0.1 > 0 && $0.1.isFinite }
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
        return LineChart(title: "Convergence of the finite-width dispersion to its limits", xLabel: "hidden width M",
                         yLabel: "|R_M − R_∞|", xScale: .log10, yScale: .log10, series: series, width: 900, height: 560)
    }
}
