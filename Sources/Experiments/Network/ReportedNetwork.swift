import Multiprecision
import NTKMoments
import NTKOutput

/// A network as requests name it and results echo it, flattened into the parent object:
/// `widths` (the compact list `n0,MxK,…`), `input_dim`, `depth`, `sigma2`, `input_norm2`
/// (real quantities, exact) and `biases`.
public struct ReportedNetwork: Sendable, Equatable, JSONSiblingFieldsOnly {
    public var architecture: Architecture

    public init(_ architecture: Architecture) { self.architecture = architecture }

    /// The compact width list n₀,… (runs as NxK), for echoing an architecture.
    public static func compactWidths(_ a: Architecture, limit: Int = 10_000) -> String {
        var items = ["\(a.inputDimension)"]
        for run in a.hiddenRuns.prefix(limit) {
            items.append(run.count == 1 ? "\(run.width)" : "\(run.width)x\(run.count)")
        }
        if a.hiddenRuns.count > limit { items.append("…") }
        return items.joined(separator: ",")
    }
}

extension ReportedNetwork {
    public func jsonMembers(named _: String) -> [(key: String, value: JSONValue)] {
        let a = architecture
        return [("widths", .string(Self.compactWidths(a))), ("input_dim", .number("\(a.inputDimension)")),
                ("depth", .number("\(a.depth)"))]
            + ReportedReal.exact(a.sigma2).jsonMembers(named: "sigma2")
            + ReportedReal.exact(a.inputNorm2).jsonMembers(named: "input_norm2")
            + [("biases", .bool(a.trainableBiases))]
    }

    public static func jsonMemberNames(named _: String) -> [String] { ["widths"] }

    public init(jsonMembers member: (String) -> JSONValue?, named _: String) throws {
        func exact(_ key: String) throws -> BigRational {
            let text = member("\(key)_exact")?.stringValue ?? member(key)?.numberText ?? member(key)?.stringValue
            guard let text, let r = try? BigRational(parsing: text) else {
                throw JSONValueDecoder.Failure(path: key, reason: "expected an exact number")
            }
            return r
        }
        guard let text = member("widths")?.stringValue else {
            throw JSONValueDecoder.Failure(path: "widths", reason: "expected the width list as a string")
        }
        do {
            let list = try WidthList.parse(text)
            architecture = try Architecture(inputDimension: list.inputDimension, hiddenRuns: list.hiddenRuns,
                                            sigma2: try exact("sigma2"), inputNorm2: try exact("input_norm2"),
                                            trainableBiases: member("biases")?.boolValue ?? true)
        } catch let e as WidthList.ParseError {
            throw JSONValueDecoder.Failure(path: "widths", reason: e.description)
        } catch let e as Architecture.InvalidArchitecture {
            throw JSONValueDecoder.Failure(path: "widths", reason: e.description)
        }
    }
}
