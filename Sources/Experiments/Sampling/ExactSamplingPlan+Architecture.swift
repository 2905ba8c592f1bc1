import Foundation
import MonteCarlo
import Multiprecision
import NTKMoments

extension ExactSamplingPlan {
    /// The exact E[Θ], E[Θ²], E[Θ³], E[Θ⁴] of `a` — the first two given, the others from the
    /// p = 3, 4 multiset recursion (derivations/08) at 64-bit MPFR — for the exact standard
    /// errors of Monte Carlo z-tests, and E[Θ⁶] (p = 6) for the skewness of Θ² that decides
    /// whether their normal approximation holds (derivations/06); nil where one of the first
    /// four does not fit a Double (E[Θ⁶] alone is then left out).
    public init?(architecture a: Architecture, mean: Double, secondMoment: Double) {
        let arithmetic = MPFRArithmetic(precision: 64, sigma2: a.sigma2, inputNorm2: a.inputNorm2)
        let higher = [3, 4, 6].map { p -> Double in
            let m = TupleMomentRecursion(arithmetic: arithmetic, order: p).moment(of: a)
            return Foundation.scalbn(m.mantissa.doubleValue(), m.binaryScale)
        }
        let values = [mean, secondMoment] + higher.prefix(2)
        guard values.allSatisfy(\.isFinite) else { return nil }
        self.init(moments: values, sixthMoment: higher[2].isFinite ? higher[2] : nil)
    }
}
