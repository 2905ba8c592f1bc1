#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed file operation, described in one line: the path, what was attempted, and the
/// operating system's reason (`strerror`), e.g.
/// `cannot write "out/table.csv": create temporary file failed: Permission denied`.
public struct AtomicFileError: Error, CustomStringConvertible, Equatable {
    /// The file the caller asked to write.
    public let path: String
    /// The step that failed, e.g. "rename temporary file into place".
    public let operation: String
    /// `errno` at the failure, or 0 when the failure is not an OS error.
    public let errorNumber: Int32
    /// `strerror(errorNumber)`, or a plain explanation when `errorNumber` is 0.
    public let reason: String

    init(path: String, operation: String, errorNumber: Int32) {
        self.path = path
        self.operation = operation
        self.errorNumber = errorNumber
        self.reason = String(cString: strerror(errorNumber))
    }

    init(path: String, operation: String, reason: String) {
        self.path = path
        self.operation = operation
        self.errorNumber = 0
        self.reason = reason
    }

    public var description: String {
        // Quoting keeps the message on one line even if the path holds a newline.
        "cannot write \(jsonQuoted(path)): \(operation) failed: \(reason)"
    }
}

/// Whole-file atomic replacement: readers see either the old file or the complete new one.
public enum AtomicFile {
    /// Replaces the file at `path` with `contents` (UTF-8).
    ///
    /// Writes a uniquely named temporary file in the same directory, fsyncs it, and
    /// rename(2)s it over `path`. On any error the temporary file is removed, the target is
    /// left as it was, and `AtomicFileError` is thrown. A new file gets mode 0666 less the
    /// umask; an existing target's mode is not carried over.
    public static func write(_ contents: String, to path: String) throws {
        let writer = try AtomicFileWriter(path: path)
        try writer.append(contents)
        try writer.commit()
    }
}

/// Streams a large file into place atomically: `append` chunks, then `commit()` (rename
/// over the target) or `abort()` (remove the temporary file). Output is buffered, so memory
/// stays bounded however much is appended.
///
/// While open, the temporary file is registered with `InterruptCleanup`, so an interrupt
/// after `InterruptCleanup.install()` removes it. Any failed operation aborts the writer
/// (temporary file removed, target untouched); later calls then throw. Dropping an
/// uncommitted writer aborts it. Not thread-safe: use from one thread at a time.
public final class AtomicFileWriter {
    /// The target path as given by the caller.
    public let path: String
    /// Absolute path of the temporary file, `DIR/.NAME.tmp.PID.RANDOM`, beside the target.
    public let temporaryPath: String

    private var descriptor: Int32 = -1
    private var buffer: [UInt8] = []
    private var registration: InterruptCleanup.Registration?
    private var phase = Phase.open
    private enum Phase { case open, committed, aborted }

    /// Bytes collected before a write(2); large enough that per-row appends stay cheap.
    private static let bufferCapacity = 1 << 16

    /// Creates the temporary file (mode `permissions` less the umask) next to `path`.
    /// - Throws: `AtomicFileError` if the directory is missing or unwritable, the temporary
    ///   path is too long for the interrupt registry, or the registry is full.
    public init(path: String, permissions: mode_t = 0o666) throws {
        self.path = path
        let (directory, name) = try Self.split(path)
        // Length-capped so the temporary name stays under NAME_MAX (255) for long targets.
        let unique = "\(getpid()).\(String(UInt64.random(in: 0...UInt64.max), radix: 36))"
        let temporaryName = ".\(name.prefix(120)).tmp.\(unique)"
        temporaryPath = Self.absolute(directory) + "/" + temporaryName

        // Register before creating, so there is no moment when the file exists unprotected.
        do {
            registration = try InterruptCleanup.register(temporaryPath)
        } catch let error as InterruptCleanup.RegistrationError {
            phase = .aborted
            throw AtomicFileError(path: path, operation: "register temporary file", reason: error.description)
        }
        descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, permissions)
        if descriptor < 0 {
            let code = errno
            releaseRegistration()
            phase = .aborted
            throw AtomicFileError(path: path, operation: "create temporary file", errorNumber: code)
        }
        buffer.reserveCapacity(Self.bufferCapacity)
    }

    deinit {
        if phase == .open { abort() }
    }

    /// Appends `text` as UTF-8.
    /// - Throws: `AtomicFileError` on a write failure (the writer is then aborted) or if the
    ///   writer was already committed or aborted.
    public func append(_ text: String) throws {
        try requireOpen("append")
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= Self.bufferCapacity {
            try failing("write temporary file") { try flush() }
        }
    }

    /// Flushes, fsyncs, closes and renames the temporary file over `path`, then fsyncs the
    /// directory (best effort: some file systems refuse directory fsync, and the data is
    /// already in place by then).
    /// - Throws: `AtomicFileError`; on failure the temporary file is removed and the
    ///   target is untouched.
    public func commit() throws {
        try requireOpen("commit")
        try failing("write temporary file") { try flush() }
        try failing("fsync temporary file") { if fsync(descriptor) != 0 { throw OSFailure(errno) } }
        let closing = descriptor
        descriptor = -1
        try failing("close temporary file") { if close(closing) != 0 { throw OSFailure(errno) } }
        try failing("rename temporary file into place") {
            if rename(temporaryPath, path) != 0 { throw OSFailure(errno) }
        }
        phase = .committed
        releaseRegistration()
        syncDirectory()
    }

    /// Closes and removes the temporary file; the target is untouched. Does nothing if the
    /// writer is already committed or aborted.
    public func abort() {
        guard phase == .open else { return }
        phase = .aborted
        if descriptor >= 0 {
            close(descriptor)
            descriptor = -1
        }
        unlink(temporaryPath)
        releaseRegistration()
    }

    // MARK: Internals

    private struct OSFailure: Error {
        let code: Int32
        init(_ code: Int32) { self.code = code }
    }

    /// Runs `body`; if it fails, aborts the writer and rethrows as `AtomicFileError`.
    private func failing(_ operation: String, _ body: () throws -> Void) throws {
        do {
            try body()
        } catch let failure as OSFailure {
            abort()
            throw AtomicFileError(path: path, operation: operation, errorNumber: failure.code)
        }
    }

    private func requireOpen(_ operation: String) throws {
        guard phase == .open else {
            throw AtomicFileError(
                path: path, operation: operation,
                reason: phase == .committed ? "writer already committed" : "writer was aborted")
        }
    }

    private func flush() throws {
        var written = 0
        try buffer.withUnsafeBytes { bytes in
            while written < bytes.count {
                let result = systemWrite(descriptor, bytes.baseAddress! + written, bytes.count - written)
                if result < 0 {
                    if errno == EINTR { continue }
                    throw OSFailure(errno)
                }
                written += result
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }

    private func releaseRegistration() {
        if let registration {
            InterruptCleanup.unregister(registration)
            self.registration = nil
        }
    }

    private func syncDirectory() {
        let directory = String(temporaryPath[..<temporaryPath.lastIndex(of: "/")!])
        let directoryDescriptor = open(directory.isEmpty ? "/" : directory, O_RDONLY | O_CLOEXEC)
        if directoryDescriptor >= 0 {
            _ = fsync(directoryDescriptor)
            close(directoryDescriptor)
        }
    }

    /// Splits `path` into (directory, file name); the directory is "." for a bare name.
    private static func split(_ path: String) throws -> (directory: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else {
            guard !path.isEmpty else {
                throw AtomicFileError(path: path, operation: "open", reason: "empty path")
            }
            return (".", path)
        }
        let name = String(path[path.index(after: slash)...])
        guard !name.isEmpty, name != ".", name != ".." else {
            throw AtomicFileError(path: path, operation: "open", reason: "path names a directory, not a file")
        }
        let directory = String(path[..<slash])
        return (directory.isEmpty ? "/" : directory, name)
    }

    /// Makes `directory` absolute so the interrupt handler can unlink the temporary file
    /// even if the process changes its working directory meanwhile.
    private static func absolute(_ directory: String) -> String {
        if directory.hasPrefix("/") { return directory == "/" ? "" : directory }
        guard let cwd = getcwd(nil, 0) else { return directory }
        defer { free(cwd) }
        let base = String(cString: cwd)
        let joined = directory == "." ? base : base + "/" + directory
        return joined == "/" ? "" : joined
    }
}

/// write(2), named apart so it cannot be confused with Swift `write` methods.
@inline(__always)
private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}
