import ArgumentParser
import Experiments
import Foundation
import Multiprecision
import NTKMoments
import NTKOutput

struct LimitCommand: NTKSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "limit",
        abstract: "Infinite-depth-and-width limits of the dispersion: exact, gradient-independence and published.")

    @Option(parsing: .unconditional, help: "λ = L/M, from 1e-30 to 50.")
    var lambda: RationalArgument

    @Option(parsing: .unconditional, help: "Weight variance σ² (decides the phase exactly).")
    var sigma2: RationalArgument

    @Option(parsing: .unconditional,
            help: "α0 = lim (mean bias part)/(mean weight part); it enters the limit only at the edge of chaos with biases (default: r/‖x‖²).")
    var alpha0: RationalArgument?

    @Option(name: .customLong("input-ratio"), parsing: .unconditional, help: "r = n0/M; with --input-norm2 X gives α0 = r/X (default 1).")
    var inputRatio: RationalArgument?

    @Option(name: .customLong("input-norm2"), parsing: .unconditional, help: "‖x‖² for α0 = r/‖x‖² (default 1).")
    var inputNorm2: RationalArgument?

    @Flag(name: .customLong("no-bias"), help: "Weights-only NTK: the limit is F_ww(λ) in every phase.")
    var noBias = false

    @Option(parsing: .unconditional, help: "Working precision in bits.")
    var precision = IntegerArgument(128)

    @Option(parsing: .unconditional, help: "Significant digits to print (default: 20, fewer at low --precision).")
    var digits: IntegerArgument?

    @Flag(help: "Also print the closed forms of the first two finite-width corrections c1, c2 (R = F + c1/M + c2/M² + …, n0 = M).")
    var corrections = false

    @Option(name: .customLong("max-moment"), parsing: .unconditional,
            help: "Also the limits of E[Θ^k]/E[Θ]^k for k = 3 … p (p ≤ 8; n0 = M·r, ‖x‖² as given): closed form or extrapolated from the exact recursion, as labelled.")
    var maxMoment: IntegerArgument?

    @Flag(name: .customLong("first-step"),
          help: "Also the limit of E[fQ]/E[Θ]², the normalized smooth first-order NTK change of one gradient step (0 with exponential decay in the ordered phase with biases).")
    var firstStep = false

    @OptionGroup var runTime: RunTimeLimitOption<LimitRunTime>

    @OptionGroup var output: OutputOptions<ReportFormat>

    func validate() throws {
        // The size of the numbers only; the ranges and combinations are the request's
        // (`LimitRequest.check`).
        try lambda.checkPositive("--lambda")
        try sigma2.checkPositive("--sigma2", maximumMagnitudeDigits: 200)
        try alpha0?.checkNonNegative("--alpha0")
        try inputRatio?.checkPositive("--input-ratio")
        try inputNorm2?.checkPositive("--input-norm2")
    }

    /// The typed request these options describe.
    func request() -> LimitRequest {
        LimitRequest(lambda: lambda.value, sigma2: sigma2.value, alpha0: alpha0?.value, inputRatio: inputRatio?.value,
                     inputNorm2: inputNorm2?.value, biases: !noBias, precision: precision.value, digits: digits?.value,
                     corrections: corrections, maxMoment: maxMoment?.value, firstStep: firstStep, maximumSeconds: runTime.seconds)
    }

    func execute(_ io: CommandIO) throws { try output.writing(io) { try produce($0) } }

    func produce(_ io: CommandIO) throws {
        let request = request()
        try request.check()
        if let note = try request.costNote() { io.writeError("ntk: note: \(note)\n") }
        let result = try io.run(request)
        if let reason = result.correctionsReason {
            io.writeError("ntk: note: c1 and c2 left out: the 1/M expansion does not hold here: \(reason)\n")
        }
        switch output.format {
        case .json: try io.writeDocument(result)
        case .text: io.write(LimitReport(result, correctionsAsked: corrections).text())
        }
    }
}

/// What `--max-seconds` of `ntk limit` limits.
enum LimitRunTime: RunTimeLimitSubject {
    static let help = "Refuse, before any work, when the limits that --max-moment extrapolates are estimated to take longer than this (seconds; at most one year)."
}
