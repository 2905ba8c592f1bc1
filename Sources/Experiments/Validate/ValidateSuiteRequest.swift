import Foundation
import MonteCarlo
import Multiprecision

/// `ntk validate suite`: the fixed, bounded validation suite behind `make validate` — E[Θ] and
/// E[Θ²] of ten simulated networks in the three phases against the exact recursion, and the
/// first-step E[fQ] of four, each at a fixed seed with its own sample and time budget.
public struct ValidateSuiteRequest: Experiment, Equatable {
    /// One network of the suite and its budgets.
    public struct Case: Sendable, Codable, Equatable {
        /// The width list `n0,…` (runs as NxK).
        public var widths: String
        /// σ² as written (exact decimal).
        public var sigma2: String
        public var biases: Bool
        public var samples: Int
        public var seconds: Double
    }

    /// Worker threads (nil: all cores).
    public var threads: Int?
    /// Multiplies every case's sample and time budget (at most 100).
    public var budgetScale: Double

    public init(threads: Int? = nil, budgetScale: Double = 1) {
        self.threads = threads
        self.budgetScale = budgetScale
    }

    enum CodingKeys: String, CodingKey {
        case threads, budgetScale = "budget_scale"
    }

    public static let seed: UInt64 = 20_221_129
    public static let zMax = 4.0
    /// The step cases' learning rate is this over E[Θ] (η = c/E[Θ]), with target y = 0.
    public static let stepLearningRateScale = 1e-3
    public static let stepTarget = 0.0
    public static let maximumBudgetScale = 100.0

    /// λ = L/M ≤ 0.5 everywhere: beyond that Θ is heavy-tailed and the moments' standard
    /// errors are unreliable (derivations/06-monte-carlo.md).
    public static let cases: [Case] = [
        Case(widths: "10,10x4", sigma2: "1.5", biases: true, samples: 2_000_000, seconds: 20),
        Case(widths: "50,50x9", sigma2: "1.5", biases: true, samples: 300_000, seconds: 20),
        Case(widths: "6,6x2", sigma2: "2", biases: true, samples: 4_000_000, seconds: 25),
        Case(widths: "6,6x2", sigma2: "2", biases: false, samples: 2_000_000, seconds: 15),
        Case(widths: "20,20x9", sigma2: "2", biases: true, samples: 1_000_000, seconds: 25),
        Case(widths: "100,100x19", sigma2: "2", biases: true, samples: 100_000, seconds: 30),
        Case(widths: "10,10x4", sigma2: "2.5", biases: true, samples: 2_000_000, seconds: 20),
        Case(widths: "8,12,6,10,9", sigma2: "2.5", biases: true, samples: 2_000_000, seconds: 20),
        Case(widths: "50,50x9", sigma2: "2.5", biases: false, samples: 300_000, seconds: 20),
        Case(widths: "784,100x9,10", sigma2: "2.5", biases: true, samples: 100_000, seconds: 30),
    ]

    /// One gradient step per simulated network (`ntk step`, η = 10⁻³/E[Θ], y = 0): E[fQ]
    /// against the exact recursion in the three phases, and the kink part beside it.
    public static let stepCases: [Case] = [
        Case(widths: "3,2,2", sigma2: "1.5", biases: true, samples: 1_000_000, seconds: 10),
        Case(widths: "3,2,2", sigma2: "2", biases: true, samples: 1_000_000, seconds: 10),
        Case(widths: "3,2,2", sigma2: "2.5", biases: true, samples: 1_000_000, seconds: 10),
        Case(widths: "6,6x2", sigma2: "2", biases: false, samples: 300_000, seconds: 10),
    ]

    /// The longest the suite samples: every case's time budget, scaled (each case stops at its
    /// budget, checked before every layer). The exact references add well under a second each.
    public var maximumSeconds: Double {
        (Self.cases + Self.stepCases).reduce(0) { $0 + $1.seconds } * budgetScale
    }

    /// The line to print before the suite starts, when it may run longer than a few seconds
    /// (`SamplingBudget.noteThresholdSeconds`); nil otherwise.
    public var estimateNote: String? {
        guard maximumSeconds > SamplingBudget.noteThresholdSeconds else { return nil }
        return "the suite runs \(Self.cases.count + Self.stepCases.count) cases for at most \(Int(maximumSeconds.rounded(.up))) s of sampling (their time budgets × \(LegacyJSON.shortestDecimal(budgetScale)))"
    }

    /// The worker threads the suite uses: `threads`, or every core.
    public var threadCount: Int { RequestRange.resolvedThreads(threads) }

    /// Range checks (the command line's parser checks syntax only).
    public func check() throws {
        try RequestRange.threads(threads)
        try RequestRange.positive("--budget-scale", budgetScale, maximum: BigRational(exactly: Self.maximumBudgetScale))
    }
}
