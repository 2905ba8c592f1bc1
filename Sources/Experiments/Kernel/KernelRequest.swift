import Multiprecision
import NTKMoments

/// `ntk kernel`: the infinite-width NTK Θ*(x, x′) and NNGP Σ*(x, x′) (derivations/09) for
/// a list of correlations, one Gram triple, or every pair of a set of input vectors.
///
/// Exactly one of `correlation`, `gram` and `vectors` may be given; with none, the
/// correlations 0, 0.1, …, 1 are evaluated. Correlations are taken at the network's ‖x‖².
public struct KernelRequest: Experiment, Equatable {
    /// Which arithmetic evaluates the kernel, and what its printed digits mean.
    public enum Arithmetic: String, Sendable, Codable, CaseIterable {
        /// MPFR intervals with guard bits; only the digits the interval guarantees are reported.
        case mpfr
        /// Certified enclosures at `precision` (default 128 bits), with their bounds.
        case certified
        /// IEEE double; digits limited by a conservative (not rigorous) error estimate.
        case double
    }

    /// A Gram triple q1 = ‖x‖², q2 = ‖x′‖², c = ⟨x, x′⟩.
    public struct Gram: Sendable, Codable, Equatable {
        public var q1: BigRational
        public var q2: BigRational
        public var c: BigRational
        public init(q1: BigRational, q2: BigRational, c: BigRational) {
            self.q1 = q1
            self.q2 = q2
            self.c = c
        }
    }

    public var network: ReportedNetwork
    public var correlation: [BigRational]?
    public var gram: Gram?
    public var vectors: [[BigRational]]?
    public var arithmetic: Arithmetic
    /// Working precision in bits (MPFR default: enough for `digits`; certified default 128).
    public var precision: Int?
    /// Significant digits to report at most (default 20; 16 in double).
    public var digits: Int?
    /// Requests whose estimated run time exceeds this many seconds are refused.
    public var maximumSeconds: Double

    public static let maximumInputs = 5000
    public static let defaultMaximumSeconds = RunTimeLimit.defaultSeconds
    public static let defaultCertifiedPrecision = 128

    public init(network: Architecture, correlation: [BigRational]? = nil, gram: Gram? = nil, vectors: [[BigRational]]? = nil,
                arithmetic: Arithmetic = .mpfr, precision: Int? = nil, digits: Int? = nil,
                maximumSeconds: Double = KernelRequest.defaultMaximumSeconds) {
        self.network = ReportedNetwork(network)
        self.correlation = correlation
        self.gram = gram
        self.vectors = vectors
        self.arithmetic = arithmetic
        self.precision = precision
        self.digits = digits
        self.maximumSeconds = maximumSeconds
    }

    enum CodingKeys: String, CodingKey {
        case network, correlation, gram, vectors = "inputs", arithmetic, precision, digits, maximumSeconds = "max_seconds"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        network = try c.decode(ReportedNetwork.self, forKey: .network)
        correlation = try c.decodeIfPresent([BigRational].self, forKey: .correlation)
        gram = try c.decodeIfPresent(Gram.self, forKey: .gram)
        vectors = try c.decodeIfPresent([[BigRational]].self, forKey: .vectors)
        arithmetic = try c.decodeIfPresent(Arithmetic.self, forKey: .arithmetic) ?? .mpfr
        precision = try c.decodeIfPresent(Int.self, forKey: .precision)
        digits = try c.decodeIfPresent(Int.self, forKey: .digits)
        maximumSeconds = try c.decodeIfPresent(Double.self, forKey: .maximumSeconds) ?? Self.defaultMaximumSeconds
    }

    /// Significant digits reported at most.
    public var outputDigits: Int { digits ?? (arithmetic == .double ? 16 : 20) }

    /// The working precision: the requested digits, 24 guard bits and the bits a depth-L
    /// interval recursion loses (about 2 log₂ L).
    public var workingPrecision: Int {
        if let precision { return precision }
        if arithmetic == .certified { return Self.defaultCertifiedPrecision }
        let depth = network.architecture.depth
        return DecimalDigits.bits(forDigits: outputDigits) + 24 + 2 * (Int.bitWidth - depth.leadingZeroBitCount)
    }

    /// Off-diagonal pairs the request evaluates.
    public var pairCount: Int {
        if let vectors { return max(1, vectors.count * (vectors.count - 1) / 2) }
        if gram != nil { return 1 }
        return correlation?.count ?? Self.defaultCorrelations.count
    }

    /// 0, 0.1, …, 1.
    public static var defaultCorrelations: [BigRational] { (0...10).map { BigRational($0, 10) } }
}
