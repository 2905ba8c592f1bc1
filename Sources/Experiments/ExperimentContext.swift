import Synchronization

/// What a running experiment may tell its caller and ask of it: progress reports and a
/// cancellation flag that long loops poll. Shared across threads.
public final class ExperimentContext: Sendable {
    /// One progress report: a status line and, when the work is countable, done of total.
    public struct Progress: Sendable, Equatable {
        public var text: String
        public var done: Int?
        public var total: Int?
        public init(_ text: String, done: Int? = nil, total: Int? = nil) {
            self.text = text
            self.done = done
            self.total = total
        }
    }

    private let progressHandler: (@Sendable (Progress) -> Void)?
    private let cancelled = Atomic<Bool>(false)

    /// - Parameter progress: called from the computing thread(s) with status reports; nil
    ///   when nobody listens (then experiments skip building the text).
    public init(progress: (@Sendable (Progress) -> Void)? = nil) {
        progressHandler = progress
    }

    /// A context that reports nothing and is never cancelled from outside.
    public static var silent: ExperimentContext { ExperimentContext() }

    public var wantsProgress: Bool { progressHandler != nil }

    public func report(_ progress: @autoclosure () -> Progress) {
        progressHandler?(progress())
    }

    /// Asks the running experiment to stop at its next check.
    public func cancel() { cancelled.store(true, ordering: .relaxed) }

    public var isCancelled: Bool { cancelled.load(ordering: .relaxed) }

    /// - Throws: `ExperimentError.cancelled` once `cancel()` has been called.
    public func checkCancellation() throws {
        if isCancelled { throw ExperimentError.cancelled }
    }
}
