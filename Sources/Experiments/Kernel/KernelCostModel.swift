import Foundation

/// Predicted run time of `KernelRequest`, per off-diagonal pair and layer (each pair also pays
/// for its share of the diagonal), at costs measured with the release build (`make bench`
/// prints estimated against measured time for a grid of requests; docs/performance.md):
/// - double: about 150 ns;
/// - MPFR intervals: a layer whose angle is above 2⁻⁸ goes through sin, cos and arcsine, about
///   60 µs at 256 bits and 45 µs at 139; deeper layers (angle ≤ 2⁻⁸, the bulk of a deep
///   network) use the directed series in place, about 5.5 µs at 256 bits and 2.2 µs at 139. A
///   network reaches angle 2⁻⁸ after at most about 2400 layers (at ρ = 1/2; fewer for ρ near
///   1), so the estimate charges the first 2400 layers at the slow cost. The costs grow with
///   the precision p as (p/256)^0.5 and (p/256)^1.5 (never below the 64-bit cost).
public enum KernelCostModel {
    /// Layers charged at the slow (large-angle) cost.
    static let slowLayers = 2400

    public static func seconds(pairs: Int, depth: Int, arithmetic: KernelRequest.Arithmetic, precision: Int) -> Double {
        if arithmetic == .double { return Double(pairs) * Double(depth) * 1.5e-7 }
        let scale = max(Double(precision), 64) / 256
        let slow = Double(min(depth, slowLayers)) * 6e-5 * scale.squareRoot()
        let fast = Double(max(0, depth - slowLayers)) * 5.5e-6 * pow(scale, 1.5)
        return Double(pairs) * (slow + fast)
    }
}
