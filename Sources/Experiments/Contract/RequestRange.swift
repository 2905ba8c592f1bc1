import Foundation
import Multiprecision

/// The range checks requests share, with the messages the command line prints for the same
/// flags (so that a refusal reads the same from every front end).
public enum RequestRange {
    /// Worker threads a request may ask for.
    public static let threads = 1...1024

    /// The threads a request with `threads` uses: that many, or every core when nil.
    public static func resolvedThreads(_ threads: Int?) -> Int {
        threads ?? max(1, ProcessInfo.processInfo.activeProcessorCount)
    }

    /// Refuses a thread count outside `threads` (nil, every core, passes).
    static func threads(_ value: Int?) throws {
        try integer("--threads", value, threads)
    }

    /// Refuses an integer outside `range` (nil passes).
    static func integer(_ flag: String, _ value: Int?, _ range: ClosedRange<Int>) throws {
        if let value, !range.contains(value) {
            throw ExperimentError.invalidRequest("\(flag) '\(value)' is out of range: an integer from \(range.lowerBound) to \(range.upperBound)")
        }
    }

    /// Refuses a value that is not positive or exceeds `maximum`; `text` is how it was written.
    static func positive(_ flag: String, _ value: BigRational, text: String, maximum: BigRational) throws {
        guard value.signum > 0 else {
            throw ExperimentError.invalidRequest("\(flag) '\(text)' is out of range: must be positive; allowed: a positive number such as 2, 5/2, 2.5 or 1e-1")
        }
        if maximum < value {
            throw ExperimentError.invalidRequest("\(flag) '\(text)' is out of range: at most \(maximum.terminatingDecimal ?? maximum.fractionString)")
        }
    }

    /// `positive` for a double, which must also be finite (no `maximum`: any finite value).
    static func positive(_ flag: String, _ value: Double, maximum: BigRational? = nil) throws {
        let text = "\(value)"
        guard value.isFinite, let exact = BigRational(exactly: value) else {
            throw ExperimentError.invalidRequest("\(flag) '\(text)' is out of range: must be positive; allowed: a positive number such as 2, 5/2, 2.5 or 1e-1")
        }
        try positive(flag, exact, text: text, maximum: maximum ?? exact)
    }
}
