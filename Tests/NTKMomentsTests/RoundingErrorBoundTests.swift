import Testing
import Multiprecision
@testable import NTKMoments

/// The a-priori rounding-error bound of the rounded arithmetics (derivations/03): the
/// enclosure it builds around a Double or MPFR result must contain a 600-bit certified
/// enclosure of the true value, for every printed quantity, on shallow and very deep,
/// constant and alternating, biased and weights-only networks in both models.
@Suite("A-priori rounding-error bound")
struct RoundingErrorBoundTests {
    static let architectures: [(String, Architecture)] = [
        ("3,2,2 σ²=2", try! Architecture(widths: [3, 2, 2], sigma2: 2)),
        ("M=1000 L=10^6 σ²=3", try! Architecture(width: 1000, depth: 1_000_000, sigma2: 3)),
        ("M=100 L=10^5 σ²=2 no bias", try! Architecture(width: 100, depth: 100_000, sigma2: 2, trainableBiases: false)),
        ("M=8 L=5000 σ²=1/4", try! Architecture(width: 8, depth: 5000, sigma2: BigRational(1, 4), inputNorm2: 3)),
        ("(100,101)x300 σ²=5/2", try! Architecture(inputDimension: 50, hiddenRuns: (0..<300).flatMap { _ in
            [WidthRun(width: 100, count: 1), WidthRun(width: 101, count: 1)] }, sigma2: BigRational(5, 2))),
        ("width 2^50 L=3", try! Architecture(width: 1 << 50, depth: 3, sigma2: 2)),
        ("widths 2,1,3,1 σ²=7/3", try! Architecture(widths: [2, 1, 3, 1], sigma2: BigRational(7, 3), inputNorm2: BigRational(1, 2))),
    ]

    static let modes: [ArithmeticMode] = [.double, .mpfr(precision: 24), .mpfr(precision: 53), .mpfr(precision: 100)]

    func values(_ s: MomentSummary) -> [MomentValue] {
        [s.mean, s.secondMoment, s.variance, s.dispersion, s.probabilityDead]
    }

    @Test("check: rounding-error-bound — every rounded result's enclosure contains the certified true value",
          arguments: [MomentModel.exact, .gradientIndependence])
    func boundHolds(model: MomentModel) throws {
        for (name, a) in Self.architectures {
            let truth = try MomentSummary(architecture: a, model: model, mode: .certified(precision: 600))
            for mode in Self.modes {
                let rounded = try MomentSummary(architecture: a, model: model, mode: mode)
                for (r, t) in zip(values(rounded), values(truth)) {
                    guard let exact = t.guaranteedEnclosure else { continue }
                    guard let e = r.guaranteedEnclosure else { continue }  // nothing printed, nothing claimed
                    #expect(e.lower <= exact.lower && exact.upper <= e.upper,
                            "\(name) \(mode): [\(e.lower.formatted(significantDigits: 20)), \(e.upper.formatted(significantDigits: 20))] misses \(exact.lower.formatted(significantDigits: 20))")
                    // The rounded value itself lies inside its enclosure.
                    if case .rounded(let v, _) = r { #expect(e.lower <= v && v <= e.upper, "\(name) \(mode)") }
                }
            }
        }
    }

    @Test("the bound is not vacuous: 8 digits of E[Θ²] in Double at M = 1000, L = 10⁶; 60 at 256 bits")
    func boundIsUseful() throws {
        let a = try Architecture(width: 1000, depth: 1_000_000, sigma2: 3)
        let double = RoundingErrorBound(architecture: a, significandBits: 53, libmDeadProbability: true)
        #expect(try #require(double.relative) < BigFloat(q: "1e-8"))
        let mpfr = RoundingErrorBound(architecture: a, significandBits: 256, libmDeadProbability: false)
        #expect(try #require(mpfr.relative) < BigFloat(q: "1e-60"))
        // Depth 2^50 exhausts Double: no digit can be promised, and none is.
        let deep = try Architecture(width: 10, depth: 1 << 49, sigma2: 2)
        #expect(RoundingErrorBound(architecture: deep, significandBits: 53, libmDeadProbability: true).relative == nil)
        // The precision chosen for 20 digits guarantees them.
        let p = RoundingErrorBound.precision(guaranteeing: 20, architecture: a, minimum: 64)
        #expect(try #require(RoundingErrorBound(architecture: a, significandBits: p, libmDeadProbability: false).relative) < BigFloat(q: "1e-21"))
    }

    @Test("Double refuses σ² and ‖x‖² outside 1e-30…1e30 in the library, not only in the CLI")
    func doubleRange() {
        #expect(throws: DoubleArithmetic.RangeError.self) { try DoubleArithmetic(sigma2: BigRational(1) / BigRational(10).power(100), inputNorm2: 1) }
        #expect(throws: DoubleArithmetic.RangeError.self) { try DoubleArithmetic(sigma2: 2, inputNorm2: BigRational(10).power(31)) }
        #expect(throws: DoubleArithmetic.RangeError.self) {
            try MomentSummary(architecture: try Architecture(widths: [3, 3, 3, 3], sigma2: BigRational(1) / BigRational(10).power(100),
                                                             trainableBiases: false), mode: .double)
        }
        #expect((try? DoubleArithmetic(sigma2: 2, inputNorm2: 0)) != nil)
    }
}

private extension BigFloat {
    init(q text: String) { self.init(try! BigRational(parsing: text), precision: 64) }
}
