import Testing
import Multiprecision
import NTKMoments

/// The library example of README.md, line for line (public API only, no @testable).
@Suite("README library example")
struct LibraryExampleTests {
    @Test("the five-line example compiles, runs and prints sensible numbers")
    func example() throws {
        let net = try Architecture(widths: [784] + Array(repeating: 100, count: 49) + [10], sigma2: BigRational(2))
        let moments = try MomentSummary(architecture: net, mode: .mpfr(precision: 256))
        let dispersion = try #require(moments.dispersion.approximation(precision: 64))
        let limit = try DispersionLimits(sigma2: 2, lambda: 1, alpha0: 1, precision: 128)
        #expect(dispersion > BigFloat(1, precision: 64))
        #expect(limit.exact != limit.published)
        #expect(net.depth == 51)
    }
}
