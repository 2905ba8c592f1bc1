import Multiprecision

extension Double {
    /// The layer-by-layer loop of general width sequences in `Double`: for each step and each
    /// vector, exactly the operations of `MomentScalar.apply` (a product, or a sum of sources
    /// times a coefficient, assigned or added; no fused multiply-add) followed by
    /// `Rescaling.normalize`, on flat buffers — no arrays, reference counts or generic
    /// dispatch per layer, so the results are bit-identical to the generic path.
    public static func applyRescaledSequence(plans: [SparseLinearPlan], coefficientSets: [[Double]], steps: [Int],
                                             vectors: inout [[Double]], scales: inout [Int]) -> Bool {
        precondition(plans.count == vectors.count && vectors.count == scales.count, "one plan and scale per vector")
        for (k, plan) in plans.enumerated() {
            precondition(plan.largestTarget < vectors[k].count && plan.largestSource < vectors[k].count, "sparse plan index out of range")
        }
        precondition(coefficientSets.allSatisfy { set in plans.allSatisfy { $0.largestCoefficient < set.count } }
            && steps.allSatisfy { $0 >= 0 && $0 < coefficientSets.count }, "coefficient set out of range")
        let width = coefficientSets.first?.count ?? 0
        precondition(coefficientSets.allSatisfy { $0.count == width }, "coefficient sets of one length")
        // All coefficient sets in one flat buffer, set j at j·width.
        let flat = coefficientSets.flatMap { $0 }
        for k in plans.indices {
            let plan = plans[k]
            let n = vectors[k].count
            var current = vectors[k], next = Array(repeating: 0.0, count: n)
            var scale = scales[k]
            flat.withUnsafeBufferPointer { c in
                plan.targets.withUnsafeBufferPointer { targets in
                plan.sourceStarts.withUnsafeBufferPointer { starts in
                plan.sources.withUnsafeBufferPointer { sources in
                plan.coefficientIndices.withUnsafeBufferPointer { coefficientIndices in
                plan.assigns.withUnsafeBufferPointer { assigns in
                plan.untouched.withUnsafeBufferPointer { untouched in
                    current.withUnsafeMutableBufferPointer { first in
                    next.withUnsafeMutableBufferPointer { second in
                        var v = first.baseAddress!, o = second.baseAddress!
                        for step in steps {
                            let coefficients = c.baseAddress! + step * width
                            for t in untouched { o[t] = 0 }
                            for g in 0..<targets.count {
                                let start = starts[g], end = starts[g + 1]
                                let coefficient = coefficients[coefficientIndices[g]]
                                var factor = v[sources[start]]
                                if end - start > 1 {
                                    factor = 0 + factor  // as the generic loop: a zeroed scratch, then sums
                                    for s in (start + 1)..<end { factor += v[sources[s]] }
                                }
                                let target = targets[g]
                                if assigns[g] { o[target] = factor * coefficient } else { o[target] += factor * coefficient }
                            }
                            // Rescaling.normalize: the largest binary exponent, divided out past ±256.
                            var largest = Int.min
                            for i in 0..<n { if let e = o[i].rescalingExponent, e > largest { largest = e } }
                            if largest != Int.min && abs(largest) > 256 {
                                for i in 0..<n { o[i] = o[i].rescaled(byPowerOfTwo: -largest) }
                                scale += largest
                            }
                            swap(&v, &o)
                        }
                        if v != first.baseAddress! { first.baseAddress!.update(from: v, count: n) }
                    }
                    }
                }
                }
                }
                }
                }
                }
            }
            vectors[k] = current
            scales[k] = scale
        }
        return true
    }
}
