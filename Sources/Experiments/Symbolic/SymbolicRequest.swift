import Multiprecision
import NTKMoments

/// `ntk symbolic`: E[Θ], E[Θ²] (and E[Θ^k], E[fQ]) as exact polynomials in s = σ² and
/// x = ‖x‖² for one width list (derivations/03), valid for ‖x‖² > 0.
public struct SymbolicRequest: Experiment, Equatable {
    /// The widths and biases (σ² and ‖x‖² are the variables; the network's values are unused).
    public var network: ReportedNetwork
    public var model: MomentModel
    /// Also E[Θ^k] for k = 3 … maxMoment (≤ 6).
    public var maxMoment: Int?
    /// Also E[fQ] (exact model only).
    public var firstStep: Bool

    public static let maximumDepth = 400
    public static let maxMomentRange = 2...6
    /// Coefficients beyond this many decimal digits are refused before any work.
    public static let maximumDigits = 200_000

    public init(network: Architecture, model: MomentModel = .exact, maxMoment: Int? = nil, firstStep: Bool = false) {
        self.network = ReportedNetwork(network)
        self.model = model
        self.maxMoment = maxMoment
        self.firstStep = firstStep
    }

    enum CodingKeys: String, CodingKey {
        case network, model, maxMoment = "max_moment", firstStep = "first_step"
    }

    /// Range checks and cost refusals, before any work.
    public func check() throws {
        if let p = maxMoment, !Self.maxMomentRange.contains(p) {
            throw ExperimentError.invalidRequest("--max-moment '\(p)' is out of range: an integer from 2 to 6")
        }
        if firstStep && model != .exact {
            throw ExperimentError.invalidRequest("--first-step needs --model exact (E[fQ] is a property of the real network)")
        }
        let a = network.architecture
        guard a.depth <= Self.maximumDepth else {
            throw ExperimentError.tooExpensive("symbolic mode is limited to depth \(Self.maximumDepth) (this network has \(a.depth)); use ntk moments")
        }
        let digits = CostEstimate.exactDecimalDigits(a)
        guard digits < Double(Self.maximumDigits) else {
            throw ExperimentError.tooExpensive("the polynomial coefficients would need about \(Int(digits)) digits (limit \(Self.maximumDigits)); use smaller widths")
        }
        let p = maxMoment ?? 2
        if p > 2, digits * Double(p) / 2 >= Double(Self.maximumDigits) {
            throw ExperimentError.tooExpensive("E[Θ^\(p)] would need coefficients of about \(Int(digits * Double(p) / 2)) digits (limit \(Self.maximumDigits)); use smaller widths or a lower --max-moment")
        }
    }

    public func run(_ context: ExperimentContext) throws -> SymbolicResult {
        try check()
        let a = network.architecture
        let m = MomentRecursion(arithmetic: SymbolicArithmetic(), model: model).moments(of: a)
        var result = SymbolicResult(network: a, model: model, mean: .init(m.mean.mantissa), secondMoment: .init(m.secondMoment.mantissa))
        for k in stride(from: 3, through: maxMoment ?? 2, by: 1) {
            try context.checkCancellation()
            result.higherMoments.append(.init(TupleMomentRecursion(arithmetic: SymbolicArithmetic(), model: model, order: k).moment(of: a).mantissa))
        }
        if firstStep {
            try context.checkCancellation()
            result.fQ = .init(FirstStepRecursion(arithmetic: SymbolicArithmetic()).expectation(of: a).mantissa)
        }
        return result
    }
}
