import ArgumentParser
import Foundation
import Multiprecision
import NTKMoments
import Experiments

/// σ² and ‖x‖².
struct ScaleOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Weight variance σ² (exact rational: 2, 5/2, 2.5, 1e-1).")
    var sigma2: RationalArgument

    @Option(name: .customLong("input-norm2"), parsing: .unconditional, help: "Squared input norm ‖x‖².")
    var inputNorm2 = RationalArgument(1)

    func validate() throws {
        try sigma2.checkPositive("--sigma2", maximumMagnitudeDigits: 200)
        try inputNorm2.checkNonNegative("--input-norm2", maximumMagnitudeDigits: 400)
    }

    func values() throws -> (BigRational, BigRational) { (sigma2.value, inputNorm2.value) }
}
