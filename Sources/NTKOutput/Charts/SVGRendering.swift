import Foundation

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

struct SVGDocumentBuilder {
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
        let title = Self.titlePlacement(chars: chart.title.count, plotCenterX: plotCenterX, width: width)
        line("<text class=\"chart-title\" x=\"\(f(title.x))\" y=\"26\" text-anchor=\"middle\" font-size=\"\(f(title.fontSize))\" font-weight=\"bold\">\(svgText(chart.title))</text>")

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

    /// Where the title goes: centred over the plot at 15 px while it fits there; else centred
    /// over the whole figure, at a smaller size if need be (never below 9 px). Titles now name
    /// the networks they show, and a long one centred over the plot ran off the left edge. The
    /// width is estimated at 0.6 em per character of bold Helvetica (SVG cannot measure text).
    static func titlePlacement(chars: Int, plotCenterX: Double, width: Double) -> (x: Double, fontSize: Double) {
        let margin = 8.0, perCharacter = 0.6
        let extent = Double(chars) * perCharacter * 15
        if plotCenterX - extent / 2 >= margin && plotCenterX + extent / 2 <= width - margin { return (plotCenterX, 15) }
        let fitting = (width - 2 * margin) / (Double(max(chars, 1)) * perCharacter)
        return (width / 2, max(9, min(15, fitting)))
    }
}
