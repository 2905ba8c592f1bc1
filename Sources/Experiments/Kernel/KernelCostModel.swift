import Foundation

/// Predicted run time of `KernelRequest`: one layer step per pair and layer, at costs measured
/// with the release build (docs/performance.md):
/// - double: about 50 ns per step;
/// - MPFR intervals: a layer whose angle is above 2⁻⁸ goes through sin, cos and arcsine, about
///   60 µs at 256 bits; deeper layers (angle ≤ 2⁻⁸, the bulk of a deep network) use the
///   directed series in place, about 5.5 µs at 256 bits. A network reaches angle 2⁻⁸ after at
///   most about 2400 layers (at ρ = 1/2; fewer for ρ near 1), so the estimate charges the
///   first 2400 layers at the slow cost. Costs grow with the precision p as (p/256)^1.6 for
///   the slow layers and (p/256)^1.8 for the series (never below the 64-bit cost).
public enum KernelCostModel {
    /// Layers charged at the slow (large-angle) cost.
    static let slowLayers = 2400

    public static func seconds(pairs: Int, depth: Int, arithmetic: KernelRequest.Arithmetic, precision: Int) -> Double {
        if arithmetic == .double { return Double(pairs) * Double(depth) * 5e-8 }
        let scale = max(Double(precision), 64) / 256
        let slow = Double(min(depth, slowLayers)) * 6e-5 * pow(scale, 1.6)
        let fast = Double(max(0, depth - slowLayers)) * 5.5e-6 * pow(scale, 1.8)
        return Double(pairs) * (slow + fast)
    }
}
