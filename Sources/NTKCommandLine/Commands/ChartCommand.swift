import ArgumentParser
import Experiments
import Foundation
import Multiprecision
import NTKMoments
import NTKOutput

struct ChartCommand: NTKSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "chart",
        abstract: "Self-contained SVG charts: dispersion against λ, or convergence against M.",
        discussion: """
        --kind dispersion: E[Θ²]/E[Θ]² against λ for each σ² — finite-M curves of the exact recursion \
        (L = round(λM)), the exact limit and the published limit (GI-derived at σ² = 2); log y axis. \
        --kind convergence: |R_M − R_∞| against M on log–log axes for each (σ², λ), against both \
        limits, with a slope −1 reference line.
        """)

    /// The chart kinds (`ChartRequest.Kind`).
    typealias Kind = ChartRequest.Kind

    @Option(help: "Chart kind.")
    var kind: Kind = .dispersion

    @Option(parsing: .unconditional, help: "Comma list of σ² values (at most 8).")
    var sigma2 = ArgumentList<RationalArgument>("1.5,2,2.5")

    @Option(parsing: .unconditional, help: "convergence: comma list of λ values.")
    var lambda = ArgumentList<RationalArgument>("0.5,1")

    @Option(name: .customLong("lambda-max"), parsing: .unconditional, help: "dispersion: largest λ on the x axis.")
    var lambdaMax = RationalArgument(1)

    @Option(parsing: .unconditional, help: "dispersion: number of λ points.")
    var points = IntegerArgument(40)

    @Option(name: .customLong("widths-grid"), parsing: .unconditional,
            help: "Widths M (default: 10,100 for dispersion; 100 for depth; 10,…,100000 for convergence).")
    var widthsGrid: ArgumentList<IntegerArgument>?

    @Option(parsing: .unconditional, help: "depth: the depths L on the x axis (list or range a:b[:step]).")
    var depths = ArgumentList<IntegerArgument>("1:49")

    @Option(parsing: .upToNextOption,
            help: "dispersion, depth: overlay Monte Carlo points (plug-in dispersion ± delta-method s.e.) from `ntk validate --format json` files (a folder: every .json file in it).")
    var overlay: [String] = []

    @Flag(help: "With --overlay: skip files whose network is not charted (one stderr line each) instead of refusing them.")
    var skipUnmatched = false

    @Option(parsing: .upToNextOption,
            help: "offdiag-correlation, offdiag-depth: JSON files of `ntk offdiag --format json` (e.g. one per σ²); nothing is simulated here.")
    var offdiag: [String] = []

    @Option(parsing: .unconditional, help: "offdiag-depth: the correlations ρ drawn against depth (list or range; default: 0,0.5,0.9).")
    var correlation: ArgumentList<RationalArgument>?

    /// `--rho`: the name `chart` once had for `--correlation`, still read, no longer shown.
    @Option(parsing: .unconditional, help: .hidden)
    var rho: ArgumentList<RationalArgument>?

    /// The correlations of `--correlation` (or `--rho`), or the default.
    var correlations: [BigRational] {
        ((correlation ?? rho)?.elements.map(\.value)) ?? [0, BigRational(1, 2), BigRational(9, 10)]
    }

    @OptionGroup var input: StudyInputOptions

    @OptionGroup var outputFile: OutputFileOption

    func validate() throws {
        if correlation != nil && rho != nil { throw ValidationError("--rho is another name of --correlation: give the correlations once") }
        // Syntax only; the ranges are the request's (`ChartRequest.check`).
        for s in sigma2.elements { try s.checkPositive("--sigma2", maximumMagnitudeDigits: 60) }
        for l in lambda.elements { try l.checkPositive("--lambda", maximumMagnitudeDigits: 30) }
        try lambdaMax.checkPositive("--lambda-max", maximumMagnitudeDigits: 30)
    }

    /// The typed request these options describe, with the files of --overlay and --offdiag read.
    func request() throws -> ChartRequest {
        let (r, x) = try input.values()
        var request = ChartRequest(kind: kind, sigma2: sigma2.elements.map(\.value), lambda: lambda.elements.map(\.value),
                                   lambdaMax: lambdaMax.value, points: points.value, widths: widthsGrid?.elements.map(\.value),
                                   depths: depths.elements.map(\.value), correlations: correlations,
                                   inputRatio: r, inputNorm2: x, biases: !input.noBias, skipUnmatched: skipUnmatched)
        request.overlay = try overlayFiles().map { path in
            try ChartRequest.OverlayPoint(source: Arguments.quoted(path), document: try Self.readJSON(path, flag: "--overlay"))
        }
        request.offdiag = try offdiag.map { path in
            try ChartRequest.OffDiagSource(source: Arguments.quoted(path), document: try Self.readJSON(path, flag: "--offdiag"))
        }
        return request
    }

    /// The files of --overlay: each file given, and every .json file of each folder given.
    func overlayFiles() throws -> [String] {
        var files: [String] = []
        for path in overlay {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
                let json = names.filter { $0.hasSuffix(".json") }.sorted()
                guard !json.isEmpty else { throw UsageError("--overlay \(Arguments.quoted(path)): the folder holds no .json file") }
                files += json.map { (path as NSString).appendingPathComponent($0) }
            } else {
                files.append(path)
            }
        }
        return files
    }

    static func readJSON(_ path: String, flag: String) throws -> JSONValue {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw UsageError("\(flag) \(Arguments.quoted(path)): cannot read the file")
        }
        do { return try JSONParser().parse(text) } catch { throw UsageError("\(flag) \(Arguments.quoted(path)): not JSON (\(error))") }
    }

    func execute(_ io: CommandIO) throws {
        let request = try request()
        // The file is opened before the work, so that a bad path is refused up front.
        try outputFile.writing(io) { out in
            let result = try out.run(request)
            out.write(result.svg)
            for note in result.notes { out.writeError("ntk: note: \(note)\n") }
        }
    }
}

extension ChartRequest.Kind: ExpressibleByArgument {}
