import ArgumentParser

/// `--seed`: declared and parsed once for every Monte Carlo command (validate, offdiag, step,
/// distribution, train), so that each accepts exactly 0 … 2^64 − 1 with the same message.
struct SeedOption: ParsableArguments {
    @Option(parsing: .unconditional,
            help: "Random seed, 0 … 2^64−1: every random draw (networks, samples, data) comes from streams keyed by it and the sample index.")
    var seed = IntegerArgument(1)

    /// The seed, when it is one.
    var checked: UInt64? {
        guard seed.exact.signum >= 0, seed.exact.bitSize <= 128 else { return nil }
        return UInt64(seed.exact.numeratorString)
    }

    func validate() throws {
        guard checked != nil else {
            throw ValidationError("--seed \(Arguments.quoted(seed.text)) is out of range: an integer from 0 to \(UInt64.max)")
        }
    }

    /// The seed (after `validate()`).
    var value: UInt64 { checked! }
}
