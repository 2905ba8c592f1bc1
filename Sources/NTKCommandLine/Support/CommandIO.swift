import Foundation
import NTKOutput
import Experiments

/// Where a command's output goes. The real tool streams to the process's stdout/stderr; the
/// test suite captures both in memory, so the whole command layer runs in-process.
public final class CommandIO: @unchecked Sendable {
    public enum Destination { case process, capture }
    public let destination: Destination
    public private(set) var capturedStandardOutput = ""
    public private(set) var capturedStandardError = ""
    private let lock = NSLock()

    public init(_ destination: Destination) { self.destination = destination }

    public func write(_ text: String) {
        switch destination {
        case .process: FileHandle.standardOutput.write(Data(text.utf8))
        case .capture: lock.lock(); capturedStandardOutput += text; lock.unlock()
        }
    }

    public func writeError(_ text: String) {
        switch destination {
        case .process: FileHandle.standardError.write(Data(text.utf8))
        case .capture: lock.lock(); capturedStandardError += text; lock.unlock()
        }
    }

    /// True when progress lines may be drawn (the real stderr is a terminal).
    public var standardErrorIsTerminal: Bool {
        destination == .process && isatty(2) == 1
    }

    /// When set, long commands report their status lines here (at most ten a second) instead
    /// of drawing them on a terminal; the engine forwards them to its client.
    public var progressHandler: (@Sendable (String) -> Void)?

    /// The status line of a long command: to `progressHandler` when one is set, to the
    /// terminal when stderr is one, else none.
    public func progressLine() -> ProgressLine? {
        guard let handler = progressHandler else { return standardErrorIsTerminal ? ProgressLine() : nil }
        return ProgressLine(isTerminal: true, initialDelay: .zero, minimumInterval: .milliseconds(100),
                            now: { ContinuousClock.now }, emit: { drawn in
            // ProgressLine draws "\r" + text + erase-to-end-of-line; the handler wants the text.
            let text = drawn.replacingOccurrences(of: "\r", with: "").replacingOccurrences(of: ProgressLine.eraseToEndOfLine, with: "")
            if !text.isEmpty { handler(text) }
        })
    }
}

extension CommandIO {
    /// Runs an experiment with its progress reports on this output's status line (a terminal
    /// or the engine's client; none otherwise), cleared when the experiment ends.
    func run<E: Experiment>(_ experiment: E) throws -> E.Result {
        try withContext { try experiment.run($0) }
    }

    /// Calls `body` with a context whose progress reports go to this output's status line,
    /// cleared when `body` returns: for commands that run an experiment in several steps.
    func withContext<T>(_ body: (ExperimentContext) throws -> T) throws -> T {
        guard let line = progressLine() else { return try body(ExperimentContext()) }
        let box = ProgressBox(line)
        defer { box.finish() }
        return try body(ExperimentContext { progress in box.update(progress.text) })
    }

    /// Writes the JSON document of a command that has no typed result yet, brought to the
    /// JSON contract (`LegacyDocument`), pretty-printed.
    func writeJSON(_ document: JSONValue) {
        write(LegacyDocument.conform(document).serialized(pretty: true) + "\n")
    }

    /// Writes a result document: the encoding of its result type, pretty-printed.
    func writeDocument<R: ExperimentResult>(_ result: R) throws {
        write(try JSONValueEncoder().encode(result).serialized(pretty: true) + "\n")
    }
}

/// A status line shared by the threads that report progress.
private final class ProgressBox: @unchecked Sendable {
    private let line: ProgressLine
    private let lock = NSLock()
    init(_ line: ProgressLine) { self.line = line }
    func update(_ text: String) {
        lock.lock()
        defer { lock.unlock() }
        line.update(text)
    }
    func finish() {
        lock.lock()
        defer { lock.unlock() }
        line.finish()
    }
}

/// A bad command line or a refused job: exit code 2 and one line on stderr.
public struct UsageError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A computation that ran but whose result does not hold at the requested setting (e.g. a 1/M
/// expansion too close to the phase boundary): exit code 3, like an inconclusive validation;
/// the report (if any) says so on stdout and `description` is the one line on stderr.
public struct ResultDoesNotHold: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A validation that ran and failed: exit code 1.
public struct ValidationFailure: Error, CustomStringConvertible {
    public let description: String
}
