import Multiprecision
import NTKMoments

/// `ntk chart`: a self-contained SVG figure of the exact finite-width dispersion against its
/// limits (kinds `dispersion`, `depth`, `convergence`; derivations/04, 05), optionally with
/// Monte Carlo points of `ntk validate`, or of the off-diagonal NTK simulated by `ntk offdiag`
/// (kinds `offdiag-correlation`, `offdiag-depth`; nothing is simulated here).
public struct ChartRequest: Experiment {
    /// What the figure shows.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// E[Θ²]/E[Θ]² against λ = L/M: finite-M curves, the exact and the published limit.
        case dispersion
        /// E[Θ²]/E[Θ]² against depth L at fixed widths M.
        case depth
        /// |R_M − R_∞| against M on log–log axes, with a slope −1 reference.
        case convergence
        /// E[Θ(x,x′)]/E[Θ(x,x)] against ρ, from offdiag results.
        case offdiagCorrelation = "offdiag-correlation"
        /// E[Θ(x,x′)]/E[Θ(x,x)] against depth, from offdiag results.
        case offdiagDepth = "offdiag-depth"

        /// The study kinds compute exact curves; the offdiag kinds draw simulated results.
        public var isOffDiagonal: Bool { self == .offdiagCorrelation || self == .offdiagDepth }
    }

    public var kind: Kind
    /// One colour per σ² (at most 8).
    public var sigma2: [BigRational]
    /// convergence: the λ of each curve.
    public var lambda: [BigRational]
    /// dispersion: the largest λ on the x axis, and the number of λ points.
    public var lambdaMax: BigRational
    public var points: Int
    /// Hidden widths M (nil: 10, 100 for dispersion; 100 for depth; 10 … 10⁵ for convergence).
    public var widths: [Int]?
    /// depth, offdiag kinds: the depths drawn.
    public var depths: [Int]
    /// offdiag-depth: the correlations drawn against depth.
    public var correlations: [BigRational]
    /// n₀ = r·M, ‖x‖² and biases of the charted networks (study kinds).
    public var inputRatio: BigRational
    public var inputNorm2: BigRational
    public var biases: Bool
    /// dispersion, depth: Monte Carlo points to draw over the curves.
    public var overlay: [OverlayPoint]
    /// With an overlay: leave out points whose network is not charted (a note each) instead of
    /// refusing them.
    public var skipUnmatched: Bool
    /// offdiag kinds: the simulated results (e.g. one per σ²).
    public var offdiag: [OffDiagSource]

    public static let maximumCurves = 8
    public static let widthRange = 1...10_000_000
    public static let pointRange = 2...1000
    public static let depthRange = 1...1_000_000
    public static let maximumDepthCount = 2000
    /// The deepest network of a dispersion chart.
    public static let maximumLayers = 100_000_000

    public init(kind: Kind = .dispersion, sigma2: [BigRational] = [BigRational(3, 2), 2, BigRational(5, 2)],
                lambda: [BigRational] = [BigRational(1, 2), 1], lambdaMax: BigRational = 1, points: Int = 40, widths: [Int]? = nil,
                depths: [Int] = Array(1...49), correlations: [BigRational] = [0, BigRational(1, 2), BigRational(9, 10)],
                inputRatio: BigRational = 1, inputNorm2: BigRational = 1, biases: Bool = true, overlay: [OverlayPoint] = [],
                skipUnmatched: Bool = false, offdiag: [OffDiagSource] = []) {
        self.kind = kind
        self.sigma2 = sigma2
        self.lambda = lambda
        self.lambdaMax = lambdaMax
        self.points = points
        self.widths = widths
        self.depths = depths
        self.correlations = correlations
        self.inputRatio = inputRatio
        self.inputNorm2 = inputNorm2
        self.biases = biases
        self.overlay = overlay
        self.skipUnmatched = skipUnmatched
        self.offdiag = offdiag
    }

    enum CodingKeys: String, CodingKey {
        case kind, sigma2, lambda, lambdaMax = "lambda_max", points, widths, depths, correlations
        case inputRatio = "input_ratio", inputNorm2 = "input_norm2", biases, overlay, skipUnmatched = "skip_unmatched", offdiag
    }

    /// Absent members take the defaults of the command line.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = ChartRequest()
        self.init(kind: try c.decodeIfPresent(Kind.self, forKey: .kind) ?? d.kind,
                  sigma2: try c.decodeIfPresent([BigRational].self, forKey: .sigma2) ?? d.sigma2,
                  lambda: try c.decodeIfPresent([BigRational].self, forKey: .lambda) ?? d.lambda,
                  lambdaMax: try c.decodeIfPresent(BigRational.self, forKey: .lambdaMax) ?? d.lambdaMax,
                  points: try c.decodeIfPresent(Int.self, forKey: .points) ?? d.points,
                  widths: try c.decodeIfPresent([Int].self, forKey: .widths),
                  depths: try c.decodeIfPresent([Int].self, forKey: .depths) ?? d.depths,
                  correlations: try c.decodeIfPresent([BigRational].self, forKey: .correlations) ?? d.correlations,
                  inputRatio: try c.decodeIfPresent(BigRational.self, forKey: .inputRatio) ?? d.inputRatio,
                  inputNorm2: try c.decodeIfPresent(BigRational.self, forKey: .inputNorm2) ?? d.inputNorm2,
                  biases: try c.decodeIfPresent(Bool.self, forKey: .biases) ?? d.biases,
                  overlay: try c.decodeIfPresent([OverlayPoint].self, forKey: .overlay) ?? [],
                  skipUnmatched: try c.decodeIfPresent(Bool.self, forKey: .skipUnmatched) ?? false,
                  offdiag: try c.decodeIfPresent([OffDiagSource].self, forKey: .offdiag) ?? [])
    }

    /// The hidden widths drawn.
    public var chartedWidths: [Int] {
        widths ?? (kind == .dispersion ? [10, 100] : kind == .depth ? [100] : [10, 100, 1000, 10_000, 100_000])
    }

    /// Range and consistency checks (the command line's parser checks syntax only).
    public func check() throws {
        func refuse(_ message: String) -> ExperimentError { .invalidRequest(message) }
        func fewer(_ flag: String, _ what: String) -> ExperimentError { refuse("\(flag): at most \(Self.maximumCurves) \(what) fit in one chart") }
        for s in sigma2 { try RequestRange.positive("--sigma2", s, text: s.displayText, maximum: s) }
        guard sigma2.count <= Self.maximumCurves else { throw fewer("--sigma2", "values") }
        for m in widths ?? [] { try RequestRange.integer("--widths-grid entry", m, Self.widthRange) }
        guard chartedWidths.count <= Self.maximumCurves else { throw fewer("--widths-grid", "widths") }
        try RequestRange.positive("--input-ratio", inputRatio, text: inputRatio.displayText, maximum: inputRatio)
        try RequestRange.positive("--input-norm2", inputNorm2, text: inputNorm2.displayText, maximum: inputNorm2)
        let study = ConvergenceStudy(sigma2Values: [], lambdaValues: [], widths: chartedWidths, inputRatio: inputRatio)
        for m in chartedWidths where study.inputDimension(width: m) > Architecture.maximumWidth {
            throw refuse("--input-ratio '\(inputRatio.displayText)' with M = \(m) gives an input dimension n0 = r·M beyond 2^50")
        }
        if !overlay.isEmpty && kind != .dispersion && kind != .depth { throw refuse("--overlay goes with --kind dispersion or depth") }
        switch kind {
        case .dispersion:
            try RequestRange.positive("--lambda-max", lambdaMax, text: lambdaMax.displayText, maximum: BigRational(50))
            try RequestRange.integer("--points", points, Self.pointRange)
            for m in chartedWidths where ConvergenceStudy.depth(lambda: lambdaMax, width: m) > Self.maximumLayers {
                throw refuse("--lambda-max × M = \(lambdaMax.displayText)·\(m) is too deep for a chart (limit 10^8 layers)")
            }
        case .depth:
            try checkDepths()
        case .offdiagCorrelation, .offdiagDepth:
            guard !offdiag.isEmpty else { throw refuse("--kind \(kind.rawValue) needs --offdiag FILE… (JSON of ntk offdiag --format json)") }
            guard offdiag.count <= Self.maximumCurves else { throw fewer("--offdiag", "files") }
            try checkDepths()
            guard correlations.count <= Self.maximumCurves else { throw fewer("--correlation", "correlations") }
            for r in correlations where r < BigRational(-1) || BigRational(1) < r {
                throw refuse("--correlation '\(r.displayText)' is out of range: a number from -1 to 1")
            }
        case .convergence:
            for l in lambda { try RequestRange.positive("--lambda", l, text: l.displayText, maximum: BigRational(50)) }
            guard sigma2.count * lambda.count <= Self.maximumCurves else { throw refuse("at most \(Self.maximumCurves) (σ², λ) pairs fit in one chart") }
            guard chartedWidths.count >= 2 else { throw refuse("--widths-grid needs at least two widths for a convergence chart") }
        }
    }

    private func checkDepths() throws {
        for d in depths { try RequestRange.integer("--depths entry", d, Self.depthRange) }
        guard depths.count <= Self.maximumDepthCount else {
            throw ExperimentError.invalidRequest("--depths: at most \(Self.maximumDepthCount) depths in one chart")
        }
    }
}
