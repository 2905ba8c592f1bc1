import ArgumentParser
import Experiments
import Foundation
import MonteCarlo
import Multiprecision
import NTKMoments
import NTKOutput

/// The fixed, bounded validation suite behind `make validate` (`ValidateSuiteRequest`),
/// printed as two tables of z-scores.
struct ValidateSuiteCommand: NTKSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "suite",
        abstract: "Run the fixed validation suite (three phases, small and medium networks; E[Θ], E[Θ²] and the first-step E[fQ]) and print tables of z-scores.")

    @Option(parsing: .unconditional, help: "Worker threads, 1 … 1024 (default: all cores).")
    var threads: IntegerArgument?

    @Option(name: .customLong("budget-scale"), parsing: .unconditional, help: "Multiply every sample and time budget by this factor (at most 100).")
    var budgetScale = RationalArgument(1)

    func validate() throws {
        try threads?.check("--threads", RequestRange.threads)
        try budgetScale.checkPositive("--budget-scale", maximum: BigRational(Int(ValidateSuiteRequest.maximumBudgetScale)), maximumMagnitudeDigits: 12)
    }

    @OptionGroup var outputFile: OutputFileOption

    func execute(_ io: CommandIO) throws { try outputFile.writing(io) { try produce($0) } }

    func produce(_ io: CommandIO) throws {
        try validate()
        let request = ValidateSuiteRequest(threads: threads?.value(in: RequestRange.threads), budgetScale: budgetScale.doubleValue)
        if let note = request.estimateNote { io.writeError("ntk: note: \(note)\n") }
        let result = try io.run(request)
        try writeMomentCases(result, io)
        try writeStepCases(result, io)
        switch result.verdict {
        case .pass: return
        case .fail: throw ValidationFailure(description: "\(result.failures) of \(result.verdicts.count) suite cases failed")
        case .inconclusive:
            throw ValidationInconclusive(description: "\(result.inconclusiveCases) of \(result.verdicts.count) suite cases are inconclusive (none failed)")
        }
    }

    func writeMomentCases(_ result: ValidateSuiteResult, _ io: CommandIO) throws {
        let sink = TextTableSink(output: { io.write($0) })
        try sink.begin(columns: [
            .text("widths", widthHint: 14), .number("sigma2", widthHint: 6), .text("biases", widthHint: 6),
            .number("samples", widthHint: 9), .number("seconds", widthHint: 7), .number("z_mean", widthHint: 7),
            .number("z_second", widthHint: 8), .number("z_mean_gi", widthHint: 9), .number("z_second_gi", widthHint: 11),
            .number("dispersion_mc", widthHint: 13), .number("dispersion_exact", widthHint: 16), .text("verdict", widthHint: 12),
        ])
        for c in result.cases {
            try sink.row([c.widths, c.sigma2, c.biases ? "yes" : "no", "\(c.samples)", String(format: "%.1f", c.seconds),
                          zScoreText(c.zMean), zScoreText(c.zSecondMoment), zScoreText(c.zMeanGI), zScoreText(c.zSecondMomentGI),
                          estimateText(c.dispersion, 5), estimateText(c.exactDispersion, 5), Self.label(c.verdict)])
        }
        try sink.end()
        let zMax = shortestDecimal(result.zMax)
        io.write("z = (Monte Carlo − model)/standard error for E[Θ] and E[Θ²]; pass when |z| ≤ \(zMax) against the exact recursion;\n")
        io.write("inconclusive below \(result.minimumSamples) samples, without finite, positive standard errors, or where heavy tails leave |z| > \(zMax) unsupported.\n")
        io.write("dispersion_mc is the plug-in estimate (biased low for heavy tails); fixed seed \(result.seed).\n")
    }

    func writeStepCases(_ result: ValidateSuiteResult, _ io: CommandIO) throws {
        io.write("\n")
        let sink = TextTableSink(output: { io.write($0) })
        try sink.begin(columns: [
            .text("widths", widthHint: 14), .number("sigma2", widthHint: 6), .text("biases", widthHint: 6),
            .number("samples", widthHint: 9), .number("seconds", widthHint: 7), .number("E_fQ_mc", widthHint: 12),
            .number("E_fQ_exact", widthHint: 12), .number("z", widthHint: 7), .number("kink_mc", widthHint: 12), .text("verdict", widthHint: 12),
        ])
        for c in result.stepCases {
            try sink.row([c.widths, c.sigma2, c.biases ? "yes" : "no", "\(c.samples)", String(format: "%.1f", c.seconds),
                          estimateText(c.fQ, 5), estimateText(c.exactFQ, 5), zScoreText(c.z), estimateText(c.kink, 5), Self.label(c.verdict)])
        }
        try sink.end()
        let rate = shortestDecimal(ValidateSuiteRequest.stepLearningRateScale), target = shortestDecimal(ValidateSuiteRequest.stepTarget)
        io.write("one gradient step per network (ntk step, η = \(rate)/E[Θ], y = \(target)): E[fQ] (the smooth part) against the exact recursion;\n")
        io.write("kink_mc = E[ΔΘ/η + fQ], the part of the change that activation patterns crossing zero add (no exact value).\n")
    }

    /// The verdict column: failures stand out.
    static func label(_ verdict: ValidationVerdict) -> String {
        switch verdict {
        case .pass: return "pass"
        case .fail: return "FAIL"
        case .inconclusive: return "inconclusive"
        }
    }
}
