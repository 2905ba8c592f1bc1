import Testing
import Multiprecision
@testable import NTKMoments

/// Every limit the tool prints is tied to the finite recursion it is the limit of, over the
/// whole parameter space: each phase, biases on and off, several ‖x‖², input ratios and λ.
/// The finite dispersions at M = 10⁴, 10⁵, 10⁶ (L = λM, n₀ = rM) are extrapolated to M = ∞ in
/// 1/M (second-order Richardson, independent of the closed forms) and must agree with the
/// limit `ConvergenceStudy` prints in `limit_exact` — and, for the GI recursion, with the
/// `gi` limit of `DispersionLimits` — to 1e-5 relative.
@Suite("Limits against the extrapolated finite recursion (every phase, biases on and off)")
struct LimitPropertyTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let sigma2: BigRational
        let lambda: BigRational
        let inputNorm2: BigRational
        let inputRatio: BigRational
        let biases: Bool
        var testDescription: String {
            "σ²=\(sigma2) λ=\(lambda) ‖x‖²=\(inputNorm2) r=\(inputRatio) \(biases ? "biases" : "no biases")"
        }
    }

    /// The parameter grid σ² × biases on/off × ‖x‖² × n₀/M ∈ {1, 1/4} × λ ∈ {3/10, 1}, shared with
    /// `FirstStepLimitPropertyTests`.
    static func grid(sigma2 values: [String], inputNorms: [String]) -> [Case] {
        var all: [Case] = []
        for s in values {
            for biases in [true, false] {
                for x in inputNorms {
                    for r in ["1", "1/4"] {
                        for l in ["3/10", "1"] {
                            all.append(Case(sigma2: try! BigRational(parsing: s), lambda: try! BigRational(parsing: l),
                                            inputNorm2: try! BigRational(parsing: x), inputRatio: try! BigRational(parsing: r),
                                            biases: biases))
                        }
                    }
                }
            }
        }
        return all
    }

    static let cases = grid(sigma2: ["1/2", "3/2", "2", "5/2", "4"], inputNorms: ["1/2", "1", "3"])

    static let widths = [10_000, 100_000, 1_000_000]

    func extrapolated(_ c: Case, model: MomentModel) throws -> (BigFloat, ConvergenceStudy.Row) {
        let study = ConvergenceStudy(sigma2Values: [c.sigma2], lambdaValues: [c.lambda], widths: Self.widths,
                                     inputRatio: c.inputRatio, inputNorm2: c.inputNorm2, trainableBiases: c.biases,
                                     model: model, precision: 128)
        let rows = try study.rows(for: study.groups[0])
        #expect(rows.allSatisfy { $0.lambdaIsRequested })
        let limit = try WidthExtrapolation.limit(widths: rows.map(\.width), values: rows.map(\.dispersion), precision: 128)
        return (limit, rows[0])
    }

    static func relativeDifference(_ a: BigFloat, _ b: BigFloat) -> Double {
        ((a - b) / b).magnitude().doubleValue()
    }

    @Test("check: limits-tied-to-recursion — the exact recursion extrapolates to limit_exact", arguments: cases)
    func exactLimit(_ c: Case) throws {
        let (extrapolated, row) = try extrapolated(c, model: .exact)
        let difference = Self.relativeDifference(extrapolated, row.limitExact)
        #expect(difference < 1e-5, "extrapolated \(extrapolated.formatted(significantDigits: 12)) vs limit_exact \(row.limitExact.formatted(significantDigits: 12))")
    }

    @Test("check: gi-limits-tied-to-recursion — the GI recursion extrapolates to the gi limit", arguments: cases)
    func gradientIndependenceLimit(_ c: Case) throws {
        let (extrapolated, _) = try extrapolated(c, model: .gradientIndependence)
        let alpha0 = DispersionLimits.alpha0(inputRatio: c.inputRatio, inputNorm2: c.inputNorm2, trainableBiases: c.biases)
        let limits = try DispersionLimits(sigma2: c.sigma2, lambda: c.lambda, trainableBiases: c.biases, alpha0: alpha0, precision: 128)
        let difference = Self.relativeDifference(extrapolated, limits.gradientIndependence)
        #expect(difference < 1e-5, "extrapolated \(extrapolated.formatted(significantDigits: 12)) vs gi \(limits.gradientIndependence.formatted(significantDigits: 12))")
    }

    @Test("Richardson extrapolation is exact on a polynomial in 1/M and refuses repeated widths")
    func extrapolationItself() throws {
        // R(M) = 3 − 5/M + 7/M²: three points recover 3.
        let widths = [10, 30, 70]
        let values = widths.map { m -> BigFloat in
            let r = BigRational(3) - BigRational(5, m) + BigRational(7, m * m)
            return BigFloat(r, precision: 200)
        }
        let limit = try WidthExtrapolation.limit(widths: widths, values: values, precision: 200)
        #expect(Self.relativeDifference(limit, BigFloat(3, precision: 200)) < 1e-55)
        #expect(throws: WidthExtrapolation.InvalidSamples.self) {
            try WidthExtrapolation.limit(widths: [10, 10], values: values.prefix(2).map { $0 }, precision: 64)
        }
    }
}
