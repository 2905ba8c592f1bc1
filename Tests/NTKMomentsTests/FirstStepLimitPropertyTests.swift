import Testing
import Multiprecision
@testable import NTKMoments

/// The closed forms of `FirstStepLimits` tied to the finite recursion over the whole parameter
/// space, as `LimitPropertyTests` does for the dispersion: E[fQ]/E[Θ]² at M = 10⁴, 10⁵, 10⁶
/// (L = λM, n₀ = rM, 128-bit MPFR, O(log L) each) extrapolated to M = ∞ in 1/M
/// (second-order Richardson) must agree with the limit.
@Suite("First-step limits against the extrapolated finite recursion")
struct FirstStepLimitPropertyTests {
    typealias Case = LimitPropertyTests.Case

    static func cases(sigma2 values: [String]) -> [Case] { LimitPropertyTests.grid(sigma2: values, inputNorms: ["1/2", "3"]) }

    static let widths = LimitPropertyTests.widths

    static func finite(_ c: Case, width M: Int) throws -> BigFloat {
        let L = ConvergenceStudy.depth(lambda: c.lambda, width: M)
        let n0 = ConvergenceStudy.roundHalfUp(c.inputRatio * BigRational(M))
        let a = try Architecture(width: M, depth: L, inputDimension: n0, sigma2: c.sigma2,
                                 inputNorm2: c.inputNorm2, trainableBiases: c.biases)
        let s = try FirstStepSummary(architecture: a, mode: .mpfr(precision: 128))
        return s.overMeanSquared.approximation(precision: 128)!
    }

    static func extrapolated(_ c: Case) throws -> BigFloat {
        try WidthExtrapolation.limit(widths: widths, values: widths.map { try finite(c, width: $0) }, precision: 128)
    }

    @Test("check: first-step-limit-tied-to-recursion — edge of chaos and chaotic (biases on and off), and every phase without biases: the extrapolated recursion equals the closed form",
          arguments: cases(sigma2: ["2", "5/2", "4"]) + cases(sigma2: ["1/2", "3/2"]).filter { !$0.biases })
    func limit(_ c: Case) throws {
        let extrapolated = try Self.extrapolated(c)
        let alpha0 = DispersionLimits.alpha0(inputRatio: c.inputRatio, inputNorm2: c.inputNorm2, trainableBiases: c.biases)
        let limits = try FirstStepLimits(sigma2: c.sigma2, lambda: c.lambda, trainableBiases: c.biases, alpha0: alpha0, precision: 128)
        let difference = LimitPropertyTests.relativeDifference(extrapolated, limits.limit)
        #expect(difference < 1e-5, "extrapolated \(extrapolated.formatted(significantDigits: 12)) vs limit \(limits.limit.formatted(significantDigits: 12))")
    }

    @Test("check: first-step-ordered-decay — ordered phase with biases: E[fQ]/E[Θ]² divided by 16‖x‖²(σ²/2)^L/((2 − σ²)n₀) extrapolates to 1 (the input width n₀, derived in derivations/11)",
          arguments: cases(sigma2: ["1/2", "3/2"]).filter { $0.biases })
    func orderedDecay(_ c: Case) throws {
        let ratios = try Self.widths.map { M -> BigFloat in
            let L = ConvergenceStudy.depth(lambda: c.lambda, width: M)
            let n0 = ConvergenceStudy.roundHalfUp(c.inputRatio * BigRational(M))
            let approximation = try FirstStepLimits.orderedApproximation(sigma2: c.sigma2, inputNorm2: c.inputNorm2, depth: L, inputDimension: n0, precision: 128)
            return try Self.finite(c, width: M) / approximation
        }
        let extrapolated = try WidthExtrapolation.limit(widths: Self.widths, values: ratios, precision: 128)
        let difference = LimitPropertyTests.relativeDifference(extrapolated, BigFloat(1, precision: 128))
        #expect(difference < 1e-5, "ratio extrapolates to \(extrapolated.formatted(significantDigits: 12))")
        let limits = try FirstStepLimits(sigma2: c.sigma2, lambda: c.lambda, trainableBiases: true, alpha0: 1, precision: 64)
        #expect(limits.limit.isZero && limits.decaysExponentially)
    }
}
