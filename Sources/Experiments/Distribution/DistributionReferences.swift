import MonteCarlo
import Multiprecision
import NTKMoments

/// The exact values a distribution run is normalized by and compared with: E[Θ] and the
/// normalized moments E[Θ^k]/E[Θ]^k, k = 1 … 4 (derivations/08), from the multiset recursion
/// at 128-bit MPFR.
public struct DistributionReferences: Sendable, Equatable {
    /// E[Θ] at 128 bits.
    public let mean: BigFloat
    /// E[Θ^k]/E[Θ]^k for k = 1 … 4 (the first is 1), as doubles (NaN outside double range).
    public let normalizedMoments: [Double]

    public init(architecture a: Architecture, model: MomentModel) throws {
        let h = try HigherMomentSummary(architecture: a, model: model, mode: .mpfr(precision: 128), maxOrder: 4)
        mean = h.moments[0].approximation(precision: 128)!
        normalizedMoments = h.normalized.map { $0.approximation(precision: 64)?.doubleValue() ?? .nan }
    }

    /// E[Θ]/Q^{L−1}, what the sampler's scaled values (`ReducedNetwork.logScale`) are divided
    /// by to give x = Θ/E[Θ].
    /// - Throws: `ExperimentError.invalidRequest` when that is not a normal double.
    public func scaledMean(for network: ReducedNetwork) throws -> Double {
        let scaled = (mean / BigFloat(network.logScale, precision: 128).exp()).doubleValue()
        guard scaled.isNormal else {
            throw ExperimentError.invalidRequest("E[Θ] is outside the range the sampler can normalise by (depth or σ² too extreme)")
        }
        return scaled
    }
}
