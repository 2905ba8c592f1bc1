import Foundation

/// A first-order optimizer on a flat parameter vector: given the loss gradient `g` at the
/// current parameters, it writes the update `u` to apply, `θ ← θ + u`. The optimizer owns
/// whatever state it needs (Adam's moment estimates); it never sees the parameters, so the
/// network applies `u` in place in its own layout.
public protocol FlatOptimizer {
    /// Number of parameters the optimizer was made for.
    var parameterCount: Int { get }
    /// Writes the update for `gradient` into `update` (both of length `parameterCount`).
    mutating func update(gradient: UnsafeBufferPointer<Double>, into update: UnsafeMutableBufferPointer<Double>)
}

extension FlatOptimizer {
    /// The update for `gradient`, as a new array.
    public mutating func update(gradient: [Double]) -> [Double] {
        precondition(gradient.count == parameterCount, "gradient length \(gradient.count) ≠ \(parameterCount) parameters")
        var result = [Double](repeating: 0, count: parameterCount)
        gradient.withUnsafeBufferPointer { g in result.withUnsafeMutableBufferPointer { update(gradient: g, into: $0) } }
        return result
    }
}

/// Full-batch gradient descent: `u = −η g`.
public struct GradientDescent: FlatOptimizer {
    public let parameterCount: Int
    public let learningRate: Double

    public init(parameterCount: Int, learningRate: Double) {
        precondition(parameterCount >= 0 && learningRate.isFinite && learningRate > 0, "η must be finite and positive")
        self.parameterCount = parameterCount
        self.learningRate = learningRate
    }

    public mutating func update(gradient: UnsafeBufferPointer<Double>, into update: UnsafeMutableBufferPointer<Double>) {
        for i in 0..<parameterCount { update[i] = -learningRate * gradient[i] }
    }
}

/// Adam (Kingma & Ba 2015) with bias correction: after `t` calls,
/// `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)g²`, `u = −η·(m/(1−β₁ᵗ)) / (√(v/(1−β₂ᵗ)) + ε)`,
/// defaults `β₁ = 0.9`, `β₂ = 0.999`, `ε = 10⁻⁸` (the code of Seleznova & Kutyniok, ICML 2022, used Adam with these).
public struct Adam: FlatOptimizer {
    public let parameterCount: Int
    public let learningRate: Double
    public let beta1: Double
    public let beta2: Double
    public let epsilon: Double
    /// Steps taken so far.
    public private(set) var steps = 0
    private var m: [Double]
    private var v: [Double]

    public init(parameterCount: Int, learningRate: Double, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8) {
        precondition(learningRate.isFinite && learningRate > 0, "η must be finite and positive")
        precondition((0..<1).contains(beta1) && (0..<1).contains(beta2) && epsilon > 0, "β₁, β₂ ∈ [0, 1), ε > 0")
        self.parameterCount = parameterCount
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        m = Array(repeating: 0, count: parameterCount)
        v = Array(repeating: 0, count: parameterCount)
    }

    public mutating func update(gradient: UnsafeBufferPointer<Double>, into update: UnsafeMutableBufferPointer<Double>) {
        steps += 1
        let correction1 = 1 - pow(beta1, Double(steps)), correction2 = 1 - pow(beta2, Double(steps))
        let (b1, b2, eps, eta) = (beta1, beta2, epsilon, learningRate)
        m.withUnsafeMutableBufferPointer { m in
            v.withUnsafeMutableBufferPointer { v in
                for i in 0..<parameterCount {
                    let g = gradient[i]
                    m[i] = b1 * m[i] + (1 - b1) * g
                    v[i] = b2 * v[i] + (1 - b2) * g * g
                    update[i] = -eta * (m[i] / correction1) / ((v[i] / correction2).squareRoot() + eps)
                }
            }
        }
    }
}
