import NTKMoments

/// The weights and biases of the explicit network of `a` (what `ExplicitNetwork` stores at
/// most), in floating point: exact enough to refuse a network, and never overflowing.
public func explicitParameterCount(_ a: Architecture) -> Double {
    var total = 0.0, previous = Double(a.inputDimension)
    for run in a.hiddenRuns {
        let w = Double(run.width)
        total += (w * previous + w) + Double(run.count - 1) * (w * w + w)
        previous = w
    }
    return total + previous + 1
}
