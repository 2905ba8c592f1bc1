import Testing
import Foundation
import NTKOutput
import Experiments
@testable import NTKCommandLine

/// The engine protocol of `ntk engine` (docs/python.md): one JSON request line in, one JSON
/// answer line out, carrying exactly what the command line prints for the same options.
@Suite("Engine protocol")
struct EngineTests {
    static let catalog = EngineOptionCatalog()

    func answer(_ request: String) throws -> JSONValue {
        let line = EngineCommand.respond(to: request, catalog: Self.catalog, channel: nil)
        #expect(!line.contains("\n"), "an answer is one line")
        return try JSONParser().parse(line)
    }

    func arguments(_ request: String) throws -> [String] {
        try EngineRequest(line: request).arguments(Self.catalog)
    }

    @Test("an exact moments request answers with the command's JSON: E[Θ] = 61/12 for 3,2,2 at σ² = 2")
    func exactMoments() throws {
        let a = try answer(#"{"id":7,"command":"moments","options":{"widths":[3,2,2],"sigma2":"2","exact":true}}"#)
        #expect(a["id"] == .number("7") && a["exit"] == .number("0") && a["error"] == .null)
        #expect(a["result"]?["E_theta_exact"]?.stringValue == "61/12")
        #expect(a["result"]?["E_theta2_exact"]?.stringValue == "8809/72")
    }

    @Test("the result is the JSON the command line prints, every number's text unchanged")
    func sameJSONAsTheCommandLine() throws {
        let options = ["moments", "--widths", "3,2,2", "--sigma2", "5/2", "--max-moment", "4", "--format", "json"]
        let printed = try JSONParser().parse(ntk(options).stdout)
        let a = try answer(#"{"id":1,"command":"moments","options":{"widths":"3,2,2","sigma2":"5/2","max_moment":4}}"#)
        #expect(a["result"] == printed)
    }

    @Test("the direct route to the library answers byte for byte as the command-line route", arguments: [
        (#"{"widths":[3,2,2],"sigma2":"2","exact":true}"#, true),
        (#"{"widths":"3,2,2","sigma2":"5/2","max_moment":4,"first_step":true}"#, true),
        (#"{"width":100,"depth":1000,"sigma2":3,"double":true,"no_bias":true}"#, true),
        (#"{"width":10,"depth":5,"input_dim":3,"sigma2":"1/2","input_norm2":"0.25","certified":true,"per_layer":true}"#, true),
        (#"{"widths":"4,3x2,(5,2)x3","sigma2":"2","model":"gi","digits":30,"precision":null,"mpfr":true}"#, true),
        (#"{"widths":[3,2,2],"sigma2":"2","precision":64,"format":"json"}"#, true),
        (#"{"widths":[3,2,2],"sigma2":"-2"}"#, false),                                   // refused: the CLI's message
        (#"{"widths":[3,2,2],"sigma2":"2","exact":true,"double":true}"#, false),
        (#"{"widths":[3,2,2],"sigma2":"2","model":"gi","first_step":true}"#, false),
        (#"{"widths":[3,2,2],"sigma2":"2","digits":0}"#, false),
        (#"{"widths":[3,2,2],"sigma2":"2","exact":true,"precision":100}"#, false),
        (#"{"widths":[3,2,2],"width":3,"sigma2":"2"}"#, false),
        (#"{"widths":[3,2,2],"sigma2":"2","colour":"red"}"#, false),
        (#"{"widths":[3,2,2],"sigma2":"2","format":"csv"}"#, false),
        (#"{"width":"1e2","depth":3,"sigma2":"2"}"#, false),                          // read by the CLI only
        (#"{"width":1000000,"depth":1000,"sigma2":"2","exact":true}"#, false),           // too expensive
    ])
    func directRoute(_ options: String, taken: Bool) throws {
        let line = #"{"id":3,"command":"moments","options":"# + options + "}"
        let request = try EngineRequest(line: line)
        #expect((EngineFastPath.momentsRequest(request.options) != nil && EngineFastPath.result(of: request, context: .silent) != nil) == taken)
        let direct = EngineCommand.respond(to: line, catalog: Self.catalog, channel: nil)
        let commandLine = EngineCommand.respond(to: line, catalog: Self.catalog, channel: nil, directRoute: false)
        #expect(direct == commandLine)
    }

    @Test("bad input answers with exit 2 and the command line's one-line message", arguments: [
        (#"{"id":1,"command":"moments","options":{"widths":[3,2,2],"sigma2":"-2"}}"#, "moments --widths 3,2,2 --sigma2 -2"),
        (#"{"id":1,"command":"moments","options":{"widths":[3,2,2]}}"#, "moments --widths 3,2,2"),
        (#"{"id":1,"command":"moments","options":{"widths":[3,2,2],"sigma":2}}"#, "moments --widths 3,2,2 --sigma 2"),
        (#"{"id":1,"command":"validate merge","options":{"files":["/nonexistent/a.json"]}}"#, "validate merge /nonexistent/a.json"),
    ])
    func refusals(_ request: String, _ line: String) throws {
        let cli = ntk(line)
        #expect(cli.isCleanRefusal, "\(cli)")
        let a = try answer(request)
        #expect(a["exit"] == .number("2") && a["result"] == .null)
        #expect(a["error"]?.stringValue == cli.stderr.trimmingCharacters(in: .newlines))
    }

    @Test("a malformed request is answered, never fatal", arguments: [
        "not json", "[1,2]", #"{"id":1}"#, #"{"id":1,"command":"moments","options":[1]}"#,
        #"{"id":{"a":1},"command":"moments"}"#, #"{"id":1,"command":"moments","options":{"widths":{"a":1}}}"#,
        #"{"id":1,"command":"moments","progress":"yes"}"#, #"{"id":1,"command":"moments","options":{"widths":[[3]]}}"#,
    ])
    func malformed(_ request: String) throws {
        let a = try answer(request)
        #expect(a["exit"] == .number("2"))
        #expect(a["error"]?.stringValue?.hasPrefix("ntk engine: ") == true)
    }

    @Test("options map to the command line without a table")
    func optionMapping() throws {
        #expect(try arguments(#"{"command":"moments","options":{"widths":[3,2,2],"sigma2":"5/2","exact":true,"no_bias":false,"digits":null,"max-moment":3}}"#)
                == ["moments", "--widths=3,2,2", "--sigma2=5/2", "--exact", "--max-moment=3", "--format=json"])
        // A named format is kept; chart has no --format, so none is added.
        #expect(try arguments(#"{"command":"table","options":{"format":"csv"}}"#) == ["table", "--format=csv"])
        #expect(try arguments(#"{"command":"chart","options":{"kind":"depth","overlay":["a.json","b.json"]}}"#)
                == ["chart", "--kind=depth", "--overlay=a.json", "--overlay=b.json"])
        // Positional arguments go after "--", so a file name that starts with "-" stays a file.
        #expect(try arguments(#"{"command":"validate merge","options":{"files":["-a.json","b.json"]}}"#)
                == ["validate", "merge", "--format=json", "--", "-a.json", "b.json"])
        // The default subcommand's options are known under the parent's name.
        #expect(try arguments(#"{"command":"validate","options":{"widths":"3,2"}}"#) == ["validate", "--widths=3,2", "--format=json"])
    }

    @Test("progress lines carry the status text and its last N/M count")
    func progressLines() throws {
        let line = EngineCommand.progressLine(id: .string("x"), text: "ntk train: σ² = 5/2, step 3/10")
        let p = try JSONParser().parse(line)
        #expect(p["id"] == .string("x"))
        #expect(p["progress"]?["done"] == .number("3") && p["progress"]?["total"] == .number("10"))
        #expect(try JSONParser().parse(EngineCommand.progressLine(id: .null, text: "working"))["progress"]?["done"] == nil)
    }

    @Test("output that is not JSON is a string; JSON numbers keep their text")
    func results() {
        #expect(EngineCommand.result(of: "") == .null)
        #expect(EngineCommand.result(of: "<svg/>\n") == .string("<svg/>\n"))
        #expect(EngineCommand.result(of: "{\"p\":6.49592e-628}\n") == .object([("p", .number("6.49592e-628"))]))
    }

    @Test("the progress hook receives the status text without terminal control characters")
    func progressHook() {
        let io = CommandIO(.capture)
        let received = LockedTexts()
        io.progressHandler = { received.append($0) }
        let line = io.progressLine()
        line?.update("ntk validate: 1/2 samples")
        line?.finish()
        #expect(received.texts == ["ntk validate: 1/2 samples"])
        #expect(CommandIO(.capture).progressLine() == nil)
    }
}

private final class LockedTexts: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [String] = []
    func append(_ text: String) { lock.lock(); storage.append(text); lock.unlock() }
    var texts: [String] { lock.lock(); defer { lock.unlock() }; return storage }
}
