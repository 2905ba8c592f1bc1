import NTKMoments

/// The exact references of a gradient-step run: E[Θ] and E[fQ] (derivations/10), at 128-bit
/// MPFR rounded to doubles (NaN where a value does not exist).
public struct StepReference: Sendable, Equatable {
    public let meanTheta: Double
    public let fQ: Double

    public init(_ a: Architecture) throws {
        let s = try FirstStepSummary(architecture: a, mode: .mpfr(precision: 128))
        meanTheta = s.mean.approximation(precision: 64)?.doubleValue() ?? .nan
        fQ = s.fQ.approximation(precision: 64)?.doubleValue() ?? .nan
    }
}
