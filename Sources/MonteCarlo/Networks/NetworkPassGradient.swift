import Foundation

extension NetworkPass {
    /// `Σ_a c_a ∇_θ f(x_a)` in the parameter layout of `network` (the network of the last
    /// `compute`), written into `g` (resized to `parameterCount`): the same quantity as
    /// `gradient(_:weights:)`, computed for speed as `G^l = E Xᵀ` with `E_ia = c_a δ^l_ia`,
    /// one activation row of a transposed copy of `x^{l-1}` at a time, so that the inner loop
    /// runs over contiguous weights and vectorises (a full-batch training step spends most of
    /// its time here). Sums over the batch are taken in increasing `a`.
    public func weightedGradient(_ network: ExplicitNetwork, weights c: [Double], into g: inout [Double]) {
        precondition(network.layerWidths == layerWidths && c.count == batchSize, "one coefficient per input of the last pass")
        let widths = layerWidths, depth = widths.count - 1, B = unitStride, n = batchSize
        if g.count != network.parameterCount { g = [Double](repeating: 0, count: network.parameterCount) }
        var transposed = [Double](repeating: 0, count: n * (widths.dropLast().max() ?? 1))
        g.withUnsafeMutableBufferPointer { gp in
            transposed.withUnsafeMutableBufferPointer { xt in
                for layer in 1...depth {
                    let fanIn = widths[layer - 1], x = activations(layer: layer - 1), delta = backwardVectors(layer: layer)
                    for j in 0..<fanIn {
                        for a in 0..<n { xt[a * fanIn + j] = x[j * B + a] }
                    }
                    let weightsBase = gp.baseAddress! + network.weightOffset(layer)
                    let bias = network.biasOffset(layer).map { gp.baseAddress! + $0 }
                    for i in 0..<widths[layer] {
                        let row = weightsBase + i * fanIn
                        row.update(repeating: 0, count: fanIn)
                        var sum = 0.0
                        for a in 0..<n {
                            let coefficient = c[a] * delta[i * B + a]
                            sum += coefficient
                            guard coefficient != 0 else { continue }
                            let source = xt.baseAddress! + a * fanIn
                            for j in 0..<fanIn { row[j] += coefficient * source[j] }
                        }
                        bias?[i] = sum
                    }
                }
            }
        }
    }
}
