import MonteCarlo
import Multiprecision
import NTKMoments

/// The exact and infinite-width references of one depth of an `offdiag` sweep: the diagonal
/// moments E[Θ(x,x)], E[Θ(x,x)²] as certified enclosures (128-bit MPFR intervals) and, per
/// correlation, the infinite-width Θ*(x,x′) and Θ*(x,x′)/Θ*(x,x).
public struct OffDiagReference: Sendable {
    public let architecture: Architecture
    /// Enclosure midpoints, for the z-tests.
    public let mean: Double, second: Double
    /// Upper ends of the enclosures, rounded up to doubles: rigorous bounds on |E[Θ(x,x′)]|
    /// and E[Θ(x,x′)²] (Cauchy–Schwarz, derivations/10).
    public let meanUpper: Double, secondUpper: Double
    /// Θ*(x, x′) and Θ*(x, x′)/Θ*(x, x) per correlation, when the kernel is representable.
    public let infiniteWidth: [(theta: Double, ratio: Double)?]
    /// E[Θ(x,x)^k], k = 1…4, for the exact standard errors of the diagonal z-tests.
    public let plan: ExactSamplingPlan?

    public init(_ a: Architecture, correlations: [Double]) throws {
        architecture = a
        let s = try MomentSummary(architecture: a, mode: .certified(precision: 128))
        guard let m = s.mean.guaranteedEnclosure, let m2 = s.secondMoment.guaranteedEnclosure else {
            throw ExperimentError.invalidRequest("offdiag: the exact diagonal moments could not be enclosed")
        }
        func mid(_ e: Enclosure) -> Double { MomentValue.enclosure(e).approximation(precision: 64)!.doubleValue() }
        mean = mid(m)
        second = mid(m2)
        // The nearest double may lie below the upper end: one step up covers it.
        meanUpper = BigFloat(m.upper, precision: 53).doubleValue().nextUp
        secondUpper = BigFloat(m2.upper, precision: 53).doubleValue().nextUp
        plan = ExactSamplingPlan(architecture: a, mean: mean, secondMoment: second)
        // Θ*(x, x′) from the arc-cosine recursion (InfiniteWidthKernel, derivations/09) in double
        // precision; nil where it cannot be represented (σ² or the kernel outside the double range).
        let q = BigFloat(a.inputNorm2, precision: 53).doubleValue()
        let kernel = try? InfiniteWidthKernel(architecture: a)
        infiniteWidth = correlations.map { rho in
            guard let v = try? kernel?.evaluate(correlation: rho, inputNorm2: q), v.ntk.isFinite, v.ntkDiagonal1.isNormal else { return nil }
            return (v.ntk, v.ntk / v.ntkDiagonal1)
        }
    }

    /// The infinite-width curve Θ*(x,x′)/Θ*(x,x) of `network` cut to `depth` (as a sweep over
    /// depths simulates it), in Double, on `count` correlations from `lower` to `upper`, spaced
    /// quadratically towards `upper`: near ρ = 1 the curve has a square-root cusp, which points
    /// only at the simulated correlations would draw as a straight segment. Nil where the
    /// kernel is not representable in Double.
    public static func infiniteWidthCurve(_ network: Architecture, depth: Int, from lower: Double, to upper: Double,
                                          count: Int = 161) -> [(correlation: Double, ratio: Double)]? {
        guard count >= 2, lower <= upper, let a = try? OffDiagRequest.network(network, depth: depth),
              let kernel = try? InfiniteWidthKernel(architecture: a) else { return nil }
        let q = BigFloat(a.inputNorm2, precision: 53).doubleValue()
        var curve: [(correlation: Double, ratio: Double)] = []
        for i in 0..<count {
            let u = 1 - Double(i) / Double(count - 1)
            let rho = i == count - 1 ? upper : upper - (upper - lower) * u * u
            guard let v = try? kernel.evaluate(correlation: rho, inputNorm2: q), v.ntk.isFinite, v.ntkDiagonal1.isNormal else { return nil }
            curve.append((rho, v.ntk / v.ntkDiagonal1))
        }
        return curve
    }

    /// The z-test of `moments` — Θ(x,x), or Θ(x,x′) at ρ = 1, where it equals Θ(x,x) — against
    /// the exact diagonal moments, with the exact standard errors where they exist.
    public func test(_ moments: ThetaMoments, zMax: Double) -> MomentZTest {
        MomentZTest(moments: moments, referenceMean: mean, referenceSecondMoment: second, zMax: zMax,
                    exactStandardErrors: plan.map { .init(plan: $0, samples: moments.count) })
    }
}
