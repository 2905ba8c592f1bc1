import ArgumentParser
import Foundation
import Multiprecision
import NTKMoments
import NTKOutput

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

    @Option(help: "Output format.")
    var format: MomentsFormat = .text

    static let maximumInputs = 5000
    static let maximumSeconds = 600.0

    func validate() throws {
        try precision?.check("--precision", BigFloat.minimumPrecision...100_000)
        try digits?.check("--digits", 1...10_000)
        if precision != nil && arithmetic == .double {
            throw ValidationError("--precision applies to MPFR and --certified arithmetic, not to --double")
        }
        let forms = [correlation != nil, gram != nil, inputs != nil].filter { $0 }.count
        if forms > 1 { throw ValidationError("give at most one of --correlation, --gram, --inputs") }
        for r in correlation?.elements ?? [] where r.value < BigRational(-1) || BigRational(1) < r.value {
            throw ValidationError("--correlation \(Arguments.quoted(r.text)) is out of range: a correlation lies in [-1, 1]")
        }
    }

    var outputDigits: Int { digits?.value ?? (arithmetic == .double ? 16 : 20) }

    /// The working precision: the requested digits, 24 guard bits and the bits a depth-L
    /// interval recursion loses (about log₂ L + 4).
    func workingPrecision(depth: Int) -> Int {
        if let p = precision?.value { return p }
        if arithmetic == .certified { return ArithmeticOptions.defaultPrecision }
        return digitsToBits(outputDigits) + 24 + 2 * (Int.bitWidth - depth.leadingZeroBitCount)
    }

    func execute(_ io: CommandIO) throws {
        let (sigma2, inputNorm2) = try scale.values()
        let a = try network.architecture(sigma2: sigma2, inputNorm2: inputNorm2)
        let job = try KernelJob(self, architecture: a)
        let p = workingPrecision(depth: a.depth)
        try checkCost(a, pairs: job.pairCount, precision: p)
        let rows: [[FormattedKernelValues]]
        let label: String
        switch arithmetic {
        case .double:
            guard DoubleArithmetic.supportedRange.contains(a.sigma2) else {
                throw UsageError("--double handles σ² from 1e-30 to 1e30 (got --sigma2 \(Arguments.quoted(exactDecimal(a.sigma2)))); omit --double")
            }
            let kernel = try InfiniteWidthKernel(architecture: a)
            let d = min(outputDigits, InfiniteWidthKernel.conservativeDigits(depth: a.depth))
            let bound = BigFloat(64 * Double(a.depth + 1), precision: 64).timesPowerOfTwo(-53)
            rows = try job.run(kernel.recursion) { v in
                guard v.isFinite else { throw UsageError("a kernel value overflows double precision; omit --double") }
                let f = BigFloat(v, precision: 53)
                let delta = BigFloat.product(f.magnitude(), bound, precision: 64, rounding: .up)
                let e = Enclosure(lower: .difference(f, delta, precision: 64, rounding: .down), upper: .sum(f, delta, precision: 64, rounding: .up))
                return FormattedValue(.rounded(f, enclosure: e), digits: d)
            }
            label = "IEEE double; at most \(d) significant digits shown, by a conservative estimate of the rounding error (64(L+1)·2^-53 relative; not certified)"
        case .mpfr:
            let kernel = InfiniteWidthKernelRecursion(architecture: a, arithmetic: try EnclosureKernelArithmetic(precision: p))
            rows = try job.run(kernel) { FormattedValue(.rounded($0.lower, enclosure: $0), digits: outputDigits) }
            label = "MPFR \(p)-bit intervals (outward rounding); at most \(outputDigits) significant digits shown, each guaranteed by the interval"
        case .certified:
            let kernel = InfiniteWidthKernelRecursion(architecture: a, arithmetic: try EnclosureKernelArithmetic(precision: p))
            rows = try job.run(kernel) { FormattedValue(.enclosure($0), digits: outputDigits) }
            label = "certified enclosures (MPFR intervals, \(p)-bit, outward rounding); digits shown are shared by every point of the enclosure"
        }
        let report = KernelReport(architecture: a, job: job, rows: rows, arithmetic: arithmetic, precision: arithmetic == .double ? nil : p,
                                  label: label, digits: outputDigits)
        switch format {
        case .text: io.write(report.text())
        case .json: io.write(report.json().serialized(pretty: true) + "\n")
        case .csv: io.write(report.csv())
        }
    }

    /// Refuses jobs that would run for more than `maximumSeconds` (measured costs per layer
    /// step, 2 threads: about 50 ns in Double, 60 µs at 256 bits for MPFR intervals).
    func checkCost(_ a: Architecture, pairs: Int, precision p: Int) throws {
        let steps = Double(pairs) * Double(a.depth)
        let perStep = arithmetic == .double ? 5e-8 : 6e-5 * pow(max(Double(p), 64) / 256, 1.6)
        let seconds = steps * perStep
        if seconds > Self.maximumSeconds {
            throw UsageError("this kernel (\(pairs) pair(s), depth \(a.depth)) would take about \(Int(seconds)) s; use fewer inputs, a smaller depth\(arithmetic == .double ? "" : ", --digits or --double")")
        }
    }
}

/// One printed kernel entry.
struct FormattedKernelValues {
    var ntk: FormattedValue
    var nngp: FormattedValue
    var normalized: FormattedValue
    var diagonal1: FormattedValue
    var diagonal2: FormattedValue
}

/// What `ntk kernel` evaluates: a list of Gram triples (correlation grid or one --gram) or the
/// pairs of an inputs file.
struct KernelJob {
    enum Kind {
        case correlations([RationalArgument], norm2: BigRational)
        case gram(q1: BigRational, q2: BigRational, c: BigRational)
        case vectors([[BigRational]])
    }
    let kind: Kind

    init(_ command: KernelCommand, architecture a: Architecture) throws {
        if let text = command.gram {
            let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 3, text.count <= 3000,
                  let values = try? parts.map({ try BigRational(parsing: $0) }) else {
                throw UsageError("--gram \(Arguments.quoted(text)) is not three numbers q1,q2,c")
            }
            guard values[0].signum >= 0, values[1].signum >= 0 else {
                throw UsageError("--gram \(Arguments.quoted(text)) is out of range: squared norms q1, q2 must not be negative")
            }
            guard values[2] * values[2] <= values[0] * values[1] else {
                throw UsageError("--gram \(Arguments.quoted(text)) is not a Gram matrix: c² > q1·q2 (it is not positive semidefinite)")
            }
            for (v, name) in zip(values, ["q1", "q2", "c"]) {
                try Arguments.checkMagnitude(v, text: text, flag: "--gram (\(name))", digits: 400)
            }
            kind = .gram(q1: values[0], q2: values[1], c: values[2])
        } else if let path = command.inputs {
            kind = .vectors(try Self.readInputs(path, dimension: a.inputDimension))
        } else {
            kind = .correlations(command.correlation?.elements ?? ArgumentList<RationalArgument>("0:1:0.1").elements, norm2: a.inputNorm2)
        }
    }

    /// Off-diagonal pairs to evaluate.
    var pairCount: Int {
        switch kind {
        case .correlations(let r, _): return r.count
        case .gram: return 1
        case .vectors(let v): return max(1, v.count * (v.count - 1) / 2)
        }
    }

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
            guard rows.count <= KernelCommand.maximumInputs else {
                throw UsageError("\(origin): more than \(KernelCommand.maximumInputs) inputs")
            }
        }
        guard !rows.isEmpty else { throw UsageError("\(origin): no input vectors in the file") }
        return rows
    }

    /// Every entry, formatted by `format`: one row per correlation or Gram triple, or the n×n matrix.
    func run<A: KernelArithmetic>(_ kernel: InfiniteWidthKernelRecursion<A>,
                                  format: (A.Scalar) throws -> FormattedValue) throws -> [[FormattedKernelValues]] {
        func formatted(_ v: KernelValues<A.Scalar>) throws -> FormattedKernelValues {
            FormattedKernelValues(ntk: try format(v.ntk), nngp: try format(v.nngp), normalized: try format(v.normalized),
                                  diagonal1: try format(v.ntkDiagonal1), diagonal2: try format(v.ntkDiagonal2))
        }
        switch kind {
        case .correlations(let rhos, let q):
            return try rhos.map { [try formatted(try kernel.evaluate(q1: q, q2: q, c: $0.value * q))] }
        case .gram(let q1, let q2, let c):
            return [[try formatted(try kernel.evaluate(q1: q1, q2: q2, c: c))]]
        case .vectors(let vectors):
            let a = kernel.arithmetic
            let gram: KernelGram<A.Scalar>
            // Double: angles from the unit vectors' differences, not from the cancelling defect.
            if A.Scalar.self == Double.self,
               let g = InfiniteWidthKernel.gram(vectors.map { $0.map { BigFloat($0, precision: 53).doubleValue() } }) as? KernelGram<A.Scalar> {
                gram = g
            } else {
                gram = KernelGram(vectors: vectors.map { $0.map { a.constant($0) } }, zero: a.constant(0))
            }
            let m = kernel.matrix(gram: gram, threads: 2)
            return try m.ntk.indices.map { i in
                try m.ntk.indices.map { j in
                    FormattedKernelValues(ntk: try format(m.ntk[i][j]), nngp: try format(m.nngp[i][j]), normalized: try format(m.normalized[i][j]),
                                          diagonal1: try format(m.ntk[i][i]), diagonal2: try format(m.ntk[j][j]))
                }
            }
        }
    }
}
