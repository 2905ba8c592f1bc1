import ArgumentParser
import Foundation
import MonteCarlo
import Multiprecision
import NTKMoments
import NTKOutput

/// The fixed, bounded validation suite behind `make validate`.
struct ValidateSuiteCommand: NTKSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "suite",
        abstract: "Run the fixed validation suite (three phases, small and medium networks) and print a table of z-scores.")

    @Option(help: "Worker threads (default: all cores).")
    var threads: String?

    @Option(name: .customLong("budget-scale"), help: "Multiply every sample and time budget by this factor (default 1).")
    var budgetScale: String = "1"

    struct Case {
        let widths: String
        let sigma2: String
        let biases: Bool
        let samples: Int
        let seconds: Double
    }

    /// λ = L/M ≤ 0.5 everywhere: beyond that Θ is heavy-tailed and the moments' standard
    /// errors are unreliable (MATH.md §5).
    static let cases: [Case] = [
        Case(widths: "10,10x4", sigma2: "1.5", biases: true, samples: 2_000_000, seconds: 20),
        Case(widths: "50,50x9", sigma2: "1.5", biases: true, samples: 300_000, seconds: 20),
        Case(widths: "6,6x2", sigma2: "2", biases: true, samples: 4_000_000, seconds: 25),
        Case(widths: "6,6x2", sigma2: "2", biases: false, samples: 2_000_000, seconds: 15),
        Case(widths: "20,20x9", sigma2: "2", biases: true, samples: 1_000_000, seconds: 25),
        Case(widths: "100,100x19", sigma2: "2", biases: true, samples: 100_000, seconds: 30),
        Case(widths: "10,10x4", sigma2: "2.5", biases: true, samples: 2_000_000, seconds: 20),
        Case(widths: "8,12,6,10,9", sigma2: "2.5", biases: true, samples: 2_000_000, seconds: 20),
        Case(widths: "50,50x9", sigma2: "2.5", biases: false, samples: 300_000, seconds: 20),
        Case(widths: "784,100x9,10", sigma2: "2.5", biases: true, samples: 100_000, seconds: 30),
    ]

    func execute(_ io: CommandIO) throws {
        let threadCount = try threads.map { try Arguments.integer($0, flag: "--threads", range: 1...1024) }
            ?? max(1, ProcessInfo.processInfo.activeProcessorCount)
        let scale = try Arguments.positiveRational(budgetScale, flag: "--budget-scale", maximumMagnitudeDigits: 6)
        guard scale <= BigRational(100) else { throw UsageError("--budget-scale: at most 100") }
        let factor = scale.approximateDouble
        let sink = TextTableSink(output: { io.write($0) })
        try sink.begin(columns: [
            .text("widths", widthHint: 14), .number("sigma2", widthHint: 6), .text("biases", widthHint: 6),
            .number("samples", widthHint: 9), .number("seconds", widthHint: 7), .number("z_mean", widthHint: 7),
            .number("z_second", widthHint: 8), .number("z_mean_gi", widthHint: 9), .number("z_second_gi", widthHint: 11),
            .number("dispersion_mc", widthHint: 13), .number("dispersion_exact", widthHint: 16), .text("verdict", widthHint: 7),
        ])
        var failures = 0
        for c in Self.cases {
            let parsed = try WidthList.parse(c.widths)
            let a = try Architecture(inputDimension: parsed.inputDimension, hiddenRuns: parsed.hiddenRuns,
                                     sigma2: try BigRational(parsing: c.sigma2), trainableBiases: c.biases)
            let run = simulate(SimulatedArchitecture(a), samples: max(1, Int(Double(c.samples) * factor)), maxSeconds: c.seconds * factor,
                               seed: 20_221_129, threads: threadCount)
            let report = ValidationReport(architecture: a, moments: run.moments, seconds: run.wallSeconds,
                                          stoppedBy: run.stoppedBy.label,
                                          seeds: [20_221_129], threads: threadCount, zMax: 4, reference: ValidationReference(a))
            if !report.passed { failures += 1 }
            let r = report.reference
            try sink.row([c.widths, c.sigma2, c.biases ? "yes" : "no", "\(run.samplesCompleted)",
                          String(format: "%.1f", run.wallSeconds), report.zText(report.zMean), report.zText(report.zSecond),
                          report.zText(report.zMeanGI), report.zText(report.zSecondGI), report.g(run.moments.dispersion, 5),
                          report.g(r.exactSecond / (r.exactMean * r.exactMean), 5), report.passed ? "pass" : "FAIL"])
        }
        try sink.end()
        io.write("z = (Monte Carlo − model)/standard error for E[Θ] and E[Θ²]; pass when |z| ≤ 4 against the exact recursion.\n")
        io.write("dispersion_mc is the plug-in estimate (biased low for heavy tails); fixed seed 20221129.\n")
        if failures > 0 { throw ValidationFailure(description: "\(failures) of \(Self.cases.count) suite cases failed") }
    }
}
