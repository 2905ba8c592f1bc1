import ArgumentParser
import Foundation
import Multiprecision
import NTKMoments
import NTKOutput
import Experiments

/// Which arithmetic evaluates the kernel.
enum KernelArithmeticChoice: String, EnumerableFlag, Sendable {
    case mpfr, certified, double

    static func help(for value: KernelArithmeticChoice) -> ArgumentHelp? {
        switch value {
        case .mpfr: return "MPFR intervals with guard bits; prints only the digits the interval guarantees (default)."
        case .certified: return "Certified enclosures at --precision (default 128), with their bounds."
        case .double: return "IEEE double; digits labelled by a conservative (not rigorous) error estimate."
        }
    }
}

struct KernelCommand: NTKSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "kernel",
        abstract: "The infinite-width NTK Θ*(x, x′) and NNGP Σ*(x, x′) for two inputs or a whole kernel matrix.")

    @OptionGroup var network: NetworkOptions
    @OptionGroup var scale: ScaleOptions

    @Option(parsing: .unconditional,
            help: "Correlation ρ = ⟨x, x′⟩/(‖x‖‖x′‖) of two inputs of squared norm --input-norm2: a value, a list or a range a:b:step (default 0:1:0.1).")
    var correlation: ArgumentList<RationalArgument>?

    @Option(help: "A Gram triple q1,q2,c = ‖x‖², ‖x′‖², ⟨x, x′⟩ (exact rationals).")
    var gram: String?

    @Option(help: "CSV file of input vectors, one per row (dimension n0): prints the whole kernel matrix.")
    var inputs: String?

    @Flag var arithmetic: KernelArithmeticChoice = .mpfr

    @Option(parsing: .unconditional, help: "Working precision in bits (MPFR default: enough for --digits; --certified default: 128).")
    var precision: IntegerArgument?

    @Option(parsing: .unconditional, help: "Significant digits to print at most (default 20; 16 with --double).")
    var digits: IntegerArgument?

    @OptionGroup var runTime: RunTimeLimitOption<KernelRunTime>

    @OptionGroup var output: OutputOptions<ReportOrCSVFormat>

    static let maximumInputs = KernelRequest.maximumInputs

    func validate() throws {
        // The ranges and combinations are the request's (`KernelRequest.check`); the forms are
        // refused together here, before --inputs reads its file.
        if [correlation != nil, gram != nil, inputs != nil].filter({ $0 }).count > 1 {
            throw ValidationError("give at most one of --correlation, --gram, --inputs")
        }
    }

    func execute(_ io: CommandIO) throws { try output.writing(io) { try produce($0) } }

    func produce(_ io: CommandIO) throws {
        let (sigma2, inputNorm2) = try scale.values()
        let a = try network.architecture(sigma2: sigma2, inputNorm2: inputNorm2)
        var request = KernelRequest(network: a, arithmetic: KernelRequest.Arithmetic(rawValue: arithmetic.rawValue)!,
                                    precision: precision?.value, digits: digits?.value, maximumSeconds: runTime.seconds)
        if let text = gram {
            request.gram = try Self.parseGram(text)
        } else if let path = inputs {
            request.vectors = try Self.readInputs(path, dimension: a.inputDimension)
        } else if let correlation {
            request.correlation = correlation.elements.map(\.value)
        }
        try request.check()
        if let note = try request.costNote() { io.writeError("ntk: note: \(note)\n") }
        let result = try io.run(request)
        let report = KernelReport(result)
        switch output.format {
        case .text: io.write(report.text())
        case .json: try io.writeDocument(result)
        case .csv: io.write(report.csv())
        }
    }

    static func parseGram(_ text: String) throws -> KernelRequest.Gram {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 3, text.count <= 3000,
              let values = try? parts.map({ try BigRational(parsing: $0) }) else {
            throw UsageError("--gram \(Arguments.quoted(text)) is not three numbers q1,q2,c")
        }
        for (v, name) in zip(values, ["q1", "q2", "c"]) {
            try Arguments.checkMagnitude(v, text: text, flag: "--gram (\(name))", digits: 400)
        }
        // Whether it is a Gram matrix is the request's check (`KernelRequest.check`).
        return KernelRequest.Gram(q1: values[0], q2: values[1], c: values[2])
    }

    /// Reads a CSV file of input vectors (one per row; `#` starts a comment).
    static func readInputs(_ path: String, dimension: Int) throws -> [[BigRational]] {
        let origin = "--inputs \(Arguments.quoted(path))"
        guard let data = FileManager.default.contents(atPath: path) else { throw UsageError("\(origin): cannot read the file") }
        guard let text = String(data: data, encoding: .utf8) else { throw UsageError("\(origin): not UTF-8 text") }
        var rows: [[BigRational]] = []
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            if line.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            var row: [BigRational] = []
            for field in fields {
                guard field.count <= 200, let v = try? BigRational(parsing: field) else {
                    throw UsageError("\(origin): line \(number + 1): \(Arguments.quoted(field)) is not a number")
                }
                row.append(v)
            }
            guard row.count == dimension else {
                if let first = rows.first, first.count != row.count {
                    throw UsageError("\(origin): line \(number + 1) has \(row.count) entries, earlier rows \(first.count): all inputs must have the same dimension")
                }
                throw UsageError("\(origin): line \(number + 1) has \(row.count) entries, but the network's input dimension n0 is \(dimension)")
            }
            rows.append(row)
            guard rows.count <= maximumInputs else {
                throw UsageError("\(origin): more than \(maximumInputs) inputs")
            }
        }
        guard !rows.isEmpty else { throw UsageError("\(origin): no input vectors in the file") }
        return rows
    }
}

/// What `--max-seconds` of `ntk kernel` limits.
enum KernelRunTime: RunTimeLimitSubject {
    static let help = "Refuse, before any work, when the kernel is estimated to take longer than this (seconds; at most one year)."
}
