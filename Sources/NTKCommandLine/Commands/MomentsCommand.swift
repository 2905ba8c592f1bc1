import ArgumentParser
import Experiments
import Foundation
import Multiprecision
import NTKMoments
import NTKOutput

/// Which arithmetic evaluates the recursion: one flag of four.
enum ArithmeticChoice: String, EnumerableFlag, Sendable {
    case mpfr, exact, double, certified

    static func help(for value: ArithmeticChoice) -> ArgumentHelp? {
        switch value {
        case .mpfr: return "MPFR arithmetic, rounding to nearest."
        case .exact: return "Exact rational arithmetic (GMP)."
        case .double: return "IEEE double arithmetic with a binary scale exponent."
        case .certified: return "Certified enclosures (interval arithmetic with outward rounding)."
        }
    }
}

/// Arithmetic flags of `moments` (the request's arithmetic, precision, digits and exact-size limit).
struct ArithmeticOptions: ParsableArguments {
    @Flag var arithmetic: ArithmeticChoice = .mpfr

    @Option(parsing: .unconditional,
            help: "Working precision in bits. MPFR default: enough for --digits guaranteed digits (at least 128); --certified default: 128.")
    var precision: IntegerArgument?

    @Option(parsing: .unconditional,
            help: "Significant digits to print (default 20; 16 with --double). Rounded arithmetics print only the digits their error bound guarantees.")
    var digits: IntegerArgument?

    @Option(name: .customLong("max-digits"), parsing: .unconditional,
            help: "Refuse --exact when the rationals would exceed this many digits.")
    var maxDigits = IntegerArgument(MomentsRequest.defaultMaxDigits)

    func validate() throws {
        try precision?.check("--precision", MomentsRequest.precisionRange)
        try digits?.check("--digits", MomentsRequest.digitsRange)
        try maxDigits.check("--max-digits", MomentsRequest.maxDigitsRange)
    }
}

struct MomentsCommand: NTKSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "moments",
        abstract: "E[Θ], E[Θ²], Var[Θ], the dispersion E[Θ²]/E[Θ]² and P(dead) for one network.")

    @OptionGroup var network: NetworkOptions
    @OptionGroup var scale: ScaleOptions
    @OptionGroup var arithmetic: ArithmeticOptions

    @Option(help: "exact (the real network) or gi (gradient-independence approximation).")
    var model: MomentModel = .exact

    @OptionGroup var output: OutputOptions<ReportOrCSVFormat>

    @Flag(name: .customLong("per-layer"), help: "Also print each layer's contribution to E[Θ] (depth ≤ 10^6; text or json).")
    var perLayer = false

    @Option(name: .customLong("max-moment"), parsing: .unconditional,
            help: "Also E[Θ^k] for k = 3 … p (p ≤ 8), the normalized moments E[Θ^k]/E[Θ]^k, the skewness (p ≥ 3) and the excess kurtosis (p ≥ 4).")
    var maxMoment: IntegerArgument?

    @Flag(name: .customLong("first-step"),
          help: "Also E[fQ] (Q = ⟨∇Θ, ∇f⟩): −E[fQ] is the smooth first-order mean change E[ΔΘ]/η of one gradient step (fixed activation patterns), with E[fQ]/E[Θ] and E[fQ]/E[Θ]² (exact model only).")
    var firstStep = false

    @OptionGroup var runTime: RunTimeLimitOption<MomentsRunTime>

    func validate() throws {
        try maxMoment?.check("--max-moment", MomentsRequest.maxMomentRange)
        if perLayer && output.format == .csv {
            throw ValidationError("--per-layer is not available with --output.format csv (one row per network); use --output.format json or text")
        }
    }

    /// The typed request these options describe.
    func request() throws -> MomentsRequest {
        let (sigma2, inputNorm2) = try scale.values()
        let a = try network.architecture(sigma2: sigma2, inputNorm2: inputNorm2)
        return MomentsRequest(network: a, model: model, arithmetic: MomentsRequest.Arithmetic(rawValue: arithmetic.arithmetic.rawValue)!,
                              precision: arithmetic.precision?.value, digits: arithmetic.digits?.value,
                              maxDigits: arithmetic.maxDigits.value, maxMoment: maxMoment?.value,
                              firstStep: firstStep, perLayer: perLayer, maximumSeconds: runTime.seconds)
    }

    func execute(_ io: CommandIO) throws { try output.writing(io) { try produce($0) } }

    func produce(_ io: CommandIO) throws {
        let request = try request()
        if let note = try request.costNote() { io.writeError("ntk: note: \(note)\n") }
        let result = try io.run(request)
        let report = MomentsReport(result)
        switch output.format {
        case .json: try io.writeDocument(result)
        case .csv: io.write(report.csv())
        case .text: io.write(report.text())
        }
    }
}

/// What `--max-seconds` of `ntk moments` limits.
enum MomentsRunTime: RunTimeLimitSubject {
    static let help = "Refuse, before any work, when --max-moment is estimated to take longer than this (seconds; at most one year)."
}
