import Foundation
import Testing
import NTKOutput
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A fresh empty directory, removed when the test is done with it.
final class ScratchDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "ntk-output-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
    }

    deinit {
        chmod(path, 0o755)
        try? FileManager.default.removeItem(atPath: path)
    }

    func file(_ name: String) -> String { path + "/" + name }

    /// Every entry, hidden ones included, so leftover `.NAME.tmp.*` files are visible.
    func entries() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: path).sorted()
    }

    func contents(_ name: String) throws -> String {
        try String(contentsOfFile: file(name), encoding: .utf8)
    }
}

/// Serialized: these tests share the process-wide interrupt registry, and
/// `unlinkRegisteredTemporaryFiles()` would delete another test's live temporary file.
@Suite(.serialized) struct AtomicFileTests {
    @Test func writeCreatesTheFileAndLeavesNoTemporaryFile() throws {
        let directory = try ScratchDirectory()
        try AtomicFile.write("hello\n", to: directory.file("out.txt"))
        #expect(try directory.contents("out.txt") == "hello\n")
        #expect(try directory.entries() == ["out.txt"])
    }

    @Test func writeReplacesAnExistingFile() throws {
        let directory = try ScratchDirectory()
        try AtomicFile.write("old", to: directory.file("out.txt"))
        try AtomicFile.write("new ünïcode", to: directory.file("out.txt"))
        #expect(try directory.contents("out.txt") == "new ünïcode")
        #expect(try directory.entries() == ["out.txt"])
    }

    @Test func relativePathsResolveAgainstTheWorkingDirectory() throws {
        let directory = try ScratchDirectory()
        // The working directory is process-wide and other tests run concurrently, so it stays
        // as it is: the relative path climbs from it to the root and back down to the scratch
        // directory.
        let depth = FileManager.default.currentDirectoryPath.split(separator: "/").count
        let relative = String(repeating: "../", count: depth) + directory.path.drop { $0 == "/" } + "/relative.txt"
        let writer = try AtomicFileWriter(path: relative)
        #expect(writer.temporaryPath.hasPrefix("/"))
        #expect((writer.temporaryPath as NSString).lastPathComponent.hasPrefix(".relative.txt.tmp.\(getpid())."))
        try writer.append("r")
        try writer.commit()
        #expect(try directory.contents("relative.txt") == "r")
    }

    @Test(.enabled(if: geteuid() != 0, "root ignores directory permissions"))
    func anUnwritableDirectoryFailsAndLeavesTheTargetUntouched() throws {
        let directory = try ScratchDirectory()
        try AtomicFile.write("original", to: directory.file("out.txt"))
        chmod(directory.path, 0o555)
        let error = try #require(throws: AtomicFileError.self) {
            try AtomicFile.write("replacement", to: directory.file("out.txt"))
        }
        #expect(error.errorNumber == EACCES)
        chmod(directory.path, 0o755)
        #expect(try directory.contents("out.txt") == "original")
        #expect(try directory.entries() == ["out.txt"])
    }

    @Test func aMissingDirectoryFailsWithAOneLineMessageNamingPathAndReason() throws {
        let directory = try ScratchDirectory()
        let target = directory.file("missing/out.txt")
        let error = try #require(throws: AtomicFileError.self) { try AtomicFile.write("x", to: target) }
        #expect(error.errorNumber == ENOENT)
        #expect(error.description == "cannot write \"\(target)\": create temporary file failed: \(String(cString: strerror(ENOENT)))")
        #expect(!error.description.contains("\n"))
        #expect(try directory.entries() == [])
    }

    @Test func aFileInPlaceOfTheDirectoryFails() throws {
        let directory = try ScratchDirectory()
        try AtomicFile.write("not a directory", to: directory.file("plain"))
        let error = try #require(throws: AtomicFileError.self) {
            try AtomicFile.write("x", to: directory.file("plain/out.txt"))
        }
        #expect(error.errorNumber == ENOTDIR)
        #expect(try directory.contents("plain") == "not a directory")
    }

    /// Fails at the last step, rename(2), which root cannot bypass: the target is a
    /// non-empty directory. Everything written so far must be cleaned up.
    @Test func aFailedRenameRemovesTheTemporaryFileAndKeepsTheTarget() throws {
        let directory = try ScratchDirectory()
        let target = directory.file("target")
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: false)
        try AtomicFile.write("keep me", to: target + "/inside.txt")
        let error = try #require(throws: AtomicFileError.self) { try AtomicFile.write("x", to: target) }
        #expect(error.operation == "rename temporary file into place")
        #expect(try directory.entries() == ["target"])
        #expect(try String(contentsOfFile: target + "/inside.txt", encoding: .utf8) == "keep me")
    }

    @Test func pathsThatNameDirectoriesAreRefused() throws {
        for path in ["", "dir/", "dir/.", "dir/.."] {
            #expect(throws: AtomicFileError.self) { try AtomicFile.write("x", to: path) }
        }
    }

    @Test func theStreamingWriterWritesLargeOutputOnlyAtCommit() throws {
        let directory = try ScratchDirectory()
        try AtomicFile.write("previous", to: directory.file("big.csv"))
        let writer = try AtomicFileWriter(path: directory.file("big.csv"))
        var expected = ""
        for index in 0..<50_000 {
            let line = "\(index),\(index * index)\n"
            expected += line
            try writer.append(line)
        }
        // Well past the buffer size, so data has reached the temporary file, not the target.
        #expect(FileManager.default.fileExists(atPath: writer.temporaryPath))
        #expect(try directory.contents("big.csv") == "previous")
        try writer.commit()
        #expect(try directory.contents("big.csv") == expected)
        #expect(try directory.entries() == ["big.csv"])
    }

    @Test func abortLeavesNothingBehindAndKeepsTheTarget() throws {
        let directory = try ScratchDirectory()
        try AtomicFile.write("previous", to: directory.file("t.txt"))
        let writer = try AtomicFileWriter(path: directory.file("t.txt"))
        try writer.append(String(repeating: "x", count: 200_000))
        writer.abort()
        writer.abort()  // idempotent
        #expect(try directory.entries() == ["t.txt"])
        #expect(try directory.contents("t.txt") == "previous")
        #expect(throws: AtomicFileError.self) { try writer.append("more") }
        #expect(throws: AtomicFileError.self) { try writer.commit() }
    }

    @Test func droppingAnUncommittedWriterAborts() throws {
        let directory = try ScratchDirectory()
        do {
            let writer = try AtomicFileWriter(path: directory.file("t.txt"))
            try writer.append("partial")
            #expect(try directory.entries().count == 1)
        }
        #expect(try directory.entries() == [])
    }

    @Test func aCommittedWriterRefusesFurtherUse() throws {
        let directory = try ScratchDirectory()
        let writer = try AtomicFileWriter(path: directory.file("t.txt"))
        try writer.commit()
        #expect(try directory.contents("t.txt") == "")
        let error = try #require(throws: AtomicFileError.self) { try writer.append("late") }
        #expect(error.reason == "writer already committed")
        writer.abort()
        #expect(try directory.entries() == ["t.txt"])
    }

    @Test func aTableStreamsIntoAWriter() throws {
        let directory = try ScratchDirectory()
        let writer = try AtomicFileWriter(path: directory.file("t.csv"))
        let sink = TableFormat.csv.makeSink(writingTo: writer.append)
        try sink.begin(columns: [.text("name"), .number("value")])
        try sink.row(["a,b", "1e-3"])
        try sink.end()
        try writer.commit()
        #expect(try directory.contents("t.csv") == "name,value\n\"a,b\",1e-3\n")
    }

    // MARK: Interrupt cleanup registry

    @Test func cleanupUnlinksTheTemporaryFilesOfOpenWriters() throws {
        let directory = try ScratchDirectory()
        let first = try AtomicFileWriter(path: directory.file("a.txt"))
        let second = try AtomicFileWriter(path: directory.file("b.txt"))
        try first.append("data")
        #expect(try directory.entries().count == 2)
        #expect(InterruptCleanup.unlinkRegisteredTemporaryFiles() == 2)
        #expect(try directory.entries() == [])
        first.abort()
        second.abort()
    }

    @Test func cleanupSkipsWritersThatHaveFinished() throws {
        let directory = try ScratchDirectory()
        let committed = try AtomicFileWriter(path: directory.file("done.txt"))
        try committed.commit()
        let aborted = try AtomicFileWriter(path: directory.file("gone.txt"))
        aborted.abort()
        // The committed file's old temporary name is recreated to prove it is no longer listed.
        #expect(FileManager.default.createFile(atPath: committed.temporaryPath, contents: Data()))
        #expect(InterruptCleanup.unlinkRegisteredTemporaryFiles() == 0)
        #expect(FileManager.default.fileExists(atPath: committed.temporaryPath))
        #expect(FileManager.default.fileExists(atPath: directory.file("done.txt")))
    }

    @Test func registrationsCanBeMadeDirectlyAndUndone() throws {
        let directory = try ScratchDirectory()
        let path = directory.file("registered")
        #expect(FileManager.default.createFile(atPath: path, contents: Data("x".utf8)))
        let registration = try InterruptCleanup.register(path)
        #expect(InterruptCleanup.unlinkRegisteredTemporaryFiles() == 1)
        #expect(!FileManager.default.fileExists(atPath: path))
        InterruptCleanup.unregister(registration)
        #expect(FileManager.default.createFile(atPath: path, contents: Data("x".utf8)))
        #expect(InterruptCleanup.unlinkRegisteredTemporaryFiles() == 0)
        #expect(FileManager.default.fileExists(atPath: path))
    }

    @Test func registrationRejectsUnstorablePaths() {
        #expect(throws: InterruptCleanup.RegistrationError.emptyPath) { try InterruptCleanup.register("") }
        #expect(throws: InterruptCleanup.RegistrationError.pathContainsNUL) { try InterruptCleanup.register("a\u{0}b") }
        let long = "/" + String(repeating: "a", count: InterruptCleanup.maximumPathLength)
        #expect(throws: InterruptCleanup.RegistrationError.pathTooLong(bytes: long.utf8.count)) {
            try InterruptCleanup.register(long)
        }
        let longest = String(repeating: "a", count: InterruptCleanup.maximumPathLength)
        #expect(throws: Never.self) { InterruptCleanup.unregister(try InterruptCleanup.register(longest)) }
    }

    @Test func aFullRegistryIsReportedAndSlotsAreReused() throws {
        var registrations: [InterruptCleanup.Registration] = []
        defer { registrations.forEach(InterruptCleanup.unregister) }
        for index in 0..<InterruptCleanup.capacity {
            registrations.append(try InterruptCleanup.register("/nonexistent/ntk-\(index)"))
        }
        #expect(throws: InterruptCleanup.RegistrationError.tableFull) { try InterruptCleanup.register("/x") }
        let directory = try ScratchDirectory()
        let error = try #require(throws: AtomicFileError.self) { try AtomicFileWriter(path: directory.file("t")) }
        #expect(error.operation == "register temporary file")
        #expect(try directory.entries() == [])
        InterruptCleanup.unregister(registrations.removeLast())
        registrations.append(try InterruptCleanup.register("/x"))
    }

    @Test func installingHandlersIsIdempotentAndKeepsTheProcessAlive() throws {
        InterruptCleanup.install()
        InterruptCleanup.install()
        let directory = try ScratchDirectory()
        try AtomicFile.write("still works", to: directory.file("t"))
        #expect(try directory.contents("t") == "still works")
    }
}
