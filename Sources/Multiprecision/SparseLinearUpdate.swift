import CMPFR

/// A sparse linear map out[t] = Σ_g c[k_g]·Σ_{s ∈ g} v[s] over groups g writing target t, in the
/// compressed form the moment recursion's per-layer update uses (a group's sources sharing a
/// target and a coefficient are summed first and multiplied once).
public struct SparseLinearPlan: Sendable {
    public let targets: [Int]
    public let coefficientIndices: [Int]
    /// Group g's sources are `sources[sourceStarts[g] ..< sourceStarts[g + 1]]`.
    public let sourceStarts: [Int]
    public let sources: [Int]
    /// Whether group g is the first to write its target (assign instead of add).
    public let assigns: [Bool]
    /// Targets no group writes (set to 0).
    public let untouched: [Int]
    /// The largest target, source and coefficient index (checked once per application).
    public let largestTarget: Int, largestSource: Int, largestCoefficient: Int

    public init(targets: [Int], coefficientIndices: [Int], sources: [[Int]], assigns: [Bool], untouched: [Int]) {
        precondition(targets.count == coefficientIndices.count && targets.count == sources.count && targets.count == assigns.count)
        precondition(sources.allSatisfy { !$0.isEmpty }, "every group has a source")
        self.targets = targets
        self.coefficientIndices = coefficientIndices
        var starts = [0]
        for s in sources { starts.append(starts.last! + s.count) }
        self.sourceStarts = starts
        self.sources = sources.flatMap { $0 }
        self.assigns = assigns
        self.untouched = untouched
        largestTarget = max(targets.max() ?? -1, untouched.max() ?? -1)
        largestSource = self.sources.max() ?? -1
        largestCoefficient = coefficientIndices.max() ?? -1
    }
}

extension BigFloat {
    /// Applies `plan` in place, rounding every operation to nearest: out ← map(values) with
    /// `coefficients` (see `applyRaw` for the operations).
    ///
    /// The same arithmetic as a loop of `setProduct`/`addProduct`/`add`, but on the raw `mpfr_t`
    /// values: no copy-on-write checks, reference counting or thread-local lookups per
    /// operation — the hot loop of the moment recursion for architectures whose width changes
    /// from layer to layer. `out` must not overlap `values`, `coefficients` or `scratch`;
    /// every index in `plan` must be in range (preconditions, checked).
    public static func applySparse(_ plan: SparseLinearPlan, values: [BigFloat], coefficients: [BigFloat],
                             into out: inout [BigFloat], scratch: inout BigFloat) {
        precondition(plan.largestTarget < out.count && plan.largestSource < values.count
            && plan.largestCoefficient < coefficients.count, "sparse plan index out of range")
        scratch.makeUnique()  // also widens this thread's exponent range
        for i in out.indices where !isKnownUniquelyReferenced(&out[i].storage) { out[i].makeUnique() }
        let s = scratch.storage.pointer
        withUnsafeTemporaryAllocation(of: UnsafeMutablePointer<__mpfr_struct>.self, capacity: out.count) { o in
            withUnsafeTemporaryAllocation(of: UnsafeMutablePointer<__mpfr_struct>.self, capacity: values.count) { v in
                withUnsafeTemporaryAllocation(of: UnsafeMutablePointer<__mpfr_struct>.self, capacity: coefficients.count) { c in
                    for i in out.indices { o[i] = out[i].storage.pointer }
                    for i in values.indices { v[i] = values[i].storage.pointer }
                    for i in coefficients.indices { c[i] = coefficients[i].storage.pointer }
                    applyRaw(plan, v: { v[$0] }, c: { c[$0] }, o: { o[$0] }, s: s)
                }
            }
        }
    }
}

extension BigFloat {
    /// Applies a sequence of layers in place: at step j, for every k, vectors[k] ← plans[k]
    /// applied to vectors[k] with coefficients `coefficientSets[steps[j]]` (the same operations
    /// as `applySparse`, step by step). The whole loop runs on raw `mpfr_t` pointers gathered
    /// once, so a layer costs its MPFR operations and nothing else; `buffers` supplies the
    /// second vector of each ping-pong pair (same shapes as `vectors`).
    public static func applySparseSequence(plans: [SparseLinearPlan], coefficientSets: [[BigFloat]], steps: [Int],
                                           vectors: inout [[BigFloat]], buffers: inout [[BigFloat]], scratch: inout BigFloat) {
        precondition(plans.count == vectors.count && vectors.count == buffers.count, "one plan per vector")
        for (k, plan) in plans.enumerated() {
            precondition(plan.largestTarget < buffers[k].count && plan.largestSource < vectors[k].count
                && vectors[k].count == buffers[k].count, "sparse plan index out of range")
        }
        precondition(coefficientSets.allSatisfy { set in plans.allSatisfy { $0.largestCoefficient < set.count } }
            && steps.allSatisfy { $0 >= 0 && $0 < coefficientSets.count }, "coefficient set out of range")
        scratch.makeUnique()
        for k in vectors.indices {
            for i in vectors[k].indices where !isKnownUniquelyReferenced(&vectors[k][i].storage) { vectors[k][i].makeUnique() }
            for i in buffers[k].indices where !isKnownUniquelyReferenced(&buffers[k][i].storage) { buffers[k][i].makeUnique() }
        }
        if applyFullLimbSequence(plans: plans, coefficientSets: coefficientSets, steps: steps, vectors: &vectors, precision: scratch.precision) {
            return
        }
        let s = scratch.storage.pointer
        typealias Pointer = UnsafeMutablePointer<__mpfr_struct>
        var current = vectors.map { $0.map { $0.storage.pointer } }
        var next = buffers.map { $0.map { $0.storage.pointer } }
        let coefficients = coefficientSets.map { $0.map { $0.storage.pointer } }
        for step in steps {
            let c = coefficients[step]
            for (k, plan) in plans.enumerated() {
                let v = current[k], o = next[k]
                applyRaw(plan, v: { v[$0] }, c: { c[$0] }, o: { o[$0] }, s: s)
            }
            swap(&current, &next)
        }
        // After an odd number of steps the results sit in the buffers: swap the arrays.
        if steps.count % 2 == 1 { swap(&vectors, &buffers) }
        withExtendedLifetime(coefficientSets) {}
    }
}

extension BigFloat {
    typealias MPFRPointer = UnsafeMutablePointer<__mpfr_struct>

    /// One application of `plan` on raw pointers: o ← plan(v) with coefficients c; `s` is
    /// scratch. A product added to a target is rounded, then the sum (two roundings, as for
    /// `Double`; MPFR's fused form, which forms the exact double-length product, is slower).
    @inline(__always)
    static func applyRaw(_ plan: SparseLinearPlan, v: (Int) -> MPFRPointer, c: (Int) -> MPFRPointer, o: (Int) -> MPFRPointer,
                         s: MPFRPointer) {
        for t in plan.untouched { mpfr_set_zero(o(t), 1) }
        for g in plan.targets.indices {
            let start = plan.sourceStarts[g], end = plan.sourceStarts[g + 1]
            let factor: MPFRPointer
            if end - start == 1 {
                factor = v(plan.sources[start])
            } else {
                mpfr_set(s, v(plan.sources[start]), MPFR_RNDN)
                for k in (start + 1)..<end { mpfr_add(s, s, v(plan.sources[k]), MPFR_RNDN) }
                factor = s
            }
            let target = o(plan.targets[g]), coefficient = c(plan.coefficientIndices[g])
            if plan.assigns[g] {
                mpfr_mul(target, factor, coefficient, MPFR_RNDN)
            } else {
                mpfr_mul(s, factor, coefficient, MPFR_RNDN)
                mpfr_add(target, target, s, MPFR_RNDN)
            }
        }
    }
}

extension BigFloat {
    /// `applySparseSequence` in `FullLimbFloats` when every value is zero or positive at one
    /// precision that is a whole number of limbs (128, 192, 256, … bits): the same operations
    /// in the same order, each correctly rounded to nearest like MPFR's, so the same results,
    /// several times faster. Returns false (touching nothing) when it does not apply.
    static func applyFullLimbSequence(plans: [SparseLinearPlan], coefficientSets: [[BigFloat]], steps: [Int],
                                      vectors: inout [[BigFloat]], precision p: Int) -> Bool {
        guard p % 64 == 0, !steps.isEmpty else { return false }
        let n = p / 64
        // Layout: coefficient sets, then for each vector two halves (current, next), then scratch.
        var setStart: [Int] = [], total = 0
        for set in coefficientSets { setStart.append(total); total += set.count }
        var vectorStart: [Int] = []
        for v in vectors { vectorStart.append(total); total += 2 * v.count }
        let scratch = total
        let pool = FullLimbFloats(limbCount: n, count: total + 1)
        defer { pool.deallocate() }
        for (j, set) in coefficientSets.enumerated() {
            for (i, c) in set.enumerated() where !c.withMPFR({ pool.load(setStart[j] + i, from: $0) }) { return false }
        }
        for (k, v) in vectors.enumerated() {
            for (i, x) in v.enumerated() where !x.withMPFR({ pool.load(vectorStart[k] + i, from: $0) }) { return false }
        }
        var current = vectorStart, next = vectors.indices.map { vectorStart[$0] + vectors[$0].count }
        for step in steps {
            let c = setStart[step]
            for (k, plan) in plans.enumerated() {
                let v = current[k], o = next[k]
                for t in plan.untouched { pool.setZero(o + t) }
                for g in plan.targets.indices {
                    let start = plan.sourceStarts[g], end = plan.sourceStarts[g + 1]
                    let factor: Int
                    if end - start == 1 {
                        factor = v + plan.sources[start]
                    } else {
                        pool.copy(scratch, v + plan.sources[start])
                        for s in (start + 1)..<end { pool.add(scratch, scratch, v + plan.sources[s]) }
                        factor = scratch
                    }
                    let target = o + plan.targets[g], coefficient = c + plan.coefficientIndices[g]
                    if plan.assigns[g] {
                        pool.multiply(target, factor, coefficient)
                    } else {
                        pool.multiply(scratch, factor, coefficient)
                        pool.add(target, target, scratch)
                    }
                }
            }
            swap(&current, &next)
        }
        for k in vectors.indices {
            for i in vectors[k].indices { pool.store(current[k] + i, into: vectors[k][i].storage.pointer) }
        }
        return true
    }
}
