import Foundation

/// One axis' extent and ticks, in transformed coordinates (log10 of values on log axes).
struct AxisLayout {
    var lower: Double
    var upper: Double
    /// Positions with labels, already formatted as SVG text content (escaped where needed).
    var majorTicks: [(position: Double, label: String)]
    var minorTicks: [Double]

    /// - Throws: `ChartError` when a linear axis spans a range too wide or too narrow
    ///   for Double arithmetic to place ticks (e.g. from -1e308 to 1e308).
    init(values: [Double], scale: AxisScale, axisName: String) throws {
        let transformed = values.map(scale.transform)
        var low = transformed.min()!
        var high = transformed.max()!
        switch scale {
        case .log10:
            var firstDecade = low.rounded(.down)
            var lastDecade = high.rounded(.up)
            if firstDecade == lastDecade { firstDecade -= 1; lastDecade += 1 }
            lower = firstDecade
            upper = lastDecade
            let decades = Int(lastDecade - firstDecade)
            // Label at most ~10 decades so labels never overlap.
            let labelEvery = max(1, (decades + 9) / 10)
            majorTicks = []
            minorTicks = []
            for offset in 0...decades {
                let exponent = Int(firstDecade) + offset
                if offset % labelEvery == 0 {
                    majorTicks.append((Double(exponent), "10<tspan dy=\"-0.6em\" font-size=\"9\">\(exponent)</tspan>"))
                } else {
                    minorTicks.append(Double(exponent))
                }
                if decades <= 8, offset < decades {
                    // An axis spanning less than two decades would show only one or two labels;
                    // it labels 2 and 5 of each decade too.
                    let labelled: Set<Int> = decades < 2 ? [2, 5] : []
                    for m in 2...9 {
                        let position = Double(exponent) + Foundation.log10(Double(m))
                        if labelled.contains(m) {
                            majorTicks.append((position, Self.mantissaLabel(m, exponent: exponent)))
                        } else {
                            minorTicks.append(position)
                        }
                    }
                }
            }
        case .linear:
            if low == high {
                let pad = low == 0 ? 1 : abs(low) * 0.1
                low -= pad
                high += pad
            }
            let step = Self.niceStep(above: (high - low) / 6)
            let firstIndex = (low / step).rounded(.down)
            let lastIndex = (high / step).rounded(.up)
            guard step.isNormal, (lastIndex - firstIndex).isFinite, lastIndex - firstIndex <= 100 else {
                throw ChartError("\(axisName) values from \(low) to \(high) span a range that cannot be ticked")
            }
            lower = firstIndex * step
            upper = lastIndex * step
            let decimals = max(0, -Int(Foundation.log10(step).rounded(.down)))
            let magnitude = max(abs(lower), abs(upper))
            let useScientific = magnitude >= 1e6 || step < 1e-4
            majorTicks = stride(from: firstIndex, through: lastIndex, by: 1).map { index in
                var value = index * step
                if abs(value) < step * 1e-9 { value = 0 }  // avoid "-0.0" from rounding
                let label = useScientific ? String(format: "%g", value) : String(format: "%.\(decimals)f", value)
                return (value, label)
            }
            minorTicks = []
        }
    }

    /// The smallest 1, 2 or 5 × 10^k that is ≥ `rough`.
    /// The label of m·10^e on a log axis: a plain decimal for moderate exponents (`0.2`, `50`),
    /// else m·10^e with a raised exponent.
    static func mantissaLabel(_ m: Int, exponent: Int) -> String {
        if (-3...4).contains(exponent) {
            let value = Double(m) * Foundation.pow(10, Double(exponent))
            return exponent >= 0 ? String(Int(value)) : String(format: "%.\(-exponent)f", value)
        }
        return "\(m)·10<tspan dy=\"-0.6em\" font-size=\"9\">\(exponent)</tspan>"
    }

    static func niceStep(above rough: Double) -> Double {
        let power = pow(10, Foundation.log10(rough).rounded(.down))
        for multiple in [1.0, 2.0, 5.0, 10.0] where multiple * power >= rough * (1 - 1e-12) {
            return multiple * power
        }
        return 10 * power
    }
}
