/// One experiment the calculator offers: a typed request that runs to a typed result.
///
/// Every front end — the `ntk` command line, the JSON engine behind the Python package —
/// builds a request, calls `run`, and formats the result; none of them computes anything.
/// Requests are `Codable` so that a client can send them as JSON, and validate their
/// parameters in `run` (an invalid request throws `ExperimentError.invalidRequest` with the
/// one-line message the command line prints).
public protocol Experiment: Sendable, Codable {
    associatedtype Result: ExperimentResult

    /// Runs the experiment, reporting progress to and honouring cancellation of `context`.
    /// - Throws: `ExperimentError` for an invalid or refused request, or a cancelled run.
    func run(_ context: ExperimentContext) throws -> Result
}

/// Why an experiment did not produce a result. The message is one line, phrased for the
/// user, and the same in every front end.
public enum ExperimentError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The request is malformed or out of range (command-line exit code 2).
    case invalidRequest(String)
    /// The request is valid but its estimated cost exceeds the allowed limit (exit code 2).
    case tooExpensive(String)
    /// The run was cancelled (Ctrl-C, a client's interrupt) before it finished.
    case cancelled

    public var description: String {
        switch self {
        case .invalidRequest(let m), .tooExpensive(let m): return m
        case .cancelled: return "cancelled"
        }
    }
}
