import MonteCarlo
import Multiprecision
import NTKMoments

extension ReducedNetwork {
    /// The reduced model (derivations/08) of `a` under `model`'s law: the exact law of the real
    /// network, or gradient independence. The sampler works in double precision, so σ² and
    /// ‖x‖² must be doubles well inside its range (the same bound `--double` has).
    /// - Throws: `ExperimentError.invalidRequest` when they are not.
    public init(architecture a: Architecture, model: MomentModel) throws {
        let s = BigFloat(a.sigma2, precision: 53).doubleValue(), x = BigFloat(a.inputNorm2, precision: 53).doubleValue()
        guard s.isNormal, s < 1e30, s > 1e-30, x.isFinite, x < 1e30, x == 0 || x > 1e-30 else {
            throw ExperimentError.invalidRequest("distribution samples in double precision: σ² and ‖x‖² must lie within 1e-30 … 1e30")
        }
        self.init(inputDimension: a.inputDimension, hiddenRuns: a.hiddenRuns.map { .init(width: $0.width, count: $0.count) },
                  sigma2: s, inputNorm2: x, trainableBiases: a.trainableBiases,
                  law: model == .exact ? .exact : .gradientIndependence)
    }
}
