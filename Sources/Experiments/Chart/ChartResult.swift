/// The result of `ChartRequest` (schema `ntk.chart`): the figure as a self-contained SVG
/// document, and the notes a reader of the figure should see beside it.
public struct ChartResult: ExperimentResult, Equatable {
    public static let schemaName = "ntk.chart"
    public static let schemaVersion = 1

    public var schema: SchemaStamp = Self.stamp
    /// The SVG document (UTF-8 text, ending in a newline).
    public var svg: String
    /// One line each: overlay files skipped under `skipUnmatched`, λ that λM misses.
    public var notes: [String]

    public init(svg: String, notes: [String]) {
        self.svg = svg.hasSuffix("\n") ? svg : svg + "\n"
        self.notes = notes
    }

    enum CodingKeys: String, CodingKey { case schema, svg, notes }
}
