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

    /// The chart kinds.
    enum Kind: String, ExpressibleByArgument, CaseIterable {
        case dispersion, depth, convergence
        case offdiagCorrelation = "offdiag-correlation", offdiagDepth = "offdiag-depth"
    }

    @Option(help: "Chart kind.")
    var kind: Kind = .dispersion

    @Option(parsing: .unconditional, help: "Comma list of σ² values (at most 8).")
    var sigma2 = ArgumentList<RationalArgument>("1.5,2,2.5")

    @Option(parsing: .unconditional, help: "convergence: comma list of λ values.")
    var lambda = ArgumentList<RationalArgument>("0.5,1")

    @Option(name: .customLong("lambda-max"), parsing: .unconditional, help: "dispersion: largest λ on the x axis.")
    var lambdaMax = RationalArgument(1)

    @Option(parsing: .unconditional, help: "dispersion: number of λ points.")
    var points = IntegerArgument(40)

    @Option(name: .customLong("widths-grid"), parsing: .unconditional,
            help: "Widths M (default: 10,100 for dispersion; 100 for depth; 10,…,100000 for convergence).")
    var widthsGrid: ArgumentList<IntegerArgument>?

    @Option(parsing: .unconditional, help: "depth: the depths L on the x axis (list or range a:b[:step]).")
    var depths = ArgumentList<IntegerArgument>("1:49")

    @Option(parsing: .upToNextOption,
            help: "dispersion, depth: overlay Monte Carlo points (plug-in dispersion ± delta-method s.e.) from `ntk validate --format json` files (a folder: every .json file in it).")
    var overlay: [String] = []

    @Flag(help: "With --overlay: skip files whose network is not charted (one stderr line each) instead of refusing them.")
    var skipUnmatched = false

    @Option(parsing: .upToNextOption,
            help: "offdiag-correlation, offdiag-depth: JSON files of `ntk offdiag --format json` (e.g. one per σ²); nothing is simulated here.")
    var offdiag: [String] = []

    @Option(name: [.customLong("correlation"), .customLong("rho")], parsing: .unconditional,
            help: "offdiag-depth: the correlations ρ drawn against depth (list or range; --rho is an alias).")
    var correlation = ArgumentList<RationalArgument>("0,0.5,0.9")

    @OptionGroup var input: StudyInputOptions

    /// How the charted networks are fed, for the titles of the study charts (a reader of the
    /// figure does not see the flags): biases or not, n₀ and ‖x‖².
    var inputText: String {
        let r = input.inputRatio.value, x = input.inputNorm2.value
        return [input.noBias ? "no biases" : "biases", r == 1 ? "n0 = M" : "n0 = \(exactDecimal(r))·M", "‖x‖² = \(exactDecimal(x))"]
            .joined(separator: ", ")
    }

    @Option(help: "Write the SVG to FILE atomically (default: stdout).")
    var output: String?

    var widths: [Int] {
        widthsGrid?.elements.map(\.value) ?? (kind == .dispersion ? [10, 100] : kind == .depth ? [100] : [10, 100, 1000, 10_000, 100_000])
    }

    func validate() throws {
        for s in sigma2.elements { try s.checkPositive("--sigma2", maximumMagnitudeDigits: 60) }
        guard sigma2.elements.count <= 8 else { throw ValidationError("--sigma2: at most 8 values fit in one chart") }
        for m in widthsGrid?.elements ?? [] { try m.check("--widths-grid entry", 1...10_000_000) }
        guard widths.count <= 8 else { throw ValidationError("--widths-grid: at most 8 widths fit in one chart") }
        switch kind {
        case .dispersion:
            try lambdaMax.checkPositive("--lambda-max", maximumMagnitudeDigits: 30)
            guard lambdaMax.value <= BigRational(50) else { throw ValidationError("--lambda-max \(Arguments.quoted(lambdaMax.text)) exceeds 50") }
            try points.check("--points", 2...1000)
            for M in widths where ConvergenceStudy.depth(lambda: lambdaMax.value, width: M) > 100_000_000 {
                throw ValidationError("--lambda-max × M = \(lambdaMax.text)·\(M) is too deep for a chart (limit 10^8 layers)")
            }
        case .depth:
            for d in depths.elements { try d.check("--depths entry", 1...1_000_000) }
            guard depths.elements.count <= 2000 else { throw ValidationError("--depths: at most 2000 depths in one chart") }
        case .offdiagCorrelation, .offdiagDepth:
            guard overlay.isEmpty else { throw ValidationError("--overlay goes with --kind dispersion or depth") }
            guard !offdiag.isEmpty else { throw ValidationError("--kind \(kind.rawValue) needs --offdiag FILE… (JSON of ntk offdiag --format json)") }
            guard offdiag.count <= 8 else { throw ValidationError("--offdiag: at most 8 files fit in one chart") }
            for d in depths.elements { try d.check("--depths entry", 1...1_000_000) }
            guard correlation.elements.count <= 8 else { throw ValidationError("--correlation: at most 8 correlations fit in one chart") }
            for r in correlation.elements where !isCorrelation(r.value) {
                throw ValidationError("--correlation \(Arguments.quoted(r.text)) is out of range: a number from -1 to 1")
            }
        case .convergence:
            guard overlay.isEmpty else { throw ValidationError("--overlay goes with --kind dispersion or depth") }
            for l in lambda.elements {
                try l.checkPositive("--lambda", maximumMagnitudeDigits: 30)
                guard l.value <= BigRational(50) else { throw ValidationError("--lambda \(Arguments.quoted(l.text)) exceeds 50") }
            }
            guard sigma2.elements.count * lambda.elements.count <= 8 else { throw ValidationError("at most 8 (σ², λ) pairs fit in one chart") }
            guard widths.count >= 2 else { throw ValidationError("--widths-grid needs at least two widths for a convergence chart") }
        }
    }

    func execute(_ io: CommandIO) throws {
        let sigmas = sigma2.elements.map(\.value)
        let (r, x) = try input.values()
        let widths = self.widths
        try Arguments.checkInputDimensions(ConvergenceStudy(sigma2Values: [], lambdaValues: [], widths: widths, inputRatio: r),
                                           flag: "--input-ratio", text: input.inputRatio.text)
        let chart: LineChart
        var note = ""
        switch kind {
        case .dispersion:
            let lambdas = (1...points.value).map { lambdaMax.value * BigRational($0, points.value) }
            // Each finite-M point is drawn at the λ′ = L/M it was computed at: nothing to note.
            chart = try dispersionChart(sigmas, lambdas: lambdas, widths: widths, inputRatio: r, inputNorm2: x)
        case .depth:
            chart = try depthChart(sigmas, depths: depths.elements.map(\.value), widths: widths, inputRatio: r, inputNorm2: x)
        case .offdiagCorrelation:
            chart = try offDiagonalCorrelationChart()
        case .offdiagDepth:
            chart = try offDiagonalDepthChart()
        case .convergence:
            let lambdas = lambda.elements.map(\.value)
            note = unattainableLambdaNote(ConvergenceStudy(sigma2Values: sigmas, lambdaValues: lambdas, widths: widths),
                                          where: "points use L = round(λM), λ′ = L/M")
            chart = try convergenceChart(sigmas, lambdas: lambdas, widths: widths, inputRatio: r, inputNorm2: x)
        }
        var decorated = chart
        let depthValues = depths.elements.map(\.value)
        let charted = ChartedNetworks(sigma2Values: sigmas, widths: widths, inputRatio: r, inputNorm2: x, trainableBiases: !input.noBias,
                                      depths: kind == .depth ? depthValues.min().flatMap { lo in depthValues.max().map { lo...$0 } } : nil,
                                      lambdaMax: kind == .dispersion ? lambdaMax.value : nil)
        decorated.series += try overlaySeries(xIsDepth: kind == .depth, charted: charted, io: io)
        let svg: String
        do { svg = try decorated.svg() } catch { throw UsageError("chart: \(error)") }
        if let path = output {
            InterruptCleanup.install()
            do { try AtomicFile.write(svg, to: path) } catch { throw UsageError("--output \(Arguments.quoted(path)): \(error)") }
        } else {
            io.write(svg.hasSuffix("\n") ? svg : svg + "\n")
        }
        io.writeError(note)
    }

    /// The finite-width dispersion at hidden width M and depth round(λM), with the λ′ = L/M it
    /// was actually computed at.
    func dispersion(sigma2: BigRational, lambda: BigRational, width M: Int, inputRatio: BigRational,
                    inputNorm2: BigRational) throws -> (lambda: Double, value: Double) {
        let study = ConvergenceStudy(sigma2Values: [sigma2], lambdaValues: [lambda], widths: [M], inputRatio: inputRatio,
                                     inputNorm2: inputNorm2, trainableBiases: !input.noBias, precision: 96)
        let row = try study.rows(for: study.groups[0])[0]
        return (row.lambda.approximateDouble, row.dispersion.doubleValue())
    }

    func dispersionChart(_ sigmas: [BigRational], lambdas: [BigRational], widths: [Int],
                         inputRatio: BigRational, inputNorm2: BigRational) throws -> LineChart {
        let alpha0 = input.alpha0
        var series: [ChartSeries] = []
        for (i, s) in sigmas.enumerated() {
            let color = ChartColor.okabeIto[i % ChartColor.okabeIto.count]
            let name = "σ²=\(s.displayText)"
            let limits = try lambdas.map { try DispersionLimits(sigma2: s, lambda: $0, trainableBiases: !input.noBias, alpha0: alpha0, precision: 64) }
            series.append(ChartSeries(name: "\(name) exact limit", points: zip(lambdas, limits).map { ($0.approximateDouble, $1.exact.doubleValue()) },
                                      lineStyle: .solid, showsMarkers: false, color: color))
            let publishedName = limits.first?.publishedIsGIDerived == true ? "\(name) published limit (GI-derived)" : "\(name) published limit"
            series.append(ChartSeries(name: publishedName, points: zip(lambdas, limits).map { ($0.approximateDouble, $1.published.doubleValue()) },
                                      lineStyle: .dashed, showsMarkers: false, color: color))
            for M in widths {
                // Each point sits at the λ′ = L/M it was computed at; repeated λ′ (depth rounding
                // at small M) are drawn once.
                var seen = Set<Double>()
                let values = try lambdas.map { try dispersion(sigma2: s, lambda: $0, width: M, inputRatio: inputRatio, inputNorm2: inputNorm2) }
                    .filter { seen.insert($0.lambda).inserted }
                series.append(ChartSeries(name: "\(name) finite M=\(M)", points: values.map { ($0.lambda, $0.value) },
                                          lineStyle: .dotted, showsMarkers: true, color: color))
            }
        }
        return LineChart(title: "NTK dispersion E[Θ²]/E[Θ]² against λ = L/M (\(inputText))", xLabel: "λ = L/M",
                         yLabel: "E[Θ²]/E[Θ]²", xScale: .linear, yScale: .log10, series: series, width: 900, height: 560)
    }

    /// The figure of Seleznova & Kutyniok (ICML 2022): the dispersion against depth L at fixed width M — the exact
    /// recursion, the exact and published limits at λ = L/M, and optional Monte Carlo points.
    func depthChart(_ sigmas: [BigRational], depths: [Int], widths: [Int], inputRatio: BigRational,
                    inputNorm2: BigRational) throws -> LineChart {
        var series: [ChartSeries] = []
        for (i, s) in sigmas.enumerated() {
            let color = ChartColor.okabeIto[i % ChartColor.okabeIto.count]
            let name = "σ²=\(s.displayText)"
            for (k, M) in widths.enumerated() {
                var finite: [(x: Double, y: Double)] = [], exact: [(x: Double, y: Double)] = [], published: [(x: Double, y: Double)] = []
                for L in depths {
                    let lambda = BigRational(L, M)
                    let study = ConvergenceStudy(sigma2Values: [s], lambdaValues: [lambda], widths: [M], inputRatio: inputRatio,
                                                 inputNorm2: inputNorm2, trainableBiases: !input.noBias, precision: 96)
                    let row = try study.rows(for: study.groups[0])[0]
                    finite.append((Double(L), row.dispersion.doubleValue()))
                    exact.append((Double(L), row.limitExact.doubleValue()))
                    if let v = row.limitPublished { published.append((Double(L), v.doubleValue())) }
                }
                let suffix = widths.count > 1 ? " (λ = L/\(M))" : ""
                if k == 0 || widths.count > 1 {
                    series.append(ChartSeries(name: "\(name) exact limit\(suffix)", points: exact, lineStyle: .solid, showsMarkers: false, color: color))
                    let gi = Phase(sigma2: s) == .edgeOfChaos && !input.noBias ? " (GI-derived)" : ""
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

    /// Monte Carlo points from validate JSON files, one series per charted network (σ², M):
    /// x = depth (or λ = L/M), y = plug-in dispersion ± its delta-method standard error. A file
    /// whose network is not charted (another σ², width, n₀, ‖x‖², biases) or whose point lies
    /// off the chart's depths or λ range is refused by name — or skipped with one stderr line
    /// under --skip-unmatched — so that a point is never drawn on another network's curve.
    func overlaySeries(xIsDepth: Bool, charted: ChartedNetworks, io: CommandIO) throws -> [ChartSeries] {
        var groups: [(curve: ChartedNetworks.Curve, points: [(x: Double, y: Double)], errors: [Double])] = []
        var files: [String] = []
        for path in overlay {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
                let json = names.filter { $0.hasSuffix(".json") }.sorted()
                guard !json.isEmpty else { throw UsageError("--overlay \(Arguments.quoted(path)): the folder holds no .json file") }
                files += json.map { (path as NSString).appendingPathComponent($0) }
            } else {
                files.append(path)
            }
        }
        for path in files {
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw UsageError("--overlay \(Arguments.quoted(path)): cannot read the file")
            }
            let json: JSONValue
            do { json = try JSONParser().parse(text) } catch { throw UsageError("--overlay \(Arguments.quoted(path)): not JSON (\(error))") }
            guard let mc = json["dispersion_plugin"]?["mc"]?.numberText.flatMap(Double.init),
                  let se = json["dispersion_plugin"]?["se_delta_method"]?.numberText.flatMap(Double.init),
                  let widthsText = json["widths"]?.stringValue, mc.isFinite, se.isFinite, mc > 0,
                  let sigma2 = (json["sigma2_exact"]?.stringValue).flatMap({ try? BigRational(parsing: $0) }),
                  let inputNorm2 = (json["input_norm2_exact"]?.stringValue).flatMap({ try? BigRational(parsing: $0) }),
                  let biases = json["biases"]?.boolValue else {
                throw UsageError("--overlay \(Arguments.quoted(path)): not the JSON of `ntk validate --format json` (needs widths, sigma2_exact, input_norm2_exact, biases, dispersion_plugin)")
            }
            let network = ChartedNetworks.SimulatedNetwork(widths: widthsText, sigma2: sigma2, inputNorm2: inputNorm2, trainableBiases: biases)
            let curve: ChartedNetworks.Curve
            do {
                curve = try charted.curve(for: network)
            } catch let mismatch as ChartedNetworks.Mismatch {
                guard skipUnmatched else {
                    throw UsageError("--overlay \(Arguments.quoted(path)): \(mismatch.description) (--skip-unmatched skips such files)")
                }
                io.writeError("ntk: note: --overlay \(Arguments.quoted(path)) skipped: \(mismatch.description)\n")
                continue
            }
            let x = xIsDepth ? Double(curve.depth) : Double(curve.depth) / Double(curve.width)
            if let i = groups.firstIndex(where: { $0.curve.sigma2 == curve.sigma2 && $0.curve.width == curve.width }) {
                groups[i].points.append((x, mc)); groups[i].errors.append(se)
            } else {
                groups.append((curve, [(x, mc)], [se]))
            }
        }
        return groups.sorted { ($0.curve.sigma2, $0.curve.width) < ($1.curve.sigma2, $1.curve.width) }.map { group in
            let order = group.points.indices.sorted { group.points[$0].x < group.points[$1].x }
            return ChartSeries(name: "σ²=\(group.curve.sigma2.displayText), M=\(group.curve.width) Monte Carlo (plug-in ± s.e.)",
                               points: order.map { group.points[$0] }, lineStyle: .none, showsMarkers: true,
                               color: ChartColor.reference, errorBars: order.map { group.errors[$0] })
        }
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
}
