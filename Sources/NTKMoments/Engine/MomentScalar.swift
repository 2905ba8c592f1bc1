import Multiprecision

/// The arithmetic the NTK moment recursion needs: a commutative ring (the recursion itself
/// only adds and multiplies non-negative quantities) with an in-place fused multiply-add for
/// its hot loop.
///
/// `Double`, `BigFloat`, `BigRational`, `Enclosure` and `Polynomial` conform, so one generic
/// engine yields floating-point, arbitrary-precision, exact, certified and symbolic results.
///
/// Types with a bounded exponent range (`Double`) opt into *rescaling*: the engine keeps a
/// separate power-of-two scale for each vector and matrix and renormalises them, so deep
/// networks neither overflow nor underflow.
public protocol MomentScalar: Sendable {
    static func + (lhs: Self, rhs: Self) -> Self
    static func - (lhs: Self, rhs: Self) -> Self
    static func * (lhs: Self, rhs: Self) -> Self
    /// self ← self + a·b: a fused multiply-add where that is cheap (MPFR: one rounding),
    /// a product and a sum for `Double` (libm's software `fma` would dominate the loop).
    mutating func accumulateProduct(_ a: Self, _ b: Self)
    /// self ← self + x, in place.
    mutating func accumulate(_ x: Self)
    /// self ← a·b, reusing storage.
    mutating func setProduct(_ a: Self, _ b: Self)
    /// self ← 0, reusing storage where the type has any (hot loops call this instead of
    /// allocating fresh zeros).
    mutating func setZero()

    /// True for types with a bounded exponent range, which the engine rescales.
    static var needsRescaling: Bool { get }
    /// For rescaled types: the binary exponent e of a non-zero finite value (|x| ≈ 2^e);
    /// nil for zero and for types that never need rescaling.
    var rescalingExponent: Int? { get }
    /// self·2^k; only called when `rescalingExponent` is non-nil.
    func rescaled(byPowerOfTwo k: Int) -> Self

    /// out ← the sparse linear map `plan` applied to `values` (the recursion's per-layer hot
    /// loop, `FactoredLayerOperator`). The default is a loop of `setProduct`, `accumulate` and
    /// `accumulateProduct`; a type may compute exactly the same operations faster.
    static func apply(_ plan: SparseLinearPlan, values: [Self], coefficients: [Self], into out: inout [Self], scratch: inout Self)

    /// Optional fast path for a sequence of unscaled layers: at step j every vector k becomes
    /// plans[k] applied to it with `coefficientSets[steps[j]]`. Returns false (doing nothing)
    /// for types without one; the engine then applies the layers one by one.
    static func applySequence(plans: [SparseLinearPlan], coefficientSets: [[Self]], steps: [Int],
                              vectors: inout [[Self]], buffers: inout [[Self]], scratch: inout Self) -> Bool

    /// True when `applySequence` has a fast path (the engine then batches layers for it).
    static var hasSequenceFastPath: Bool { get }

    /// The same for rescaled types (`needsRescaling`): after every step each vector k is
    /// renormalised exactly as `Rescaling.normalize` does, its power of two added to scales[k].
    /// Returns false (doing nothing) for types without one.
    static func applyRescaledSequence(plans: [SparseLinearPlan], coefficientSets: [[Self]], steps: [Int],
                                      vectors: inout [[Self]], scales: inout [Int]) -> Bool
}

extension MomentScalar {
    @inlinable
    public static func apply(_ plan: SparseLinearPlan, values: [Self], coefficients: [Self], into out: inout [Self], scratch: inout Self) {
        values.withUnsafeBufferPointer { v in
            coefficients.withUnsafeBufferPointer { c in
                out.withUnsafeMutableBufferPointer { o in
                    for t in plan.untouched { o[t].setZero() }
                    for g in plan.targets.indices {
                        let start = plan.sourceStarts[g], end = plan.sourceStarts[g + 1]
                        let target = plan.targets[g], coefficient = c[plan.coefficientIndices[g]]
                        if end - start == 1 {
                            let source = v[plan.sources[start]]
                            if plan.assigns[g] { o[target].setProduct(source, coefficient) } else { o[target].accumulateProduct(source, coefficient) }
                        } else {
                            scratch.setZero()
                            for k in start..<end { scratch.accumulate(v[plan.sources[k]]) }
                            if plan.assigns[g] { o[target].setProduct(scratch, coefficient) } else { o[target].accumulateProduct(scratch, coefficient) }
                        }
                    }
                }
            }
        }
    }

    public static func applySequence(plans: [SparseLinearPlan], coefficientSets: [[Self]], steps: [Int],
                                     vectors: inout [[Self]], buffers: inout [[Self]], scratch: inout Self) -> Bool { false }

    public static var hasSequenceFastPath: Bool { false }

    public static func applyRescaledSequence(plans: [SparseLinearPlan], coefficientSets: [[Self]], steps: [Int],
                                             vectors: inout [[Self]], scales: inout [Int]) -> Bool { false }

    public static var needsRescaling: Bool { false }
    public var rescalingExponent: Int? { nil }
    public func rescaled(byPowerOfTwo k: Int) -> Self { self }
}

/// A `MomentScalar` that can also divide: the moment summaries (variance, dispersion) need it.
public protocol MomentField: MomentScalar {
    static func / (lhs: Self, rhs: Self) -> Self
}

extension Double: MomentField {
    public static var needsRescaling: Bool { true }
    public mutating func setZero() { self = 0 }
    @inlinable public mutating func accumulateProduct(_ a: Double, _ b: Double) { self += a * b }
    @inlinable public mutating func accumulate(_ x: Double) { self += x }
    @inlinable public mutating func setProduct(_ a: Double, _ b: Double) { self = a * b }
    /// Read straight from the bit pattern: the engine asks for it after every layer.
    /// Subnormals report their (too small) biased exponent −1023, which is all the
    /// rescaling needs to know.
    @inlinable public var rescalingExponent: Int? {
        let biased = Int((bitPattern >> 52) & 0x7FF)
        guard biased != 0x7FF, self != 0 else { return nil }
        return biased - 1023
    }
    public func rescaled(byPowerOfTwo k: Int) -> Double {
        // Split the scaling so that no intermediate overflows or underflows spuriously.
        // Beyond ±2200 every finite non-zero double overflows or underflows anyway.
        var result = self
        var remaining = max(-2200, min(2200, k))
        while remaining != 0 {
            let step = max(-1000, min(1000, remaining))
            result = Double(sign: .plus, exponent: step, significand: result)
            remaining -= step
        }
        return result
    }
}

extension BigFloat: MomentField {
    public static var hasSequenceFastPath: Bool { true }

    public static func applySequence(plans: [SparseLinearPlan], coefficientSets: [[BigFloat]], steps: [Int],
                                     vectors: inout [[BigFloat]], buffers: inout [[BigFloat]], scratch: inout BigFloat) -> Bool {
        BigFloat.applySparseSequence(plans: plans, coefficientSets: coefficientSets, steps: steps, vectors: &vectors, buffers: &buffers,
                                     scratch: &scratch)
        return true
    }

    /// The raw-MPFR kernel: the same operations in the same order as the default.
    public static func apply(_ plan: SparseLinearPlan, values: [BigFloat], coefficients: [BigFloat], into out: inout [BigFloat],
                             scratch: inout BigFloat) {
        BigFloat.applySparse(plan, values: values, coefficients: coefficients, into: &out, scratch: &scratch)
    }
    public mutating func accumulateProduct(_ a: BigFloat, _ b: BigFloat) { addProduct(a, b, rounding: .nearest) }
    public mutating func accumulate(_ x: BigFloat) { add(x, rounding: .nearest) }
    public mutating func setProduct(_ a: BigFloat, _ b: BigFloat) { setProduct(a, b, rounding: .nearest) }
}

extension BigRational: MomentField {
    public mutating func setZero() { self = BigRational(0) }
    public mutating func accumulateProduct(_ a: BigRational, _ b: BigRational) { addProduct(a, b) }
    public mutating func accumulate(_ x: BigRational) { self += x }
    public mutating func setProduct(_ a: BigRational, _ b: BigRational) { self = a * b }
}

extension Enclosure: MomentField {
    public mutating func setZero() { setBoundsToZero() }
    public mutating func accumulateProduct(_ a: Enclosure, _ b: Enclosure) { addProduct(a, b) }
    public mutating func accumulate(_ x: Enclosure) { add(x) }
    public mutating func setProduct(_ a: Enclosure, _ b: Enclosure) { self.assignProduct(a, b) }
}

extension Polynomial: MomentScalar {
    public mutating func accumulateProduct(_ a: Polynomial, _ b: Polynomial) { addProduct(a, b) }
    public mutating func accumulate(_ x: Polynomial) { self = self + x }
    public mutating func setProduct(_ a: Polynomial, _ b: Polynomial) { self = a * b }
}
