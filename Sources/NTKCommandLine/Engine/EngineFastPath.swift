import Experiments
import Multiprecision
import NTKMoments
import NTKOutput

/// The engine's direct route from a request's options to a typed library request, for the
/// calls a notebook makes most (`moments`), without the command-line parser (which costs
/// about three quarters of a small call; docs/python.md).
///
/// It only ever takes a request it is sure the command line would accept the same way: any
/// option it does not know, any value it cannot read, any refusal or failure, and it declines
/// (returns nil) — the engine then runs the request through `NTKTool.run` as before, so every
/// error message is the command line's own. A test compares the answers of both routes over a
/// corpus of requests, byte for byte.
enum EngineFastPath {
    /// The answer's `result` for `request`, or nil when the request must take the full route.
    static func result(of request: EngineRequest, context: ExperimentContext) -> JSONValue? {
        guard request.command == ["moments"], let moments = momentsRequest(request.options) else { return nil }
        // A run long enough to print its estimate takes the full route, which prints it.
        guard (try? moments.costNote()) == nil else { return nil }
        guard let result = try? moments.run(context) else { return nil }
        return try? JSONValueEncoder().encode(result)
    }

    /// The `MomentsRequest` these options describe, as `ntk moments` would build it; nil for
    /// anything else.
    static func momentsRequest(_ options: [(name: String, value: JSONValue)]) -> MomentsRequest? {
        var o = Options()
        for (name, value) in options {
            guard o.record(name.replacingOccurrences(of: "_", with: "-"), value) else { return nil }
        }
        // Exactly one form of widths; the values within the command line's ranges.
        let forms = [o.texts["widths"] != nil, o.texts["width"] != nil || o.texts["depth"] != nil].filter { $0 }.count
        guard forms == 1, o.texts["widths-file"] == nil else { return nil }
        var n0: Int, runs: [WidthRun]
        if let text = o.texts["widths"] {
            guard let list = try? WidthList.parse(text) else { return nil }
            (n0, runs) = (list.inputDimension, list.hiddenRuns)
        } else {
            guard let m = o.integer("width", 1...Architecture.maximumWidth),
                  let l = o.integer("depth", 1...(Architecture.maximumDepth - 1)) else { return nil }
            n0 = m
            if o.texts["input-dim"] != nil {
                guard let d = o.integer("input-dim", 1...Architecture.maximumWidth) else { return nil }
                n0 = d
            }
            runs = l > 1 ? [WidthRun(width: m, count: l - 1)] : []
        }
        if o.texts["widths"] != nil && o.texts["input-dim"] != nil { return nil }
        guard let sigma2 = o.rational("sigma2", maximumDigits: 200), sigma2.signum > 0 else { return nil }
        var inputNorm2 = BigRational(1)
        if o.texts["input-norm2"] != nil {
            guard let x = o.rational("input-norm2", maximumDigits: 400), x.signum >= 0 else { return nil }
            inputNorm2 = x
        }
        guard let network = try? Architecture(inputDimension: n0, hiddenRuns: runs, sigma2: sigma2, inputNorm2: inputNorm2,
                                              trainableBiases: !o.flags.contains("no-bias")) else { return nil }
        let arithmetics = MomentsRequest.Arithmetic.allCases.filter { o.flags.contains($0.rawValue) }
        guard arithmetics.count <= 1 else { return nil }
        var request = MomentsRequest(network: network, arithmetic: arithmetics.first ?? .mpfr,
                                     firstStep: o.flags.contains("first-step"), perLayer: o.flags.contains("per-layer"))
        if let model = o.texts["model"] {
            guard let m = MomentModel(rawValue: model) else { return nil }
            request.model = m
        }
        for (key, range) in [("precision", MomentsRequest.precisionRange), ("digits", MomentsRequest.digitsRange),
                             ("max-digits", MomentsRequest.maxDigitsRange), ("max-moment", MomentsRequest.maxMomentRange)]
        where o.texts[key] != nil {
            guard let v = o.integer(key, range) else { return nil }
            switch key {
            case "precision": request.precision = v
            case "digits": request.digits = v
            case "max-digits": request.maxDigits = v
            default: request.maxMoment = v
            }
        }
        if let format = o.texts["format"], format != "json" { return nil }
        guard (try? request.check()) != nil else { return nil }
        return request
    }

    /// The options of one request, read as the command line reads them.
    struct Options {
        static let valued: Set<String> = ["widths", "width", "depth", "input-dim", "sigma2", "input-norm2", "model",
                                          "precision", "digits", "max-digits", "max-moment", "format", "widths-file"]
        static let flagNames: Set<String> = ["no-bias", "mpfr", "exact", "double", "certified", "first-step", "per-layer"]
        var texts: [String: String] = [:]
        var flags: Set<String> = []

        /// False for anything the command line might read differently: unknown or repeated
        /// names, values of the wrong shape.
        mutating func record(_ name: String, _ value: JSONValue) -> Bool {
            if Self.flagNames.contains(name) {
                guard !flags.contains(name) else { return false }
                switch value {
                case .bool(true): flags.insert(name)
                case .bool(false), .null: break
                default: return false
                }
                return true
            }
            guard Self.valued.contains(name), texts[name] == nil else { return false }
            switch value {
            case .null, .bool(false): return true
            case .number(let t), .string(let t): texts[name] = t
            case .array(let elements) where name == "widths":
                var parts: [String] = []
                for e in elements {
                    guard case .number(let t) = e else { return false }
                    parts.append(t)
                }
                texts[name] = parts.joined(separator: ",")
            default: return false
            }
            return true
        }

        func integer(_ name: String, _ range: ClosedRange<Int>) -> Int? {
            guard let t = texts[name], let v = Int(t), range.contains(v) else { return nil }
            return v
        }

        func rational(_ name: String, maximumDigits: Int) -> BigRational? {
            guard let t = texts[name], t.count <= 1000, let v = try? BigRational(parsing: t),
                  Arguments.magnitudeFits(v, digits: maximumDigits) else { return nil }
            return v
        }
    }
}
