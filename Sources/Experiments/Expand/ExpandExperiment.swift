import Multiprecision
import NTKMoments

extension ExpandRequest {
    /// Checks the request, fits the expansion and reports it; where the expansion does not
    /// hold, the result has no series and says why (`reason`).
    public func run(_ context: ExperimentContext) throws -> ExpandResult {
        try check()
        try context.checkCancellation()
        let family = self.family
        let expansion: FiniteWidthExpansion
        do {
            expansion = try FiniteWidthExpansion(family: family, order: order, digits: workingDigits, points: windowPoints, firstStep: firstStep)
        } catch let e as FiniteWidthExpansion.ExpansionError {
            throw ExperimentError.invalidRequest("expand: \(e.description)")
        }
        let base = family.widthBase
        // Widths are base·2^k; the report names the k of the first fitted and the last check width.
        func exponent(_ width: Int) -> Int { Int.bitWidth - 1 - (width / (base.exactInt ?? 1)).leadingZeroBitCount }
        var result = ExpandResult(
            sigma2: family.sigma2, lambda: family.lambda, inputRatio: family.inputRatio, inputNorm2: family.inputNorm2,
            alpha0: family.alpha0, biases: family.trainableBiases, model: family.model, phase: Phase(sigma2: family.sigma2),
            order: order, digits: digits, widths: expansion.widths, checkWidths: expansion.checkWidths, precisionBits: expansion.precision,
            widthBase: base, widthExponents: exponent(expansion.widths.first!)...exponent(expansion.checkWidths.last!),
            reason: expansion.validity.reason)
        // No coefficient where the expansion does not hold.
        guard result.reason == nil else { return result }
        let p = expansion.precision
        result.dispersion = ExpandSeries(expansion.dispersion, digits: digits, precision: p)
        result.closedForms = try ExpandClosedForms(expansion, order: order, digits: digits)
        result.meanRatio = ExpandSeries(expansion.meanRatio, digits: digits, precision: p, summary: true)
        result.secondMomentRatio = ExpandSeries(expansion.secondMomentRatio, digits: digits, precision: p, summary: true)
        if let fs = expansion.firstStepRatio {
            result.firstStepRatio = ExpandSeries(fs, digits: digits, precision: p)
            result.firstStepLimit = ExpandFirstStepLimit(family, fittedLimit: fs.coefficients[0], precision: p, digits: digits)
        }
        return result
    }
}
