import Multiprecision
import MonteCarlo
import NTKMoments

/// The exact E[Θ], E[Θ²], E[Θ³], E[Θ⁴] of `a` (the first two given, the others from the p = 3, 4
/// multiset recursion at 64-bit MPFR) as an `ExactSamplingPlan`, for the exact standard errors
/// of Monte Carlo z-tests (derivations/06); nil where a moment does not fit a Double.
func exactSamplingPlan(_ a: Architecture, mean: Double, secondMoment: Double) -> ExactSamplingPlan? {
    let arithmetic = MPFRArithmetic(precision: 64, sigma2: a.sigma2, inputNorm2: a.inputNorm2)
    let higher = [3, 4].map { p -> Double in
        TupleMomentRecursion(arithmetic: arithmetic, order: p).moment(of: a).mantissa.doubleValue()
    }
    let values = [mean, secondMoment] + higher
    return values.allSatisfy(\.isFinite) ? ExactSamplingPlan(moments: values) : nil
}
