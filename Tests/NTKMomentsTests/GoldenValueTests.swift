import Testing
import Multiprecision
@testable import NTKMoments

/// Golden values: exact E[Θ], E[Θ²] of small networks, derived independently of this code (by hand for
/// widths 1,1 in derivations/03-recursion.md, worked-example; the others by an independent exact enumeration of
/// the reduced model of derivations/02-reduction.md, repeated in EnumerationCheckTests).
struct GoldenCase: CustomStringConvertible, Sendable {
    let widths: [Int]
    let sigma2: String
    let inputNorm2: String
    let biases: Bool
    let mean: String
    let second: String
    var description: String { "widths \(widths) σ²=\(sigma2) ‖x‖²=\(inputNorm2) biases=\(biases)" }

    func architecture() throws -> Architecture {
        try Architecture(widths: widths, sigma2: BigRational(parsing: sigma2),
                         inputNorm2: BigRational(parsing: inputNorm2), trainableBiases: biases)
    }
}

let goldenCases: [GoldenCase] = [
    GoldenCase(widths: [3, 2, 2], sigma2: "2", inputNorm2: "1", biases: true, mean: "61/12", second: "8809/72"),
    GoldenCase(widths: [3, 2, 2], sigma2: "2", inputNorm2: "1", biases: false, mean: "7/3", second: "1457/36"),
    GoldenCase(widths: [1, 1], sigma2: "2", inputNorm2: "1", biases: true, mean: "4", second: "45"),
    GoldenCase(widths: [2], sigma2: "3/2", inputNorm2: "1/2", biases: true, mean: "3/2", second: "9/4"),
    GoldenCase(widths: [4, 3, 5], sigma2: "5/2", inputNorm2: "2", biases: true, mean: "417/32", second: "95587/192"),
    GoldenCase(widths: [5, 5, 5, 5], sigma2: "2", inputNorm2: "1", biases: true, mean: "8097/1024", second: "6486829/32000"),
]

@Suite("Golden values (derivations/03-recursion.md) in every arithmetic")
struct GoldenValueTests {
    @Test("exact rationals equal the golden values", arguments: goldenCases)
    func exact(_ c: GoldenCase) throws {
        let a = try c.architecture()
        let m = MomentRecursion(arithmetic: RationalArithmetic(sigma2: a.sigma2, inputNorm2: a.inputNorm2)).moments(of: a)
        #expect(m.mean.mantissa == (try BigRational(parsing: c.mean)))
        #expect(m.secondMoment.mantissa == (try BigRational(parsing: c.second)))
    }

    @Test("256-bit MPFR matches to 75 digits", arguments: goldenCases)
    func mpfr(_ c: GoldenCase) throws {
        let a = try c.architecture()
        let m = MomentRecursion(arithmetic: MPFRArithmetic(precision: 256, sigma2: a.sigma2, inputNorm2: a.inputNorm2)).moments(of: a)
        for (value, golden) in [(m.mean.mantissa, c.mean), (m.secondMoment.mantissa, c.second)] {
            let exact = BigFloat(try BigRational(parsing: golden), precision: 512)
            let relative = ((BigFloat(value, precision: 512) - exact) / exact).magnitude()
            #expect(relative < BigFloat(try BigRational(parsing: "1e-75"), precision: 64))
        }
    }

    @Test("Double matches to 1e-14 relative", arguments: goldenCases)
    func double(_ c: GoldenCase) throws {
        let a = try c.architecture()
        let m = MomentRecursion(arithmetic: try! DoubleArithmetic(sigma2: a.sigma2, inputNorm2: a.inputNorm2)).moments(of: a)
        let mean = m.mean.mantissa.rescaled(byPowerOfTwo: m.mean.binaryScale)
        let second = m.secondMoment.mantissa.rescaled(byPowerOfTwo: m.secondMoment.binaryScale)
        let goldMean = try BigRational(parsing: c.mean).approximateDouble
        let goldSecond = try BigRational(parsing: c.second).approximateDouble
        #expect(abs(mean - goldMean) <= 1e-14 * goldMean)
        #expect(abs(second - goldSecond) <= 1e-14 * goldSecond)
    }

    @Test("certified enclosures contain the golden values and are narrow", arguments: goldenCases)
    func certified(_ c: GoldenCase) throws {
        let a = try c.architecture()
        let m = MomentRecursion(arithmetic: EnclosureArithmetic(precision: 128, sigma2: a.sigma2, inputNorm2: a.inputNorm2)).moments(of: a)
        #expect(m.mean.mantissa.contains(try BigRational(parsing: c.mean)))
        #expect(m.secondMoment.mantissa.contains(try BigRational(parsing: c.second)))
        let relWidth = (m.secondMoment.mantissa.width / m.secondMoment.mantissa.lower).doubleValue()
        #expect(relWidth < 1e-35)
    }

    @Test("symbolic polynomials evaluate to the golden values", arguments: goldenCases)
    func symbolic(_ c: GoldenCase) throws {
        let a = try c.architecture()
        let m = MomentRecursion(arithmetic: SymbolicArithmetic()).moments(of: a)
        #expect(m.mean.mantissa.evaluate(s: a.sigma2, x: a.inputNorm2) == (try BigRational(parsing: c.mean)))
        #expect(m.secondMoment.mantissa.evaluate(s: a.sigma2, x: a.inputNorm2) == (try BigRational(parsing: c.second)))
        let L = a.depth
        #expect(m.mean.mantissa.sDegree == L - 1)
        #expect(m.secondMoment.mantissa.sDegree == 2 * (L - 1))
    }
}
