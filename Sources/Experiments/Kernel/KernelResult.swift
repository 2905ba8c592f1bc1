/// The result of `KernelRequest` (schema `ntk.kernel`, docs/schemas/kernel.schema.json).
public struct KernelResult: ExperimentResult, Equatable {
    public static let schemaName = "ntk.kernel"
    public static let schemaVersion = 1

    /// One evaluated pair: its correlation or Gram triple, and the kernel values.
    public struct Pair: Sendable, Codable, Equatable {
        public var correlation: ReportedReal?
        public var q1: ReportedReal?
        public var q2: ReportedReal?
        public var c: ReportedReal?
        public var ntk: ReportedReal
        public var nngp: ReportedReal
        public var ntkNormalized: ReportedReal
        /// Θ*(x, x) and Θ*(x′, x′).
        public var ntkDiagonal1: ReportedReal
        public var ntkDiagonal2: ReportedReal

        enum CodingKeys: String, CodingKey {
            case correlation, q1, q2, c, ntk, nngp, ntkNormalized = "ntk_normalized"
            case ntkDiagonal1 = "ntk_diagonal1", ntkDiagonal2 = "ntk_diagonal2"
        }
    }


    public var schema: SchemaStamp = Self.stamp
    public var network: ReportedNetwork
    public var arithmetic: KernelRequest.Arithmetic
    /// What the arithmetic guarantees about the reported digits, in one sentence.
    public var arithmeticDescription: String
    public var digitsRequested: Int
    public var precisionBits: Int?
    /// Correlations or the Gram triple (nil for input vectors).
    public var pairs: [Pair]?
    /// For input vectors: how many, and the kernel matrices (entry i, j for inputs i and j).
    public var inputs: Int?
    public var ntk: ReportedRealMatrix?
    public var nngp: ReportedRealMatrix?
    public var ntkNormalized: ReportedRealMatrix?

    enum CodingKeys: String, CodingKey {
        case schema, network, arithmetic, arithmeticDescription = "arithmetic_description"
        case digitsRequested = "digits_requested", precisionBits = "precision_bits", pairs = "results", inputs, ntk, nngp
        case ntkNormalized = "ntk_normalized"
    }
}
