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

    /// Set for the output of `--output FILE`: stdout goes to `writer`, the rest to `parent`.
    private let redirect: (parent: CommandIO, writer: AtomicFileWriter)?
    /// The first error appending to the redirect's file, thrown when the command ends.
    private var redirectError: (any Error)?

    public init(_ destination: Destination) {
        self.destination = destination
        redirect = nil
    }

    /// An output whose stdout goes to `writer` and whose stderr and progress go to `parent`.
    init(redirecting parent: CommandIO, to writer: AtomicFileWriter) {
        destination = parent.destination
        redirect = (parent, writer)
        progressHandler = parent.progressHandler
    }

    public func write(_ text: String) {
        if let redirect {
            lock.lock()
            defer { lock.unlock() }
            guard redirectError == nil else { return }
            do { try redirect.writer.append(text) } catch { redirectError = error }
            return
        }
        switch destination {
        case .process: FileHandle.standardOutput.write(Data(text.utf8))
        case .capture: lock.lock(); capturedStandardOutput += text; lock.unlock()
        }
    }

    public func writeError(_ text: String) {
        if let redirect { return redirect.parent.writeError(text) }
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

    /// Runs `body` with a context whose progress reports go to this output's status line,
    /// cleared when `body` ends (for experiments run in steps, such as a shard's simulation).
    func withContext<T>(_ body: (ExperimentContext) throws -> T) throws -> T {
        guard let line = progressLine() else { return try body(ExperimentContext()) }
        let box = ProgressBox(line)
        defer { box.finish() }
        return try body(ExperimentContext { progress in box.update(progress.text) })
    }

    /// Runs `body` with its stdout written to `path` atomically instead (nil: to this output).
    /// The file appears complete or not at all: it is committed when `body` returns or ends in
    /// a verdict whose report it holds (a failed or inconclusive validation, a result that does
    /// not hold), and left untouched when `body` refuses or fails.
    func writing(to path: String?, _ body: (CommandIO) throws -> Void) throws {
        guard let path else { return try body(self) }
        InterruptCleanup.install()
        let writer: AtomicFileWriter
        do { writer = try AtomicFileWriter(path: path) } catch { throw UsageError("--output \(Arguments.quoted(path)): \(error)") }
        let file = CommandIO(redirecting: self, to: writer)
        func commit() throws {
            do {
                if let error = file.redirectError { throw error }
                try writer.commit()
            } catch {
                writer.abort()
                throw UsageError("--output \(Arguments.quoted(path)): \(error)")
            }
        }
        do {
            try body(file)
        } catch let verdict where verdict is ValidationFailure || verdict is ValidationInconclusive || verdict is ResultDoesNotHold {
            try commit()
            throw verdict
        } catch {
            writer.abort()
            throw error
        }
        try commit()
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

/// A validation that ran but cannot support a verdict (too few samples, or standard errors
/// that are not finite and positive): exit code 3.
struct ValidationInconclusive: Error, CustomStringConvertible {
    let description: String
}
