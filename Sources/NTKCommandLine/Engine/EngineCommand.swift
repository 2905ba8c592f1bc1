import ArgumentParser
import Experiments
import Foundation
import NTKOutput

/// `ntk engine`: a persistent process that runs commands for a client such as the Python
/// package. It reads one JSON request per line on stdin and answers each with one JSON line
/// on stdout (protocol in docs/python.md); it ends at end of input. Commands run in-process
/// through `NTKTool.run` with captured output, so an answer carries exactly the JSON and the
/// one-line error message the command line would print. SIGINT stops the engine like the
/// CLI (partial files removed, exit 130); the client starts a fresh one.
struct EngineCommand: NTKSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "engine",
        abstract: "Serve JSON requests on stdin, one per line (for the Python package).",
        shouldDisplay: false)

    func execute(_ io: CommandIO) throws {
        guard io.destination == .process else {
            throw UsageError("ntk engine talks over the process's stdin and stdout only")
        }
        InterruptCleanup.install()
        let channel = EngineChannel()
        let catalog = EngineOptionCatalog()
        while let line = readLine(strippingNewline: true) {
            if line.allSatisfy(\.isWhitespace) { continue }
            channel.send(Self.respond(to: line, catalog: catalog, channel: channel))
        }
    }

    /// The final answer to one request line (progress lines, if asked for, go out through
    /// `channel` while the command runs).
    /// `directRoute: false` sends every request through the command line (for tests that
    /// compare the two routes).
    static func respond(to line: String, catalog: EngineOptionCatalog, channel: EngineChannel?, directRoute: Bool = true) -> String {
        let request: EngineRequest
        let arguments: [String]
        do {
            request = try EngineRequest(line: line)
            if directRoute, let result = fastResult(request, channel: channel) {
                return answer(id: request.id, exit: 0, result: result, error: nil)
            }
            arguments = try request.arguments(catalog)
        } catch let malformed as EngineRequest.Malformed {
            return answer(id: malformed.id, exit: 2, result: .null, error: malformed.message)
        } catch {
            return answer(id: .null, exit: 2, result: .null, error: "ntk engine: \(error)")
        }
        let io = CommandIO(.capture)
        if request.wantsProgress, let channel {
            let id = request.id
            io.progressHandler = { text in channel.send(progressLine(id: id, text: text)) }
        }
        let exit = NTKTool.run(arguments, io: io)
        let error = io.capturedStandardError.trimmingCharacters(in: .whitespacesAndNewlines)
        return answer(id: request.id, exit: exit, result: result(of: io.capturedStandardOutput),
                      error: error.isEmpty ? nil : error)
    }

    /// The result by the direct route to the library, when `EngineFastPath` takes the request.
    static func fastResult(_ request: EngineRequest, channel: EngineChannel?) -> JSONValue? {
        let id = request.id
        let context = ExperimentContext(progress: request.wantsProgress ? channel.map { channel in
            { @Sendable progress in channel.send(progressLine(id: id, text: progress.text)) }
        } : nil)
        return EngineFastPath.result(of: request, context: context)
    }

    /// A command's stdout as a JSON value: its JSON document re-serialized on one line with
    /// every number's text unchanged, other text (SVG, CSV, help) as a string, nothing as null.
    static func result(of output: String) -> JSONValue {
        let trimmed = output.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { return .null }
        if trimmed.first == "{" || trimmed.first == "[", let document = try? JSONParser().parse(trimmed) {
            return document
        }
        return .string(output)
    }

    static func answer(id: JSONValue, exit: Int32, result: JSONValue, error: String?) -> String {
        JSONValue.object([
            ("id", id), ("exit", .number("\(exit)")), ("result", result),
            ("error", error.map(JSONValue.string) ?? .null),
        ]).serialized()
    }

    /// `{"id":…,"progress":{"text":…,"done":…,"total":…}}`; done and total are the last
    /// `N/M` count in the status text when it has one.
    static func progressLine(id: JSONValue, text: String) -> String {
        var members: [(key: String, value: JSONValue)] = [("text", .string(text))]
        if let count = text.matches(of: /([0-9]+)\/([0-9]+)/).last {
            members += [("done", .number(String(count.output.1))), ("total", .number(String(count.output.2)))]
        }
        return JSONValue.object([("id", id), ("progress", .object(members))]).serialized()
    }
}

/// The engine's protocol output: whole lines, written atomically with respect to each other,
/// to a private duplicate of the original stdout. File descriptor 1 itself is pointed at
/// stderr, so a stray write from anywhere else can never corrupt the protocol.
final class EngineChannel: @unchecked Sendable {
    private let descriptor: Int32
    private let lock = NSLock()

    init() {
        descriptor = dup(STDOUT_FILENO)
        dup2(STDERR_FILENO, STDOUT_FILENO)
    }

    func send(_ line: String) {
        lock.lock()
        defer { lock.unlock() }
        var bytes = Array((line + "\n").utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress!, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                Foundation.exit(0)  // the client has gone away
            }
            bytes = bytes.dropFirst(written)
        }
    }
}
