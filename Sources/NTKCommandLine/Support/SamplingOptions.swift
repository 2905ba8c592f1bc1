import ArgumentParser
import Experiments
import Multiprecision

/// What differs between the sampling options of the Monte Carlo commands: the default and the
/// range of `--samples` (the request's), the default `--max-seconds`, and how each is described.
protocol SamplingDefaults {
    static var samples: Int { get }
    static var samplesRange: ClosedRange<Int> { get }
    static var samplesHelp: String { get }
    static var maxSeconds: Int { get }
    static var maxSecondsHelp: String { get }
}

/// `--samples`, `--max-seconds`, `--seed` and `--threads`: declared and checked once for every
/// Monte Carlo run (validate, offdiag, step, distribution), with each command's defaults.
struct SamplingOptions<Defaults: SamplingDefaults>: ParsableArguments {
    // Numeric options parse their value unconditionally, so that `--samples -1` reaches
    // validate() and is reported as out of range instead of as a missing value.
    @Option(parsing: .unconditional, help: ArgumentHelp(stringLiteral: Defaults.samplesHelp))
    var samples = IntegerArgument(Defaults.samples)

    @Option(name: .customLong("max-seconds"), parsing: .unconditional, help: ArgumentHelp(stringLiteral: Defaults.maxSecondsHelp))
    var maxSeconds = RationalArgument(Defaults.maxSeconds)

    @OptionGroup var seed: SeedOption

    @Option(parsing: .unconditional, help: "Worker threads, 1 … 1024 (default: all cores); the result does not depend on it.")
    var threads: IntegerArgument?

    func validate() throws {
        try samples.check("--samples", Defaults.samplesRange)
        try threads?.check("--threads", RequestRange.threads)
        try maxSeconds.checkMaxSeconds()
    }

    /// The values, after `validate()`.
    var sampleCount: Int { samples.value }
    var seedValue: UInt64 { seed.value }
    /// nil: every core.
    var threadCount: Int? { threads?.value }
    var seconds: Double { maxSeconds.doubleValue }
}
