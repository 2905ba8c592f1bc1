#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A single self-overwriting status line on stderr for long computations.
///
/// Contract: nothing is ever written unless stderr is a terminal, so logs and pipes stay
/// clean; nothing is written during the first `initialDelay` (short runs stay silent);
/// after that, at most one redraw per `minimumInterval`, with updates in between dropped
/// (the next accepted update carries the latest text). Each redraw is `\r`, the text, and
/// an erase-to-end-of-line; `finish()` erases the line if anything was drawn.
/// Not thread-safe: update from one thread.
public final class ProgressLine {
    private let isEnabled: Bool
    private let initialDelay: Duration
    private let minimumInterval: Duration
    private let now: () -> ContinuousClock.Instant
    private let emit: (String) -> Void
    private let start: ContinuousClock.Instant
    private var lastDrawn: ContinuousClock.Instant?

    /// A progress line on the process's stderr, enabled only if `isatty(2)`.
    public convenience init(initialDelay: Duration = .seconds(1), minimumInterval: Duration = .milliseconds(100)) {
        self.init(
            isTerminal: isatty(STDERR_FILENO) == 1,
            initialDelay: initialDelay,
            minimumInterval: minimumInterval,
            now: { ContinuousClock.now },
            emit: writeToStandardError)
    }

    /// Injectable form for tests and custom destinations; `emit` receives the exact bytes
    /// that would go to the terminal.
    public init(
        isTerminal: Bool,
        initialDelay: Duration,
        minimumInterval: Duration,
        now: @escaping () -> ContinuousClock.Instant,
        emit: @escaping (String) -> Void
    ) {
        self.isEnabled = isTerminal
        self.initialDelay = initialDelay
        self.minimumInterval = minimumInterval
        self.now = now
        self.emit = emit
        self.start = now()
    }

    /// Offers new status text; it is drawn only if the contract's conditions hold now.
    /// Pass a single line: an embedded newline would break the overwrite.
    public func update(_ status: @autoclosure () -> String) {
        guard isEnabled else { return }
        let time = now()
        guard time - start >= initialDelay else { return }
        if let lastDrawn, time - lastDrawn < minimumInterval { return }
        lastDrawn = time
        emit("\r" + status() + Self.eraseToEndOfLine)
    }

    /// Erases the status line if one was drawn, leaving the cursor at column 0.
    public func finish() {
        guard lastDrawn != nil else { return }
        lastDrawn = nil
        emit("\r" + Self.eraseToEndOfLine)
    }

    public static let eraseToEndOfLine = "\u{1B}[K"
}

private func writeToStandardError(_ text: String) {
    var bytes = Array(text.utf8)[...]
    while !bytes.isEmpty {
        let written = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress!, $0.count) }
        if written < 0 {
            if errno == EINTR { continue }
            return  // a status line is not worth failing the computation for
        }
        bytes = bytes.dropFirst(written)
    }
}
