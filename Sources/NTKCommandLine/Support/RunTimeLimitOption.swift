import ArgumentParser
import Experiments
import Multiprecision

/// What a command's `--max-seconds` limits: the work it estimates before starting, and where it
/// refuses ("before any work", "before the first row").
protocol RunTimeLimitSubject {
    static var help: String { get }
}

/// `--max-seconds` of the exact computations (moments, kernel, limit, table): refuse, before
/// any work, a computation estimated to take longer (`RunTimeLimit`, default 600 s).
struct RunTimeLimitOption<Subject: RunTimeLimitSubject>: ParsableArguments {
    @Option(name: .customLong("max-seconds"), parsing: .unconditional, help: ArgumentHelp(stringLiteral: Subject.help))
    var maxSeconds = RationalArgument(BigRational(exactly: RunTimeLimit.defaultSeconds)!)

    func validate() throws { try maxSeconds.checkMaxSeconds() }

    /// The limit in seconds (after `validate()`).
    var seconds: Double { maxSeconds.doubleValue }
}

/// `--z-max` of the Monte Carlo checks against the exact recursion.
struct ZMaxOption: ParsableArguments {
    @Option(name: .customLong("z-max"), parsing: .unconditional,
            help: "The z-tests against the exact recursion pass when |z| ≤ this.")
    var zMax = RationalArgument(4)

    func validate() throws { try zMax.checkPositive("--z-max", maximumMagnitudeDigits: 12) }

    var value: Double { zMax.doubleValue }
}
