import Multiprecision

/// The networks whose exact curves a chart draws: for every σ² and hidden width M of the chart,
/// the constant-width network with n₀ = round(r·M), ‖x‖² = X and biases on or off.
///
/// A simulated point (a Monte Carlo estimate) belongs on a curve only if it simulated that very
/// network; otherwise it would be read as a confirmation or a refutation of a curve it says
/// nothing about. `curve(for:)` names the curve a simulated network belongs to, or says why
/// none.
public struct ChartedNetworks: Sendable {
    public let sigma2Values: [BigRational]
    public let widths: [Int]
    public let inputRatio: BigRational
    public let inputNorm2: BigRational
    public let trainableBiases: Bool
    /// The depths on a depth axis, or nil.
    public let depths: ClosedRange<Int>?
    /// The largest λ = L/M on a λ axis, or nil.
    public let lambdaMax: BigRational?

    public init(sigma2Values: [BigRational], widths: [Int], inputRatio: BigRational, inputNorm2: BigRational, trainableBiases: Bool,
                depths: ClosedRange<Int>? = nil, lambdaMax: BigRational? = nil) {
        self.sigma2Values = sigma2Values
        self.widths = widths
        self.inputRatio = inputRatio
        self.inputNorm2 = inputNorm2
        self.trainableBiases = trainableBiases
        self.depths = depths
        self.lambdaMax = lambdaMax
    }

    /// What a simulated run says about the network it simulated.
    public struct SimulatedNetwork: Sendable {
        public let widths: String          // the width list, as `WidthList` reads it
        public let sigma2: BigRational
        public let inputNorm2: BigRational
        public let trainableBiases: Bool

        public init(widths: String, sigma2: BigRational, inputNorm2: BigRational, trainableBiases: Bool) {
            self.widths = widths
            self.sigma2 = sigma2
            self.inputNorm2 = inputNorm2
            self.trainableBiases = trainableBiases
        }
    }

    /// The curve of one charted network.
    public struct Curve: Sendable, Equatable {
        public let sigma2: BigRational
        public let width: Int
        public let depth: Int
    }

    /// Why a simulated network has no curve in the chart.
    public struct Mismatch: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// The curve whose network `network` simulated; throws a `Mismatch` naming the first
    /// property that differs (σ², biases, ‖x‖², a hidden width that is not constant or not
    /// charted, the input dimension, a depth or λ off the chart's axis).
    public func curve(for network: SimulatedNetwork) throws -> Curve {
        guard let s = sigma2Values.first(where: { $0 == network.sigma2 }) else {
            throw Mismatch(description: "it simulated σ² = \(network.sigma2.displayText), and the chart draws σ² = \(sigma2Values.map(\.displayText).joined(separator: ", "))")
        }
        guard network.trainableBiases == trainableBiases else {
            throw Mismatch(description: network.trainableBiases
                ? "it simulated a network with trainable biases, and the chart is weights-only (--no-bias)"
                : "it simulated a weights-only network (no biases), and the chart has trainable biases")
        }
        guard network.inputNorm2 == inputNorm2 else {
            throw Mismatch(description: "it simulated ‖x‖² = \(network.inputNorm2.displayText), and the chart has ‖x‖² = \(inputNorm2.displayText)")
        }
        guard let parsed = try? WidthList.parse(network.widths) else {
            throw Mismatch(description: "its width list '\(network.widths)' is not readable")
        }
        guard let width = parsed.hiddenRuns.first?.width, parsed.hiddenRuns.allSatisfy({ $0.width == width }) else {
            throw Mismatch(description: "its hidden widths are not constant, and the chart draws constant-width networks")
        }
        guard widths.contains(width) else {
            throw Mismatch(description: "it simulated hidden width M = \(width), and the chart draws M = \(widths.map(String.init).joined(separator: ", "))")
        }
        let expectedInput = max(1, ConvergenceStudy.roundHalfUp(inputRatio * BigRational(width)))
        guard parsed.inputDimension == expectedInput else {
            throw Mismatch(description: "it simulated input dimension n0 = \(parsed.inputDimension), and the chart's network at M = \(width) has n0 = \(expectedInput)")
        }
        let depth = parsed.hiddenRuns.reduce(1) { $0 + $1.count }
        if let depths, !depths.contains(depth) {
            throw Mismatch(description: "its depth L = \(depth) lies outside the chart's depths \(depths.lowerBound)…\(depths.upperBound)")
        }
        if let lambdaMax, BigRational(depth, width) > lambdaMax {
            throw Mismatch(description: "its λ = L/M = \(BigRational(depth, width).displayText) lies beyond the chart's largest λ, \(lambdaMax.displayText)")
        }
        return Curve(sigma2: s, width: width, depth: depth)
    }
}
