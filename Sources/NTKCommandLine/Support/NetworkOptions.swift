import ArgumentParser
import Foundation
import Multiprecision
import NTKMoments
import Experiments

/// The flags that describe a network, shared by `moments`, `symbolic` and `validate`.
struct NetworkOptions: ParsableArguments {
    @Option(help: "Widths n0,n1,…,n_{L-1}: comma list; NxK = K layers of width N; (a,b)xK repeats a group.")
    var widths: String?

    @Option(name: .customLong("widths-file"),
            help: "Read the width list from a file: the same syntax, entries separated by commas or any white space (one per line is fine), '#' starts a comment.")
    var widthsFile: String?

    @Option(parsing: .unconditional, help: "Constant hidden width M (with --depth).")
    var width: IntegerArgument?

    @Option(parsing: .unconditional, help: "Depth L = number of weight layers (with --width).")
    var depth: IntegerArgument?

    @Option(name: .customLong("input-dim"), parsing: .unconditional, help: "Input dimension n0 (with --width/--depth; default M).")
    var inputDim: IntegerArgument?

    @Flag(name: .customLong("no-bias"), help: "Weights-only NTK (biases not trainable, β = 0).")
    var noBias = false

    func validate() throws {
        let forms = [widths != nil, widthsFile != nil, width != nil || depth != nil].filter { $0 }.count
        guard forms == 1 else {
            throw ValidationError(forms == 0
                ? "no architecture given; use --widths LIST, --widths-file FILE, or --width M --depth L"
                : "give exactly one of --widths, --widths-file, or --width/--depth")
        }
        if inputDim != nil && width == nil {
            throw ValidationError("--input-dim goes with --width/--depth (with --widths the first entry is n0)")
        }
        if width != nil || depth != nil {
            guard let width, let depth else { throw ValidationError("--width and --depth must be given together") }
            try width.check("--width", 1...Architecture.maximumWidth)
            try depth.check("--depth", 1...(Architecture.maximumDepth - 1))
            try inputDim?.check("--input-dim", 1...Architecture.maximumWidth)
        }
    }

    /// The widths as (n₀, hidden runs), from whichever of the three forms was given.
    func widthRuns() throws -> (Int, [WidthRun]) {
        if let text = widths {
            return try parseWidthList(text, file: false, origin: "--widths")
        }
        if let path = widthsFile {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw UsageError("--widths-file \(Arguments.quoted(path)): cannot read the file")
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw UsageError("--widths-file \(Arguments.quoted(path)): not UTF-8 text")
            }
            return try parseWidthList(text, file: true, origin: "--widths-file \(Arguments.quoted(path))")
        }
        guard let m = width?.value, let l = depth?.value else {
            throw UsageError("--width and --depth must be given together")
        }
        let n0 = inputDim?.value ?? m
        return (n0, l > 1 ? [WidthRun(width: m, count: l - 1)] : [])
    }

    private func parseWidthList(_ text: String, file: Bool, origin: String) throws -> (Int, [WidthRun]) {
        do {
            let parsed = file ? try WidthList.parseFile(text) : try WidthList.parse(text)
            return (parsed.inputDimension, parsed.hiddenRuns)
        } catch let e as WidthList.ParseError {
            throw UsageError("\(origin): \(e.description)")
        }
    }

    func architecture(sigma2: BigRational, inputNorm2: BigRational) throws -> Architecture {
        let (n0, runs) = try widthRuns()
        do {
            return try Architecture(inputDimension: n0, hiddenRuns: runs, sigma2: sigma2, inputNorm2: inputNorm2,
                                    trainableBiases: !noBias)
        } catch let e as Architecture.InvalidArchitecture {
            throw UsageError(e.description)
        }
    }
}
