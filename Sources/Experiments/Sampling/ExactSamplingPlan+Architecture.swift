import MonteCarlo
import Multiprecision
import NTKMoments

extension ExactSamplingPlan {
    /// The exact E[Θ], E[Θ²], E[Θ³], E[Θ⁴] of `a` — the first two given, the others from the
    /// p = 3, 4 multiset recursion (derivations/08) at 64-bit MPFR — for the exact standard
    /// errors of Monte Carlo z-tests (derivations/06); nil where a moment does not fit a Double.
    public init?(architecture a: Architecture, mean: Double, secondMoment: Double) {
        let arithmetic = MPFRArithmetic(precision: 64, sigma2: a.sigma2, inputNorm2: a.inputNorm2)
        let higher = [3, 4].map { p -> Double in
            TupleMomentRecursion(arithmetic: arithmetic, order: p).moment(of: a).mantissa.doubleValue()
        }
        let values = [mean, secondMoment] + higher
        guard values.allSatisfy(\.isFinite) else { return nil }
        self.init(moments: values)
    }
}
