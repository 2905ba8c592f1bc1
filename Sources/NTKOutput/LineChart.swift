import Foundation

/// How an axis maps data values to positions.
public enum AxisScale: Sendable, Equatable {
    case linear
    /// Base-10 logarithmic; every value on the axis must be positive.
    case log10

    func transform(_ value: Double) -> Double { self == .linear ? value : Foundation.log10(value) }
    func inverse(_ position: Double) -> Double { self == .linear ? position : pow(10, position) }
}

public enum LineStyle: Sendable, Equatable {
    case solid, dashed, dotted
    /// Markers only, no connecting line (e.g. Monte Carlo points).
    case none

    var dashArray: String? {
        switch self {
        case .solid, .none: return nil
        case .dashed: return "6 4"
        case .dotted: return "1.5 3"
        }
    }
}

/// An SVG colour as `#RRGGBB`.
public struct ChartColor: Sendable, Equatable {
    public let hex: String

    /// - Precondition: `hex` is `#` followed by six hexadecimal digits.
    public init(hex: String) {
        precondition(hex.count == 7 && hex.hasPrefix("#") && hex.dropFirst().allSatisfy(\.isHexDigit),
                     "ChartColor expects #RRGGBB, got \(hex)")
        self.hex = hex
    }

    /// Okabe–Ito colours, distinguishable under the common colour-vision deficiencies.
    /// Ordered for contrast on white; yellow, the faintest, comes last.
    public static let okabeIto: [ChartColor] = [
        "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442",
    ].map(ChartColor.init(hex:))

    /// Neutral grey for reference lines, so they never compete with data colours.
    public static let reference = ChartColor(hex: "#666666")
}

/// One named line on a `LineChart`.
public struct ChartSeries: Sendable {
    public var name: String
    /// Plotted in the given order (not sorted), joined by straight segments.
    public var points: [(x: Double, y: Double)]
    public var lineStyle: LineStyle
    /// Draws a marker at every point; marker shapes cycle per series so lines stay
    /// distinguishable in greyscale print.
    public var showsMarkers: Bool
    /// Nil takes the next unused colour of `ChartColor.okabeIto`, in series order.
    public var color: ChartColor?
    /// Half-widths of vertical error bars, one per point (y ± e), or nil for none.
    public var errorBars: [Double]?

    public init(
        name: String, points: [(x: Double, y: Double)], lineStyle: LineStyle = .solid,
        showsMarkers: Bool = true, color: ChartColor? = nil, errorBars: [Double]? = nil
    ) {
        self.name = name
        self.points = points
        self.lineStyle = lineStyle
        self.showsMarkers = showsMarkers
        self.color = color
        self.errorBars = errorBars
    }

    /// A dashed grey guide line without markers that is straight on the given axes: in
    /// transformed coordinates (log10 of a value on a log axis) it passes through `anchor` with
    /// the given slope, spanning `xRange`. On log–log axes slope −1 is y ∝ 1/x.
    /// - Throws: `ChartError` if an input is non-finite or non-positive on a log axis, or if
    ///   the resulting y values are (e.g. overflow).
    public static func referenceLine(
        name: String, slope: Double, through anchor: (x: Double, y: Double),
        xRange: ClosedRange<Double>, xScale: AxisScale, yScale: AxisScale
    ) throws -> ChartSeries {
        let inputs = [("anchor x", anchor.x, xScale), ("anchor y", anchor.y, yScale),
                      ("range start", xRange.lowerBound, xScale), ("range end", xRange.upperBound, xScale)]
        for (what, value, scale) in inputs {
            guard value.isFinite, slope.isFinite else {
                throw ChartError("reference line \(jsonQuoted(name)): non-finite \(what) or slope")
            }
            if scale == .log10, value <= 0 {
                throw ChartError("reference line \(jsonQuoted(name)): \(what) = \(value) is not positive, as a log10 axis requires")
            }
        }
        let points = [xRange.lowerBound, xRange.upperBound].map { x -> (x: Double, y: Double) in
            let position = yScale.transform(anchor.y) + slope * (xScale.transform(x) - xScale.transform(anchor.x))
            return (x: x, y: yScale.inverse(position))
        }
        if let bad = points.first(where: { !$0.y.isFinite || (yScale == .log10 && $0.y <= 0) }) {
            throw ChartError("reference line \(jsonQuoted(name)): y = \(bad.y) at x = \(bad.x) cannot be plotted")
        }
        return ChartSeries(name: name, points: points, lineStyle: .dashed, showsMarkers: false, color: .reference)
    }
}

/// A chart that cannot be drawn, described in one line.
public struct ChartError: Error, CustomStringConvertible, Equatable {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// A line chart rendered as a self-contained SVG 1.1 document.
public struct LineChart: Sendable {
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var xScale: AxisScale
    public var yScale: AxisScale
    public var series: [ChartSeries]
    /// Nominal size in pixels; the width grows if the legend would squeeze the plot.
    public var width: Int
    public var height: Int

    public init(
        title: String, xLabel: String, yLabel: String, xScale: AxisScale = .linear,
        yScale: AxisScale = .linear, series: [ChartSeries], width: Int = 720, height: Int = 480
    ) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.xScale = xScale
        self.yScale = yScale
        self.series = series
        self.width = width
        self.height = height
    }

    /// The SVG document.
    ///
    /// Contains: a white background; a framed plot area with ticks and labels (decades
    /// `10^k` plus unlabelled 2–9 minor ticks on log axes, 1-2-5 steps on linear axes);
    /// axis labels; the title (also as `<title>`); a legend to the right listing every
    /// series with its colour, line style and marker. Each series is a
    /// `<g class="series" data-series="NAME" data-points="x,y x,y …">` clipped to the plot
    /// area, where the values are Swift's shortest round-trip `Double` text; each marker
    /// also carries `data-x`/`data-y`. All text is XML-escaped.
    /// - Throws: `ChartError` if a value is non-finite, a value on a log axis is not
    ///   positive, or no series has any point.
    public func svg() throws -> String {
        try validate()
        var document = SVGDocumentBuilder(chart: self)
        return try document.render()
    }

    private func validate() throws {
        for series in series {
            if let bars = series.errorBars {
                guard bars.count == series.points.count, bars.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
                    throw ChartError("series \(jsonQuoted(series.name)): error bars must be finite, ≥ 0 and one per point")
                }
            }
            for (index, point) in series.points.enumerated() {
                let location = "series \(jsonQuoted(series.name)) point \(index + 1) (x = \(point.x), y = \(point.y))"
                guard point.x.isFinite, point.y.isFinite else {
                    throw ChartError("\(location) is not finite")
                }
                if xScale == .log10, point.x <= 0 {
                    throw ChartError("\(location): x is not positive, as the log10 x axis requires")
                }
                if yScale == .log10, point.y <= 0 {
                    throw ChartError("\(location): y is not positive, as the log10 y axis requires")
                }
            }
        }
        guard series.contains(where: { !$0.points.isEmpty }) else {
            throw ChartError("chart \(jsonQuoted(title)) has no data points")
        }
    }
}

// MARK: - Rendering

/// One axis' extent and ticks, in transformed coordinates (log10 of values on log axes).
struct AxisLayout {
    var lower: Double
    var upper: Double
    /// Positions with labels, already formatted as SVG text content (escaped where needed).
    var majorTicks: [(position: Double, label: String)]
    var minorTicks: [Double]

    /// - Throws: `ChartError` when a linear axis spans a range too wide or too narrow
    ///   for Double arithmetic to place ticks (e.g. from -1e308 to 1e308).
    init(values: [Double], scale: AxisScale, axisName: String) throws {
        let transformed = values.map(scale.transform)
        var low = transformed.min()!
        var high = transformed.max()!
        switch scale {
        case .log10:
            var firstDecade = low.rounded(.down)
            var lastDecade = high.rounded(.up)
            if firstDecade == lastDecade { firstDecade -= 1; lastDecade += 1 }
            lower = firstDecade
            upper = lastDecade
            let decades = Int(lastDecade - firstDecade)
            // Label at most ~10 decades so labels never overlap.
            let labelEvery = max(1, (decades + 9) / 10)
            majorTicks = []
            minorTicks = []
            for offset in 0...decades {
                let exponent = Int(firstDecade) + offset
                if offset % labelEvery == 0 {
                    majorTicks.append((Double(exponent), "10<tspan dy=\"-0.6em\" font-size=\"9\">\(exponent)</tspan>"))
                } else {
                    minorTicks.append(Double(exponent))
                }
                if decades <= 8, offset < decades {
                    // An axis spanning less than two decades would show only one or two labels;
                    // it labels 2 and 5 of each decade too.
                    let labelled: Set<Int> = decades < 2 ? [2, 5] : []
                    for m in 2...9 {
                        let position = Double(exponent) + Foundation.log10(Double(m))
                        if labelled.contains(m) {
                            majorTicks.append((position, Self.mantissaLabel(m, exponent: exponent)))
                        } else {
                            minorTicks.append(position)
                        }
                    }
                }
            }
        case .linear:
            if low == high {
                let pad = low == 0 ? 1 : abs(low) * 0.1
                low -= pad
                high += pad
            }
            let step = Self.niceStep(above: (high - low) / 6)
            let firstIndex = (low / step).rounded(.down)
            let lastIndex = (high / step).rounded(.up)
            guard step.isNormal, (lastIndex - firstIndex).isFinite, lastIndex - firstIndex <= 100 else {
                throw ChartError("\(axisName) values from \(low) to \(high) span a range that cannot be ticked")
            }
            lower = firstIndex * step
            upper = lastIndex * step
            let decimals = max(0, -Int(Foundation.log10(step).rounded(.down)))
            let magnitude = max(abs(lower), abs(upper))
            let useScientific = magnitude >= 1e6 || step < 1e-4
            majorTicks = stride(from: firstIndex, through: lastIndex, by: 1).map { index in
                var value = index * step
                if abs(value) < step * 1e-9 { value = 0 }  // avoid "-0.0" from rounding
                let label = useScientific ? String(format: "%g", value) : String(format: "%.\(decimals)f", value)
                return (value, label)
            }
            minorTicks = []
        }
    }

    /// The smallest 1, 2 or 5 × 10^k that is ≥ `rough`.
    /// The label of m·10^e on a log axis: a plain decimal for moderate exponents (`0.2`, `50`),
    /// else m·10^e with a raised exponent.
    static func mantissaLabel(_ m: Int, exponent: Int) -> String {
        if (-3...4).contains(exponent) {
            let value = Double(m) * Foundation.pow(10, Double(exponent))
            return exponent >= 0 ? String(Int(value)) : String(format: "%.\(-exponent)f", value)
        }
        return "\(m)·10<tspan dy=\"-0.6em\" font-size=\"9\">\(exponent)</tspan>"
    }

    static func niceStep(above rough: Double) -> Double {
        let power = pow(10, Foundation.log10(rough).rounded(.down))
        for multiple in [1.0, 2.0, 5.0, 10.0] where multiple * power >= rough * (1 - 1e-12) {
            return multiple * power
        }
        return 10 * power
    }
}

private enum MarkerShape: CaseIterable {
    case circle, square, triangle, diamond

    func element(x: Double, y: Double, color: String, attributes: String) -> String {
        let r = 3.5
        switch self {
        case .circle:
            return "<circle cx=\"\(f(x))\" cy=\"\(f(y))\" r=\"\(f(r))\" fill=\"\(color)\"\(attributes)/>"
        case .square:
            return "<rect x=\"\(f(x - r))\" y=\"\(f(y - r))\" width=\"\(f(2 * r))\" height=\"\(f(2 * r))\" fill=\"\(color)\"\(attributes)/>"
        case .triangle:
            return "<polygon points=\"\(f(x)),\(f(y - r * 1.2)) \(f(x + r * 1.1)),\(f(y + r * 0.8)) \(f(x - r * 1.1)),\(f(y + r * 0.8))\" fill=\"\(color)\"\(attributes)/>"
        case .diamond:
            return "<polygon points=\"\(f(x)),\(f(y - r * 1.3)) \(f(x + r)),\(f(y)) \(f(x)),\(f(y + r * 1.3)) \(f(x - r)),\(f(y))\" fill=\"\(color)\"\(attributes)/>"
        }
    }
}

/// SVG coordinate text: two decimals are sub-pixel and keep files small.
private func f(_ value: Double) -> String {
    let text = String(format: "%.2f", value)
    return text == "-0.00" ? "0.00" : text
}

private struct SVGDocumentBuilder {
    let chart: LineChart
    var output = ""

    // Layout constants in pixels; chosen for 10–12 px text at 720×480.
    let marginLeft = 84.0, marginTop = 44.0, marginBottom = 58.0
    let legendGap = 16.0, legendPadding = 10.0, legendRowHeight = 18.0, legendSampleWidth = 28.0
    let approximateCharacterWidth = 6.5

    init(chart: LineChart) { self.chart = chart }

    mutating func render() throws -> String {
        let colors = assignColors()
        let legendTextWidth = Double(chart.series.map(\.name.count).max() ?? 0) * approximateCharacterWidth
        let legendWidth = 2 * legendPadding + legendSampleWidth + 8 + legendTextWidth
        let width = max(Double(chart.width), marginLeft + 240 + legendGap + legendWidth + 12)
        let height = Double(chart.height)
        let plotLeft = marginLeft, plotTop = marginTop
        let plotRight = width - 12 - legendWidth - legendGap
        let plotBottom = height - marginBottom

        let allPoints = chart.series.flatMap(\.points)
        let xAxis = try AxisLayout(values: allPoints.map(\.x), scale: chart.xScale, axisName: "x")
        // Error bars widen the y range (on a log axis down to at most a tenth of the point).
        var barEnds: [Double] = []
        for series in chart.series {
            for (point, e) in zip(series.points, series.errorBars ?? []) {
                let low: Double = chart.yScale == .log10 ? max(point.y - e, point.y / 10) : point.y - e
                barEnds.append(low)
                barEnds.append(point.y + e)
            }
        }
        let yAxis = try AxisLayout(values: allPoints.map(\.y) + barEnds, scale: chart.yScale, axisName: "y")
        func px(_ position: Double) -> Double {
            plotLeft + (position - xAxis.lower) / (xAxis.upper - xAxis.lower) * (plotRight - plotLeft)
        }
        func py(_ position: Double) -> Double {
            plotBottom - (position - yAxis.lower) / (yAxis.upper - yAxis.lower) * (plotBottom - plotTop)
        }

        line("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>")
        line("<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"\(f(width))\" height=\"\(f(height))\" viewBox=\"0 0 \(f(width)) \(f(height))\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"11\">")
        line("<title>\(xmlEscaped(chart.title))</title>")
        // Every point lies inside the axis ranges, so the clip only guards against overdraw;
        // the bleed keeps markers on the frame whole instead of halved.
        let clipBleed = 6.0
        line("<defs><clipPath id=\"plot-area\"><rect x=\"\(f(plotLeft - clipBleed))\" y=\"\(f(plotTop - clipBleed))\" width=\"\(f(plotRight - plotLeft + 2 * clipBleed))\" height=\"\(f(plotBottom - plotTop + 2 * clipBleed))\"/></clipPath></defs>")
        line("<rect class=\"background\" x=\"0\" y=\"0\" width=\"\(f(width))\" height=\"\(f(height))\" fill=\"white\"/>")

        // Axes: ticks point inward from the frame, as is usual in physics-style figures.
        line("<g class=\"x-axis\" stroke=\"black\" stroke-width=\"1\">")
        for position in xAxis.minorTicks {
            line("<line x1=\"\(f(px(position)))\" y1=\"\(f(plotBottom))\" x2=\"\(f(px(position)))\" y2=\"\(f(plotBottom - 3))\"/>")
        }
        for tick in xAxis.majorTicks {
            line("<line x1=\"\(f(px(tick.position)))\" y1=\"\(f(plotBottom))\" x2=\"\(f(px(tick.position)))\" y2=\"\(f(plotBottom - 6))\"/>")
            line("<text class=\"tick-label\" x=\"\(f(px(tick.position)))\" y=\"\(f(plotBottom + 16))\" text-anchor=\"middle\" stroke=\"none\">\(tick.label)</text>")
        }
        line("</g>")
        line("<g class=\"y-axis\" stroke=\"black\" stroke-width=\"1\">")
        for position in yAxis.minorTicks {
            line("<line x1=\"\(f(plotLeft))\" y1=\"\(f(py(position)))\" x2=\"\(f(plotLeft + 3))\" y2=\"\(f(py(position)))\"/>")
        }
        for tick in yAxis.majorTicks {
            line("<line x1=\"\(f(plotLeft))\" y1=\"\(f(py(tick.position)))\" x2=\"\(f(plotLeft + 6))\" y2=\"\(f(py(tick.position)))\"/>")
            line("<text class=\"tick-label\" x=\"\(f(plotLeft - 6))\" y=\"\(f(py(tick.position) + 4))\" text-anchor=\"end\" stroke=\"none\">\(tick.label)</text>")
        }
        line("</g>")
        line("<rect class=\"frame\" x=\"\(f(plotLeft))\" y=\"\(f(plotTop))\" width=\"\(f(plotRight - plotLeft))\" height=\"\(f(plotBottom - plotTop))\" fill=\"none\" stroke=\"black\" stroke-width=\"1\"/>")
        let plotCenterX = (plotLeft + plotRight) / 2, plotCenterY = (plotTop + plotBottom) / 2
        line("<text class=\"x-label\" x=\"\(f(plotCenterX))\" y=\"\(f(height - 16))\" text-anchor=\"middle\" font-size=\"13\">\(svgText(chart.xLabel))</text>")
        line("<text class=\"y-label\" x=\"20\" y=\"\(f(plotCenterY))\" text-anchor=\"middle\" font-size=\"13\" transform=\"rotate(-90 20 \(f(plotCenterY)))\">\(svgText(chart.yLabel))</text>")
        line("<text class=\"chart-title\" x=\"\(f(plotCenterX))\" y=\"26\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\">\(svgText(chart.title))</text>")

        for (index, series) in chart.series.enumerated() {
            let color = colors[index].hex
            let dataPoints = series.points.map { "\($0.x),\($0.y)" }.joined(separator: " ")
            line("<g class=\"series\" data-series=\"\(xmlEscaped(series.name))\" data-points=\"\(dataPoints)\" clip-path=\"url(#plot-area)\">")
            if let bars = series.errorBars {
                for (point, e) in zip(series.points, bars) where e > 0 {
                    // On a log axis a bar reaching 0 or below is drawn down to a tenth of the point.
                    let low = chart.yScale == .log10 ? max(point.y - e, point.y / 10) : point.y - e
                    let x = f(px(chart.xScale.transform(point.x)))
                    let y0 = f(py(chart.yScale.transform(low))), y1 = f(py(chart.yScale.transform(point.y + e)))
                    let left = f(px(chart.xScale.transform(point.x)) - 3), right = f(px(chart.xScale.transform(point.x)) + 3)
                    line("<path class=\"error-bar\" d=\"M\(x),\(y0) L\(x),\(y1) M\(left),\(y0) L\(right),\(y0) M\(left),\(y1) L\(right),\(y1)\" stroke=\"\(color)\" stroke-width=\"1\" fill=\"none\"/>")
                }
            }
            if !series.points.isEmpty && series.lineStyle != .none {
                let path = series.points.enumerated().map { offset, point in
                    "\(offset == 0 ? "M" : "L")\(f(px(chart.xScale.transform(point.x)))),\(f(py(chart.yScale.transform(point.y))))"
                }.joined(separator: " ")
                line("<path d=\"\(path)\" \(strokeAttributes(series, color: color))/>")
            }
            if series.showsMarkers {
                let shape = MarkerShape.allCases[index % MarkerShape.allCases.count]
                for point in series.points {
                    line(shape.element(
                        x: px(chart.xScale.transform(point.x)), y: py(chart.yScale.transform(point.y)), color: color,
                        attributes: " class=\"marker\" data-x=\"\(point.x)\" data-y=\"\(point.y)\""))
                }
            }
            line("</g>")
        }

        let legendLeft = plotRight + legendGap
        let legendHeight = 2 * legendPadding + Double(chart.series.count) * legendRowHeight
        line("<g class=\"legend\">")
        line("<rect x=\"\(f(legendLeft))\" y=\"\(f(plotTop))\" width=\"\(f(legendWidth))\" height=\"\(f(legendHeight))\" fill=\"white\" stroke=\"#999999\" stroke-width=\"1\"/>")
        for (index, series) in chart.series.enumerated() {
            let color = colors[index].hex
            let rowY = plotTop + legendPadding + (Double(index) + 0.5) * legendRowHeight
            let sampleLeft = legendLeft + legendPadding
            line("<g class=\"legend-entry\" data-series=\"\(xmlEscaped(series.name))\">")
            if series.lineStyle != .none {
                line("<line x1=\"\(f(sampleLeft))\" y1=\"\(f(rowY))\" x2=\"\(f(sampleLeft + legendSampleWidth))\" y2=\"\(f(rowY))\" \(strokeAttributes(series, color: color))/>")
            }
            if series.showsMarkers {
                let shape = MarkerShape.allCases[index % MarkerShape.allCases.count]
                line(shape.element(x: sampleLeft + legendSampleWidth / 2, y: rowY, color: color, attributes: ""))
            }
            line("<text x=\"\(f(sampleLeft + legendSampleWidth + 8))\" y=\"\(f(rowY + 4))\">\(xmlEscaped(series.name))</text>")
            line("</g>")
        }
        line("</g>")
        line("</svg>")
        return output
    }

    private func assignColors() -> [ChartColor] {
        var nextPaletteIndex = 0
        return chart.series.map { series in
            if let color = series.color { return color }
            defer { nextPaletteIndex += 1 }
            return ChartColor.okabeIto[nextPaletteIndex % ChartColor.okabeIto.count]
        }
    }

    private func strokeAttributes(_ series: ChartSeries, color: String) -> String {
        var attributes = "fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.8\" stroke-linejoin=\"round\""
        if let dashes = series.lineStyle.dashArray {
            attributes += " stroke-dasharray=\"\(dashes)\""
        }
        if series.lineStyle == .dotted { attributes += " stroke-linecap=\"round\"" }
        return attributes
    }

    private mutating func line(_ text: String) {
        output += text
        output += "\n"
    }
}

/// `text` as SVG text content, with `_x` or `_{…}` set as a subscript (a lowered, smaller
/// tspan), so that labels such as `R_M` or `‖Θ_t − Θ_0‖_F` never show a raw underscore.
public func svgText(_ text: String) -> String {
    var output = ""
    var rest = Substring(text)
    while let underscore = rest.firstIndex(of: "_") {
        output += xmlEscaped(String(rest[..<underscore]))
        var after = rest[rest.index(after: underscore)...]
        let subscriptText: Substring
        if after.first == "{", let close = after.firstIndex(of: "}") {
            subscriptText = after[after.index(after: after.startIndex)..<close]
            after = after[after.index(after: close)...]
        } else if let first = after.first, first != " " {
            subscriptText = after[..<after.index(after: after.startIndex)]
            after = after[after.index(after: after.startIndex)...]
        } else {
            output += "_"
            rest = after
            continue
        }
        output += "<tspan baseline-shift=\"sub\" font-size=\"75%\">\(xmlEscaped(String(subscriptText)))</tspan>"
        rest = after
    }
    return output + xmlEscaped(String(rest))
}

/// `text` made safe for XML character data and attribute values: `& < > " '` become
/// entities, and characters XML 1.0 forbids (most C0 controls) become U+FFFD.
public func xmlEscaped(_ text: String) -> String {
    var output = ""
    output.reserveCapacity(text.utf8.count)
    for scalar in text.unicodeScalars {
        switch scalar {
        case "&": output += "&amp;"
        case "<": output += "&lt;"
        case ">": output += "&gt;"
        case "\"": output += "&quot;"
        case "'": output += "&apos;"
        case "\t", "\n", "\r": output.unicodeScalars.append(scalar)
        case let control where control.value < 0x20 || control.value == 0xFFFE || control.value == 0xFFFF:
            output += "\u{FFFD}"
        default: output.unicodeScalars.append(scalar)
        }
    }
    return output
}
