import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import NTKOutput

/// Parses `svg` as XML (failing the test if it is not well-formed) for structural checks.
func parseSVG(_ svg: String) throws -> XMLDocument {
    try XMLDocument(xmlString: svg, options: [])
}

func elements(_ node: XMLNode, _ xpath: String) throws -> [XMLElement] {
    try node.nodes(forXPath: xpath).compactMap { $0 as? XMLElement }
}

/// Looks through `attributes` because corelibs-foundation's `attribute(forName:)` returns
/// nil for every attribute once the root declares a default namespace, as SVG must.
func attribute(_ element: XMLElement, _ name: String) -> String? {
    element.attributes?.first(where: { $0.name == name })?.stringValue
}

/// The `data-points` attribute decoded back into numbers.
func decodedPoints(_ element: XMLElement) -> [(x: Double, y: Double)] {
    guard let text = attribute(element, "data-points"), !text.isEmpty else { return [] }
    return text.split(separator: " ").map { pair in
        let parts = pair.split(separator: ",").map { Double($0)! }
        return (x: parts[0], y: parts[1])
    }
}

let convergenceChart = LineChart(
    title: "NTK moment error vs width",
    xLabel: "width n",
    yLabel: "relative error",
    xScale: .log10,
    yScale: .log10,
    series: [
        ChartSeries(name: "depth 2", points: [(10, 0.1), (100, 0.011), (1000, 0.00105)]),
        ChartSeries(name: "depth 5", points: [(10, 0.3), (100, 0.031), (1000, 0.0032), (10000, 0.00031)],
                    lineStyle: .dotted),
        ChartSeries(name: "no markers", points: [(20, 0.05), (2000, 0.0005)], lineStyle: .dashed, showsMarkers: false),
    ])

@Suite struct LineChartStructureTests {
    @Test func everySeriesAppearsWithItsExactPoints() throws {
        let document = try parseSVG(try convergenceChart.svg())
        let groups = try elements(document, "//*[@class='series']")
        #expect(groups.map { attribute($0, "data-series") } == convergenceChart.series.map(\.name))
        for (group, series) in zip(groups, convergenceChart.series) {
            let points = decodedPoints(group)
            #expect(points.count == series.points.count)
            #expect(points.allSatisfy { $0.x.isFinite && $0.y.isFinite })
            #expect(points.map(\.x) == series.points.map(\.x))
            #expect(points.map(\.y) == series.points.map(\.y))
        }
    }

    @Test func markersCarryTheirValuesOnlyWhenRequested() throws {
        let document = try parseSVG(try convergenceChart.svg())
        let groups = try elements(document, "//*[@class='series']")
        for (group, series) in zip(groups, convergenceChart.series) {
            let markers = try elements(group, ".//*[@class='marker']")
            #expect(markers.count == (series.showsMarkers ? series.points.count : 0))
            let values = markers.map { (Double(attribute($0, "data-x")!)!, Double(attribute($0, "data-y")!)!) }
            #expect(values.map(\.0) == Array(series.points.map(\.x).prefix(markers.count)))
            #expect(values.map(\.1) == Array(series.points.map(\.y).prefix(markers.count)))
        }
    }

    @Test func lineStylesBecomeDashArrays() throws {
        let document = try parseSVG(try convergenceChart.svg())
        let paths = try elements(document, "//*[@class='series']/*[local-name()='path']")
        #expect(paths.map { attribute($0, "stroke-dasharray") } == [nil, "1.5 3", "6 4"])
    }

    @Test func documentIsSelfContainedSVGWithBackgroundClipAndLegend() throws {
        let svg = try convergenceChart.svg()
        let document = try parseSVG(svg)
        let root = try #require(document.rootElement())
        #expect(root.name == "svg")
        #expect(root.uri == "http://www.w3.org/2000/svg")
        #expect(attribute(root, "version") == "1.1")
        #expect(attribute(root, "width") != nil && attribute(root, "height") != nil)
        #expect(attribute(root, "viewBox")?.hasPrefix("0 0 ") == true)
        #expect(try elements(document, "//*[@class='background' and @fill='white']").count == 1)
        #expect(try elements(document, "//*[local-name()='clipPath' and @id='plot-area']").count == 1)
        let groups = try elements(document, "//*[@class='series']")
        #expect(groups.allSatisfy { attribute($0, "clip-path") == "url(#plot-area)" })
        let legend = try elements(document, "//*[@class='legend-entry']")
        #expect(legend.map { attribute($0, "data-series") } == convergenceChart.series.map(\.name))
        #expect(try elements(document, "//*[@class='x-label']").first?.stringValue == "width n")
        #expect(try elements(document, "//*[@class='y-label']").first?.stringValue == "relative error")
        #expect(!svg.contains("<script"))
        #expect(!svg.contains("href"))
    }

    @Test func seriesWithoutColorsTakeOkabeItoColoursInOrder() throws {
        let document = try parseSVG(try convergenceChart.svg())
        let paths = try elements(document, "//*[@class='series']/*[local-name()='path']")
        #expect(paths.map { attribute($0, "stroke") } == ChartColor.okabeIto.prefix(3).map(\.hex))
    }
}

@Suite struct LineChartAxisTests {
    func tickLabels(_ chart: LineChart, axis: String) throws -> [String] {
        let document = try parseSVG(try chart.svg())
        return try elements(document, "//*[@class='\(axis)']/*[@class='tick-label']").map { $0.stringValue ?? "" }
    }

    @Test func logAxesAreLabelledAtEveryDecadeAsPowersOfTen() throws {
        // x spans 10…10000 → decades 10^1…10^4; y spans 0.00031…0.3 → 10^-4…10^0.
        #expect(try tickLabels(convergenceChart, axis: "x-axis") == ["101", "102", "103", "104"])
        #expect(try tickLabels(convergenceChart, axis: "y-axis") == ["10-4", "10-3", "10-2", "10-1", "100"])
        let svg = try convergenceChart.svg()
        #expect(svg.contains("10<tspan dy=\"-0.6em\" font-size=\"9\">-4</tspan>"))
    }

    @Test func logAxesHaveEightMinorTicksPerDecade() throws {
        let document = try parseSVG(try convergenceChart.svg())
        let xLines = try elements(document, "//*[@class='x-axis']/*[local-name()='line']")
        // 4 major ticks + 3 decades × 8 minor ticks (2…9).
        #expect(xLines.count == 4 + 3 * 8)
    }

    @Test func linearAxesUseOneTwoFiveSteps() throws {
        let chart = LineChart(
            title: "t", xLabel: "x", yLabel: "y",
            series: [ChartSeries(name: "s", points: [(0, 0), (0.93, 47), (0.5, 3)])])
        #expect(try tickLabels(chart, axis: "x-axis") == ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        #expect(try tickLabels(chart, axis: "y-axis") == ["0", "10", "20", "30", "40", "50"])
    }

    @Test func aConstantSeriesStillGetsARange() throws {
        let chart = LineChart(
            title: "t", xLabel: "x", yLabel: "y", yScale: .log10,
            series: [ChartSeries(name: "flat", points: [(1, 100), (2, 100)])])
        #expect(try tickLabels(chart, axis: "y-axis") == ["101", "102", "103"])
        #expect(try tickLabels(chart, axis: "x-axis") == ["1.0", "1.2", "1.4", "1.6", "1.8", "2.0"])
    }
}

@Suite struct LineChartValidationTests {
    func chart(_ points: [(x: Double, y: Double)], x: AxisScale = .linear, y: AxisScale = .linear) -> LineChart {
        LineChart(title: "t", xLabel: "x", yLabel: "y", xScale: x, yScale: y,
                  series: [ChartSeries(name: "good", points: [(1, 1)]), ChartSeries(name: "bad", points: points)])
    }

    func message(_ chart: LineChart) -> String? {
        do {
            _ = try chart.svg()
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func nonPositiveValuesOnALogAxisThrow() throws {
        let zeroY = try #require(message(chart([(1, 2), (2, 0)], y: .log10)))
        #expect(zeroY == #"series "bad" point 2 (x = 2.0, y = 0.0): y is not positive, as the log10 y axis requires"#)
        let negativeX = try #require(message(chart([(-1, 2)], x: .log10)))
        #expect(negativeX.contains("x is not positive, as the log10 x axis requires"))
        #expect(throws: ChartError.self) { try chart([(1, -3)], y: .log10).svg() }
    }

    @Test func theSameValuesAreFineOnLinearAxes() throws {
        _ = try chart([(-1, 0), (2, -5)]).svg()
    }

    @Test func nonFiniteValuesThrowOnEveryScale() {
        for scale in [AxisScale.linear, .log10] {
            for bad in [Double.nan, .infinity, -.infinity] {
                #expect(throws: ChartError.self) { try chart([(1, bad)], x: scale, y: scale).svg() }
                #expect(throws: ChartError.self) { try chart([(bad, 1)], x: scale, y: scale).svg() }
            }
        }
    }

    @Test func errorMessagesAreOneLine() {
        let text = message(chart([(1, .nan)])) ?? ""
        #expect(!text.isEmpty && !text.contains("\n"))
        let nameWithNewline = LineChart(title: "t", xLabel: "x", yLabel: "y",
                                        series: [ChartSeries(name: "a\nb", points: [(.nan, 1)])])
        #expect(message(nameWithNewline)?.contains("\n") == false)
    }

    @Test func aChartWithoutPointsThrows() {
        let empty = LineChart(title: "t", xLabel: "x", yLabel: "y", series: [ChartSeries(name: "e", points: [])])
        #expect(throws: ChartError.self) { try empty.svg() }
    }

    @Test func anUntickableLinearRangeThrowsInsteadOfLooping() {
        #expect(throws: ChartError.self) { try chart([(-1e308, 1), (1e308, 1)]).svg() }
    }
}

@Suite struct LineChartTextTests {
    @Test func titlesLabelsAndNamesAreXMLEscaped() throws {
        let chart = LineChart(
            title: "<&> \"q\" 'a'", xLabel: "x < y", yLabel: "a & b",
            series: [ChartSeries(name: "<s&\"t\">", points: [(1, 1), (2, 2)])])
        let svg = try chart.svg()
        #expect(svg.contains("&lt;&amp;&gt; &quot;q&quot; &apos;a&apos;"))
        #expect(!svg.contains("<&>"))
        let document = try parseSVG(svg)
        #expect(try elements(document, "//*[@class='chart-title']").first?.stringValue == "<&> \"q\" 'a'")
        #expect(try elements(document, "//*[local-name()='title']").first?.stringValue == "<&> \"q\" 'a'")
        #expect(try elements(document, "//*[@class='x-label']").first?.stringValue == "x < y")
        #expect(try elements(document, "//*[@class='series']").first.map { attribute($0, "data-series") } == "<s&\"t\">")
    }

    @Test func controlCharactersThatXMLForbidsAreReplaced() throws {
        #expect(xmlEscaped("a\u{01}b\u{0B}c\td") == "a\u{FFFD}b\u{FFFD}c\td")
        let chart = LineChart(title: "bell\u{07}", xLabel: "x", yLabel: "y",
                              series: [ChartSeries(name: "s", points: [(1, 1)])])
        _ = try parseSVG(try chart.svg())
    }
}

@Suite struct ReferenceLineTests {
    @Test func slopeMinusOneOnLogLogAxesIsInverseProportionality() throws {
        let reference = try ChartSeries.referenceLine(
            name: "∝ 1/n", slope: -1, through: (x: 10, y: 0.1), xRange: 10...10000, xScale: .log10, yScale: .log10)
        #expect(reference.points.count == 2)
        #expect(reference.points[0].x == 10 && abs(reference.points[0].y - 0.1) < 1e-15)
        #expect(reference.points[1].x == 10000 && abs(reference.points[1].y / 1e-4 - 1) < 1e-12)
        #expect(reference.lineStyle == .dashed)
        #expect(!reference.showsMarkers)
    }

    @Test func onLinearAxesTheSlopeIsOrdinary() throws {
        let reference = try ChartSeries.referenceLine(
            name: "y = 2x", slope: 2, through: (x: 1, y: 2), xRange: 0...3, xScale: .linear, yScale: .linear)
        #expect(reference.points.map(\.y) == [0, 6])
    }

    @Test func itIsDrawnAsADashedSeriesInTheChart() throws {
        var chart = convergenceChart
        chart.series.append(try ChartSeries.referenceLine(
            name: "slope −1", slope: -1, through: (x: 10, y: 0.1), xRange: 10...10000, xScale: .log10, yScale: .log10))
        let document = try parseSVG(try chart.svg())
        let reference = try #require(elements(document, "//*[@class='series' and @data-series='slope −1']").first)
        #expect(decodedPoints(reference).count == 2)
        let path = try #require(elements(reference, "./*[local-name()='path']").first)
        #expect(attribute(path, "stroke-dasharray") == "6 4")
        #expect(attribute(path, "stroke") == ChartColor.reference.hex)
        #expect(try elements(document, "//*[@class='legend-entry' and @data-series='slope −1']").count == 1)
    }

    @Test func invalidInputsThrow() {
        #expect(throws: ChartError.self) {
            try ChartSeries.referenceLine(name: "r", slope: -1, through: (x: 0, y: 1), xRange: 1...10,
                                          xScale: .log10, yScale: .log10)
        }
        #expect(throws: ChartError.self) {
            try ChartSeries.referenceLine(name: "r", slope: .nan, through: (x: 1, y: 1), xRange: 1...10,
                                          xScale: .linear, yScale: .linear)
        }
        #expect(throws: ChartError.self) {
            try ChartSeries.referenceLine(name: "r", slope: 1000, through: (x: 1, y: 1), xRange: 1...10,
                                          xScale: .log10, yScale: .log10)
        }
    }
}

@Suite struct LineChartLabelTests {
    func tickLabels(_ chart: LineChart, axis: String) throws -> [String] {
        let document = try parseSVG(try chart.svg())
        return try elements(document, "//*[@class='\(axis)']/*[@class='tick-label']").map { $0.stringValue ?? "" }
    }

    @Test func aLogAxisSpanningLessThanTwoDecadesIsLabelledInside() throws {
        // y from 1.2 to 8 lies in one decade: 10^0 … 10^1 with 2 and 5 labelled between.
        let chart = LineChart(title: "t", xLabel: "x", yLabel: "y", yScale: .log10,
                              series: [ChartSeries(name: "s", points: [(1, 1.2), (2, 8)])])
        #expect(try tickLabels(chart, axis: "y-axis") == ["100", "2", "5", "101"])
        // Two decades or more: powers of ten only, as before.
        let wide = LineChart(title: "t", xLabel: "x", yLabel: "y", yScale: .log10,
                             series: [ChartSeries(name: "s", points: [(1, 0.012), (2, 8)])])
        #expect(try tickLabels(wide, axis: "y-axis") == ["10-2", "10-1", "100", "101"])
    }

    @Test func underscoresBecomeSubscripts() throws {
        #expect(svgText("|R_M − R_∞|") == "|R<tspan baseline-shift=\"sub\" font-size=\"75%\">M</tspan> − R<tspan baseline-shift=\"sub\" font-size=\"75%\">∞</tspan>|")
        #expect(svgText("‖Θ_t − Θ_{0}‖_F") == "‖Θ<tspan baseline-shift=\"sub\" font-size=\"75%\">t</tspan> − Θ<tspan baseline-shift=\"sub\" font-size=\"75%\">0</tspan>‖<tspan baseline-shift=\"sub\" font-size=\"75%\">F</tspan>")
        #expect(svgText("a <b> & c") == "a &lt;b&gt; &amp; c")
        let chart = LineChart(title: "R_M against M", xLabel: "M", yLabel: "|R_M − R_∞|",
                              series: [ChartSeries(name: "s", points: [(1, 1), (2, 2)])])
        let document = try parseSVG(try chart.svg())
        for node in try elements(document, "//*[local-name()='text']") {
            #expect(!(node.stringValue ?? "").contains("_"), "raw underscore in \(node.stringValue ?? "")")
        }
    }
}

@Suite struct ChartTitleTests {
    func titleElement(_ title: String, width: Int = 900) throws -> (x: Double, size: Double) {
        let chart = LineChart(title: title, xLabel: "x", yLabel: "y", series: [ChartSeries(name: "a", points: [(1, 1), (2, 2)])],
                              width: width, height: 400)
        let svg = try chart.svg()
        let start = try #require(svg.range(of: "<text class=\"chart-title\""))
        let element = svg[start.upperBound...].prefix { $0 != ">" }
        func attribute(_ name: String) throws -> Double {
            let r = try #require(element.range(of: "\(name)=\""))
            return try #require(Double(element[r.upperBound...].prefix { $0 != "\"" }))
        }
        return (try attribute("x"), try attribute("font-size"))
    }

    @Test("a long title is centred on the figure and shrunk to fit, never below 9 px; a short one stays at 15 px over the plot")
    func longTitlesFit() throws {
        let short = try titleElement("Short title")
        #expect(short.size == 15 && short.x != 450)
        for count in [60, 90, 110, 140] {
            let t = try titleElement(String(repeating: "W", count: count))
            // The estimated extent (0.6 em per character) stays inside the 900 px figure.
            let extent = Double(count) * 0.6 * t.size
            #expect(t.x - extent / 2 >= 8 - 1e-9 && t.x + extent / 2 <= 892 + 1e-9, "\(count): x \(t.x), size \(t.size)")
            #expect(t.size <= 15)
        }
        // 140 characters do not fit at 15 px in 900 px: centred on the figure, smaller.
        let long = try titleElement(String(repeating: "W", count: 140))
        #expect(long.x == 450 && long.size < 15)
        #expect(try titleElement(String(repeating: "W", count: 400)).size == 9)
    }
}
