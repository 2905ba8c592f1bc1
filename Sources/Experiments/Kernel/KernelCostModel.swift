/// Predicted run time of `KernelRequest`: one layer step per pair and layer, at a measured
/// cost per step (release build, 2 threads): about 50 ns in double, and for MPFR intervals
/// 60 µs at 256 bits, growing as precision^1.6 (never below the 64-bit cost).
public enum KernelCostModel {
    public static func seconds(pairs: Int, depth: Int, arithmetic: KernelRequest.Arithmetic, precision: Int) -> Double {
        let steps = Double(pairs) * Double(depth)
        let perStep = arithmetic == .double ? 5e-8 : 6e-5 * pow(max(Double(precision), 64) / 256, 1.6)
        return steps * perStep
    }
}

import Foundation
