import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Removes half-written temporary files when the process is interrupted.
///
/// `AtomicFileWriter` registers its temporary path here for as long as the file exists.
/// After `install()`, SIGINT and SIGTERM unlink every registered path and then `_exit`
/// with 130 or 143 (128 + signal number, the shell convention). No atexit handlers or
/// buffered output are run: a half-finished run should leave nothing behind but the
/// targets it already committed.
///
/// Async-signal safety: paths live in a fixed table of NUL-terminated C strings allocated
/// once, so the handler only reads memory and calls unlink(2) and _exit(2). Writers take a
/// lock and block both signals on their own thread while editing a slot; a slot is
/// published by writing its first byte last and retired by zeroing its first byte first,
/// so the handler sees either no path or a complete one.
public enum InterruptCleanup {
    /// Maximum number of simultaneously registered temporary files.
    public static let capacity = 128
    /// Longest registrable path in bytes, excluding the terminating NUL (Linux PATH_MAX − 1).
    public static let maximumPathLength = 4095

    /// Proof of registration; pass back to `unregister(_:)` exactly once.
    public struct Registration: Sendable, Equatable {
        let slot: Int
    }

    public enum RegistrationError: Error, CustomStringConvertible, Equatable {
        case pathTooLong(bytes: Int)
        case emptyPath
        case pathContainsNUL
        case tableFull

        public var description: String {
            switch self {
            case .pathTooLong(let bytes):
                return "temporary path is \(bytes) bytes, longer than the \(maximumPathLength)-byte interrupt-cleanup limit"
            case .emptyPath: return "temporary path is empty"
            case .pathContainsNUL: return "temporary path contains a NUL byte"
            case .tableFull:
                return "more than \(capacity) temporary files open at once"
            }
        }
    }

    /// Installs the SIGINT and SIGTERM handlers. Idempotent. Call once early in `main`.
    public static func install() {
        registryLock.lock()
        defer { registryLock.unlock() }
        // Touch the table now: lazy global initialisation inside a handler would not be
        // async-signal-safe.
        _ = slotTable
        guard !handlersInstalled else { return }
        handlersInstalled = true
        signal(SIGINT, handleTerminationSignal)
        signal(SIGTERM, handleTerminationSignal)
        // A process can inherit these signals blocked (Foundation's Process does that when it
        // spawns from a thread that blocks them); then no interrupt would ever reach us.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }

    /// Records `path` so that an interrupt removes it.
    /// - Throws: `RegistrationError` if the path is empty, too long, contains NUL, or all
    ///   `capacity` slots are in use.
    public static func register(_ path: String) throws -> Registration {
        let bytes = Array(path.utf8)
        guard bytes.count <= maximumPathLength else { throw RegistrationError.pathTooLong(bytes: bytes.count) }
        guard !bytes.isEmpty else { throw RegistrationError.emptyPath }
        guard !bytes.contains(0) else { throw RegistrationError.pathContainsNUL }
        return try editingTable {
            for slot in 0..<capacity {
                let entry = slotTable + slot * slotSize
                if entry[0] != 0 { continue }
                for index in 1..<bytes.count { entry[index] = CChar(bitPattern: bytes[index]) }
                entry[bytes.count] = 0
                entry[0] = CChar(bitPattern: bytes[0])
                return Registration(slot: slot)
            }
            throw RegistrationError.tableFull
        }
    }

    /// Forgets a registration (the file was renamed into place or removed).
    public static func unregister(_ registration: Registration) {
        editingTable { (slotTable + registration.slot * slotSize)[0] = 0 }
    }

    /// Unlinks every registered path and returns how many unlink(2) calls succeeded.
    /// Registrations are left in place; their owners still unregister them.
    ///
    /// This is the body of the signal handler, so it is async-signal-safe: no allocation,
    /// no locks, only reads of the preallocated table and unlink(2).
    @discardableResult
    public static func unlinkRegisteredTemporaryFiles() -> Int {
        var removed = 0
        var slot = 0
        while slot < capacity {
            let entry = slotTable + slot * slotSize
            if entry[0] != 0, unlink(entry) == 0 { removed += 1 }
            slot += 1
        }
        return removed
    }

    // MARK: Internals

    static let slotSize = maximumPathLength + 1

    /// Written only under `registryLock` with the signals blocked; read by the handler.
    nonisolated(unsafe) static let slotTable: UnsafeMutablePointer<CChar> = {
        let table = UnsafeMutablePointer<CChar>.allocate(capacity: capacity * slotSize)
        table.initialize(repeating: 0, count: capacity * slotSize)
        return table
    }()

    nonisolated(unsafe) private static var handlersInstalled = false
    private static let registryLock = NSLock()

    /// Runs `body` under the lock with SIGINT/SIGTERM blocked on this thread, so a handler
    /// running here can never observe a half-edited slot.
    private static func editingTable<Result>(_ body: () throws -> Result) rethrows -> Result {
        var blocked = sigset_t()
        var previous = sigset_t()
        sigemptyset(&blocked)
        sigaddset(&blocked, SIGINT)
        sigaddset(&blocked, SIGTERM)
        pthread_sigmask(SIG_BLOCK, &blocked, &previous)
        registryLock.lock()
        defer {
            registryLock.unlock()
            pthread_sigmask(SIG_SETMASK, &previous, nil)
        }
        return try body()
    }
}

private func handleTerminationSignal(_ signalNumber: Int32) {
    InterruptCleanup.unlinkRegisteredTemporaryFiles()
    _exit(128 + signalNumber)
}
