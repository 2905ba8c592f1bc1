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
