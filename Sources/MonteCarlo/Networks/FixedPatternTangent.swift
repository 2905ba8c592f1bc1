import Foundation

/// The directional derivative of a network's outputs and NTK matrix along a parameter
/// direction `v`, with every activation pattern `D^l` held fixed (derivations/12-gradient-steps.md):
///
///     ẋ^0 = 0,  ḣ^l = V^l x^{l-1} + v_b^l + W^l ẋ^{l-1},  ẋ^l = D^l ḣ^l,  ḟ = ḣ^L,
///     δ̇^L = 0,  δ̇^{l-1} = D^{l-1} ((V^l)ᵀ δ^l + (W^l)ᵀ δ̇^l),
///     Θ̇(a,b) = Σ_l (⟨ẋ_a^{l-1}, x_b^{l-1}⟩ + ⟨x_a^{l-1}, ẋ_b^{l-1}⟩) ⟨δ_a^l, δ_b^l⟩
///               + (⟨x_a^{l-1}, x_b^{l-1}⟩ + β) (⟨δ̇_a^l, δ_b^l⟩ + ⟨δ_a^l, δ̇_b^l⟩),
///
/// where `V^l`, `v_b^l` are the parts of `v` in the layout of `ExplicitNetwork`. This is the
/// smooth part of the change of Θ: it is what `Θ(θ + t v)` does for `t` small enough that no
/// unit's pre-activation changes sign. With `v = ∇f(x_a)`, `Θ̇(a,a) = Q = ⟨∇Θ, ∇f⟩` and
/// `ḟ_a = Θ(x_a, x_a)`. Cost: two matrix–vector products per layer and input, like one more
/// forward and backward pass.
public struct FixedPatternTangent: Sendable, Hashable {
    /// `ḟ(x_a)` for every input of the pass.
    public var outputs: [Double]
    /// `Θ̇(x_a, x_b)`, `B × B` row-major.
    public var kernel: [Double]
}

extension NetworkPass {
    /// The fixed-pattern tangent along `direction` (length `network.parameterCount`) of the
    /// network of the last `compute` (which must be `network`), for every input of that pass.
    public func fixedPatternTangent(_ network: ExplicitNetwork, direction v: [Double]) -> FixedPatternTangent {
        precondition(network.layerWidths == layerWidths && v.count == network.parameterCount, "direction in the network's layout")
        let widths = layerWidths, depth = widths.count - 1, B = unitStride, n = batchSize
        // Tangents per input, layer by layer: xDot[a][l] (l = 0…L−1), deltaDot[a][l] (l = 1…L).
        var xDot = [[[Double]]](repeating: [], count: n), deltaDot = xDot
        var outputs = [Double](repeating: 0, count: n)
        network.parameters.withUnsafeBufferPointer { p in
            v.withUnsafeBufferPointer { vp in
                for a in 0..<n {
                    var xd: [[Double]] = [Array(repeating: 0, count: widths[0])]
                    for layer in 1...depth {
                        let fanIn = widths[layer - 1], w = p.baseAddress! + network.weightOffset(layer)
                        let dv = vp.baseAddress! + network.weightOffset(layer)
                        let bias = network.biasOffset(layer).map { vp.baseAddress! + $0 }
                        let below = activations(layer: layer - 1), previous = xd[layer - 1]
                        var next = [Double](repeating: 0, count: widths[layer])
                        let above = layer < depth ? activations(layer: layer) : nil
                        for i in 0..<widths[layer] {
                            var s = bias?[i] ?? 0
                            let wRow = w + i * fanIn, vRow = dv + i * fanIn
                            for j in 0..<fanIn { s += vRow[j] * below[j * B + a] + wRow[j] * previous[j] }
                            if let above { next[i] = above[i * B + a] > 0 ? s : 0 } else { next[i] = s }
                        }
                        if layer == depth { outputs[a] = next[0] } else { xd.append(next) }
                    }
                    var dd = [[Double]](repeating: [], count: depth + 1)
                    dd[depth] = [0]
                    for layer in stride(from: depth, through: 2, by: -1) {
                        let fanIn = widths[layer - 1], w = p.baseAddress! + network.weightOffset(layer)
                        let dv = vp.baseAddress! + network.weightOffset(layer)
                        let delta = backwardVectors(layer: layer), upper = dd[layer]
                        var lower = [Double](repeating: 0, count: fanIn)
                        for i in 0..<widths[layer] {
                            let d = delta[i * B + a], e = upper[i]
                            let wRow = w + i * fanIn, vRow = dv + i * fanIn
                            for j in 0..<fanIn { lower[j] += vRow[j] * d + wRow[j] * e }
                        }
                        let x = activations(layer: layer - 1)
                        for j in 0..<fanIn where !(x[j * B + a] > 0) { lower[j] = 0 }
                        dd[layer - 1] = lower
                    }
                    xDot[a] = xd
                    deltaDot[a] = dd
                }
            }
        }
        let beta = network.beta
        var kernel = [Double](repeating: 0, count: n * n)
        for a in 0..<n {
            for b in a..<n {
                var s = 0.0
                for layer in 1...depth {
                    let x = activations(layer: layer - 1), d = backwardVectors(layer: layer)
                    var xx = 0.0, xdx = 0.0, dd = 0.0, dddd = 0.0
                    for j in 0..<widths[layer - 1] {
                        xx += x[j * B + a] * x[j * B + b]
                        xdx += xDot[a][layer - 1][j] * x[j * B + b] + x[j * B + a] * xDot[b][layer - 1][j]
                    }
                    for i in 0..<widths[layer] {
                        dd += d[i * B + a] * d[i * B + b]
                        dddd += deltaDot[a][layer][i] * d[i * B + b] + d[i * B + a] * deltaDot[b][layer][i]
                    }
                    s += xdx * dd + (xx + beta) * dddd
                }
                kernel[a * n + b] = s
                kernel[b * n + a] = s
            }
        }
        return FixedPatternTangent(outputs: outputs, kernel: kernel)
    }

    /// Whether every unit of layers 1…L−1 has the same sign pattern (`x^l_j > 0`) for input
    /// `a` of this pass and input `b` of `other` (same widths): no unit crossed zero.
    public func samePatterns(_ a: Int, as other: NetworkPass, _ b: Int) -> Bool {
        precondition(other.layerWidths == layerWidths, "passes of one architecture")
        let depth = layerWidths.count - 1
        guard depth >= 2 else { return true }
        for layer in 1..<depth {
            let x = activations(layer: layer), y = other.activations(layer: layer)
            for j in 0..<layerWidths[layer] where (x[j * unitStride + a] > 0) != (y[j * other.unitStride + b] > 0) {
                return false
            }
        }
        return true
    }
}
