import ArgumentParser
import Multiprecision

/// How a study's networks are fed: n₀ = r·M, ‖x‖², biases. Shared by `table` and `chart`.
struct StudyInputOptions: ParsableArguments {
    @Option(name: .customLong("input-ratio"), parsing: .unconditional, help: "r = n0/M.")
    var inputRatio = RationalArgument(1)

    @Option(name: .customLong("input-norm2"), parsing: .unconditional, help: "‖x‖².")
    var inputNorm2 = RationalArgument(1)

    @Flag(name: .customLong("no-bias"), help: "Weights-only NTK.")
    var noBias = false

    /// Syntax only (the size of the numbers); the ranges are the requests'.
    func validate() throws {
        try inputRatio.checkPositive("--input-ratio", maximumMagnitudeDigits: 30)
        try inputNorm2.checkPositive("--input-norm2", maximumMagnitudeDigits: 60)
    }

    /// (r, ‖x‖²), both positive.
    func values() throws -> (BigRational, BigRational) { (inputRatio.value, inputNorm2.value) }
}
