import MonteCarlo
import Multiprecision
import NTKMoments

/// The model values a Monte Carlo validation compares with: E[Θ], E[Θ²] and the dispersion
/// E[Θ²]/E[Θ]² of the exact recursion and of the gradient-independence (GI) model
/// (derivations/03), each computed at 128-bit MPFR and rounded to a double.
public struct ValidationReference: Sendable, Equatable {
    public let architecture: Architecture
    public let exactMean: Double, exactSecond: Double, exactDispersion: Double
    public let giMean: Double, giSecond: Double, giDispersion: Double

    public init(_ a: Architecture) {
        architecture = a
        func moments(_ model: MomentModel) -> (Double, Double, Double) {
            let s = try! MomentSummary(architecture: a, model: model, mode: .mpfr(precision: 128))  // MPFR never throws
            func double(_ v: MomentValue) -> Double { v.approximation(precision: 64)?.doubleValue() ?? .nan }
            return (double(s.mean), double(s.secondMoment), double(s.dispersion))
        }
        (exactMean, exactSecond, exactDispersion) = moments(.exact)
        (giMean, giSecond, giDispersion) = moments(.gradientIndependence)
    }

    /// The exact E[Θ³], E[Θ⁴] give the exact standard errors and the samples needed to tell the
    /// exact model from GI (nil where they do not fit a Double). Computed on demand: the
    /// p = 3, 4 recursions cost more than the rest of the reference.
    public var plan: ExactSamplingPlan? { ExactSamplingPlan(architecture: architecture, mean: exactMean, secondMoment: exactSecond) }
}
