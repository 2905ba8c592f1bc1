import MonteCarlo
import Multiprecision
import NTKMoments

extension SimulatedArchitecture {
    /// The network `a` describes, with σ² and ‖x‖² correctly rounded to doubles.
    public init(_ a: Architecture) {
        self.init(inputDimension: a.inputDimension, hiddenWidths: Array(a.expandedWidths.dropFirst()),
                  sigma2: BigFloat(a.sigma2, precision: 53).doubleValue(),
                  inputNorm2: BigFloat(a.inputNorm2, precision: 53).doubleValue(), trainableBiases: a.trainableBiases)
    }

    /// The network `a` describes, refused with one line naming `command` when σ² or ‖x‖² lie
    /// outside the double range every simulation (validate, offdiag, step) computes in.
    /// - Throws: `ExperimentError.invalidRequest`.
    public static func checked(_ a: Architecture, command: String) throws -> SimulatedArchitecture {
        let simulated = SimulatedArchitecture(a)
        guard simulated.sigma2.isNormal, simulated.inputNorm2.isFinite, simulated.sigma2 < 1e30, simulated.inputNorm2 < 1e30 else {
            throw ExperimentError.invalidRequest("\(command) simulates in double precision: σ² and ‖x‖² must lie within 1e-300 … 1e30")
        }
        return simulated
    }
}
