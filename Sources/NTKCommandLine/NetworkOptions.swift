import ArgumentParser
import Foundation
import Multiprecision
import NTKMoments

/// The flags that describe a network, shared by `moments`, `symbolic` and `validate`.
struct NetworkOptions: ParsableArguments {
    @Option(help: "Widths n0,n1,…,n_{L-1}: comma list; NxK = K layers of width N; (a,b)xK repeats a group.")
    var widths: String?

    @Option(name: .customLong("widths-file"), help: "Read the width list from a file (same syntax, any white space).")
    var widthsFile: String?

    @Option(help: "Constant hidden width M (with --depth).")
    var width: String?

    @Option(help: "Depth L = number of weight layers (with --width).")
    var depth: String?

    @Option(name: .customLong("input-dim"), help: "Input dimension n0 (with --width/--depth; default M).")
    var inputDim: String?

    @Flag(name: .customLong("no-bias"), help: "Weights-only NTK (biases not trainable, β = 0).")
    var noBias = false

    /// The widths as (n₀, hidden runs), from whichever of the three forms was given.
    func widthRuns() throws -> (Int, [WidthRun]) {
        let forms = [widths != nil, widthsFile != nil, width != nil || depth != nil].filter { $0 }.count
        guard forms == 1 else {
            throw UsageError(forms == 0
                ? "no architecture given; use --widths LIST, --widths-file FILE, or --width M --depth L"
                : "give exactly one of --widths, --widths-file, or --width/--depth")
        }
        if let text = widths {
            return try parseWidthList(text, origin: "--widths")
        }
        if let path = widthsFile {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw UsageError("--widths-file \(Arguments.quoted(path)): cannot read the file")
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw UsageError("--widths-file \(Arguments.quoted(path)): not UTF-8 text")
            }
            return try parseWidthList(text, origin: "--widths-file \(Arguments.quoted(path))")
        }
        guard let widthText = width, let depthText = depth else {
            throw UsageError("--width and --depth must be given together")
        }
        let m = try Arguments.integer(widthText, flag: "--width", range: 1...Architecture.maximumWidth)
        let l = try Arguments.integer(depthText, flag: "--depth", range: 1...(Architecture.maximumDepth - 1))
        let n0 = try inputDim.map { try Arguments.integer($0, flag: "--input-dim", range: 1...Architecture.maximumWidth) } ?? m
        return (n0, l > 1 ? [WidthRun(width: m, count: l - 1)] : [])
    }

    func validateNoStrayInputDim() throws {
        if inputDim != nil && width == nil {
            throw UsageError("--input-dim goes with --width/--depth (with --widths the first entry is n0)")
        }
    }

    private func parseWidthList(_ text: String, origin: String) throws -> (Int, [WidthRun]) {
        do {
            let parsed = try WidthList.parse(text)
            return (parsed.inputDimension, parsed.hiddenRuns)
        } catch let e as WidthList.ParseError {
            throw UsageError("\(origin): \(e.description)")
        }
    }

    func architecture(sigma2: BigRational, inputNorm2: BigRational) throws -> Architecture {
        try validateNoStrayInputDim()
        let (n0, runs) = try widthRuns()
        do {
            return try Architecture(inputDimension: n0, hiddenRuns: runs, sigma2: sigma2, inputNorm2: inputNorm2,
                                    trainableBiases: !noBias)
        } catch let e as Architecture.InvalidArchitecture {
            throw UsageError(e.description)
        }
    }
}

/// σ² and ‖x‖².
struct ScaleOptions: ParsableArguments {
    @Option(help: "Weight variance σ² (exact rational: 2, 5/2, 2.5, 1e-1).")
    var sigma2: String?

    @Option(name: .customLong("input-norm2"), help: "Squared input norm ‖x‖² (default 1).")
    var inputNorm2: String = "1"

    func values() throws -> (BigRational, BigRational) {
        guard let s = sigma2 else { throw UsageError("--sigma2 is required (e.g. --sigma2 2)") }
        return (try Arguments.positiveRational(s, flag: "--sigma2", maximumMagnitudeDigits: 200),
                try Arguments.nonNegativeRational(inputNorm2, flag: "--input-norm2", maximumMagnitudeDigits: 400))
    }
}

/// `--model exact|gi`.
func parseModel(_ text: String) throws -> MomentModel {
    switch text.lowercased() {
    case "exact": return .exact
    case "gi", "gradient-independence": return .gradientIndependence
    default: throw UsageError("--model \(Arguments.quoted(text)): allowed: exact, gi")
    }
}

/// Summarises an architecture in one line for text output.
func describe(_ a: Architecture) -> String {
    var parts: [String] = ["n0=\(a.inputDimension)"]
    let runs = a.hiddenRuns
    if runs.isEmpty {
        parts.append("no hidden layer")
    } else if runs.count <= 6 {
        parts.append("hidden " + runs.map { $0.count == 1 ? "\($0.width)" : "\($0.width)x\($0.count)" }.joined(separator: ","))
    } else {
        parts.append("hidden widths in \(runs.count) runs")
    }
    parts.append("L=\(a.depth)")
    parts.append("σ²=\(a.sigma2)")
    parts.append("‖x‖²=\(a.inputNorm2)")
    parts.append(a.trainableBiases ? "trainable biases" : "no biases")
    return parts.joined(separator: ", ")
}

/// The compact width list n₀,… (runs as NxK), for echoing an architecture.
func compactWidths(_ a: Architecture, limit: Int = 10_000) -> String {
    var items = ["\(a.inputDimension)"]
    for run in a.hiddenRuns.prefix(limit) {
        items.append(run.count == 1 ? "\(run.width)" : "\(run.width)x\(run.count)")
    }
    if a.hiddenRuns.count > limit { items.append("…") }
    return items.joined(separator: ",")
}
