import Foundation

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
