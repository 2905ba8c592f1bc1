/// The network whose NTK diagonal `Θ(x, x)` the Monte Carlo simulator samples
/// (derivations/01-model.md): a fully connected ReLU network with input dimension `n0`, hidden widths
/// `n1 … n_{L-1}`, one output, weights `W^l_ij ~ N(0, σ²/n_{l-1})`, biases initialised to 0,
/// and `ReLU'(0) = 0`.
///
/// The input is the fixed vector `x = (√inputNorm2, 0, …, 0)`: all its mass on coordinate 0.
/// The law of `Θ(x, x)` depends on `x` only through `‖x‖²` because the Gaussian first layer
/// is rotation invariant (`W^1 Q` has the law of `W^1` for every orthogonal `Q`), so this
/// choice loses no generality.
public struct SimulatedArchitecture: Sendable, Hashable, Codable {
    /// `n0`, the input dimension (≥ 1).
    public var inputDimension: Int
    /// `n1 … n_{L-1}` (each ≥ 1); empty means depth `L = 1`, a single linear layer.
    public var hiddenWidths: [Int]
    /// `σ²`, the weight variance times fan-in (≥ 0).
    public var sigma2: Double
    /// `‖x‖²`, the squared norm of the input (≥ 0).
    public var inputNorm2: Double
    /// Whether the biases are trainable, i.e. whether their gradients enter the NTK
    /// (`β = 1`) or not (`β = 0`, the weights-only NTK). Biases are initialised to 0 either way.
    public var trainableBiases: Bool

    /// Preconditions: `inputDimension ≥ 1`, every hidden width ≥ 1, `sigma2` and
    /// `inputNorm2` finite and ≥ 0. Callers handling user input must validate first.
    public init(
        inputDimension: Int,
        hiddenWidths: [Int],
        sigma2: Double,
        inputNorm2: Double,
        trainableBiases: Bool = true
    ) {
        precondition(inputDimension >= 1, "input dimension must be at least 1")
        precondition(hiddenWidths.allSatisfy { $0 >= 1 }, "hidden widths must be at least 1")
        precondition(sigma2.isFinite && sigma2 >= 0, "σ² must be finite and non-negative")
        precondition(inputNorm2.isFinite && inputNorm2 >= 0, "‖x‖² must be finite and non-negative")
        self.inputDimension = inputDimension
        self.hiddenWidths = hiddenWidths
        self.sigma2 = sigma2
        self.inputNorm2 = inputNorm2
        self.trainableBiases = trainableBiases
    }

    /// `L`, the number of weight layers.
    public var depth: Int { hiddenWidths.count + 1 }

    /// `β`: 1 with trainable biases, 0 without.
    public var beta: Double { trainableBiases ? 1 : 0 }

    /// `[n0, n1, …, n_{L-1}, 1]`: the width of every layer, input and output included.
    public var layerWidths: [Int] { [inputDimension] + hiddenWidths + [1] }

    /// Number of weights in one network, `Σ_{l=1..L} n_l n_{l-1}`: the Gaussians drawn per sample.
    public var weightsPerNetwork: Int {
        let widths = layerWidths
        return (1..<widths.count).reduce(0) { $0 + widths[$1] * widths[$1 - 1] }
    }

    /// The number of consecutive sample indices that `simulate` processes, sums and merges as
    /// one unit. It depends only on the architecture (never on the thread count), which is what
    /// makes the moments bit-identical across thread counts. Chosen as the largest power of two
    /// ≤ 1024 with at most 2²⁵ weights per block, so that a block takes at most a fraction of a
    /// second and a time budget is honoured closely even for very wide, deep networks.
    public var samplesPerBlock: Int {
        let weightBudgetPerBlock = 1 << 25
        var size = 1024
        while size > 1 && size * weightsPerNetwork > weightBudgetPerBlock {
            size /= 2
        }
        return size
    }
}
