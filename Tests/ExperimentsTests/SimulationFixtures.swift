import Multiprecision
import NTKMoments

extension Architecture {
    /// A small network with trainable biases for the simulation experiments' tests (σ² = 2 and
    /// ‖x‖² = 1 unless given).
    static func simulationFixture(_ widths: [Int], sigma2: BigRational = 2, inputNorm2: BigRational = 1) throws -> Architecture {
        try Architecture(widths: widths, sigma2: sigma2, inputNorm2: inputNorm2, trainableBiases: true)
    }
}
