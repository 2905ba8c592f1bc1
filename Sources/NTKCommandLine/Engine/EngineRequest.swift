import NTKOutput

/// One request of the engine protocol (docs/python.md): a command and its options as a typed
/// JSON object, e.g. `{"id":1,"command":"moments","options":{"widths":[3,2,2],"sigma2":"2","exact":true}}`.
///
/// The options map to the command line without a per-command table: `max_moment` or
/// `max-moment` becomes `--max-moment=VALUE`; `true` becomes the bare flag, `false` and `null`
/// are left out; an array becomes one comma-separated value, or one value per element for
/// options the command declares repeating (its positional arguments go after `--`).
struct EngineRequest {
    /// Echoed in every line answering this request (a number, a string or null).
    let id: JSONValue
    /// The subcommand path, e.g. `["moments"]` or `["validate", "merge"]`.
    let command: [String]
    /// Option names (as written by the client) and values, in request order.
    let options: [(name: String, value: JSONValue)]
    /// Whether the client wants `{"id":…,"progress":{…}}` lines while the command runs.
    let wantsProgress: Bool

    /// A request line the engine cannot read; answered with exit code 2 and this message.
    struct Malformed: Error {
        let id: JSONValue
        let message: String
    }

    /// Parses one request line.
    /// - Throws: `Malformed` for anything but an object with a string `command` and an object
    ///   (or absent) `options`.
    init(line: String) throws {
        let document: JSONValue
        do {
            document = try JSONParser().parse(line)
        } catch {
            throw Malformed(id: .null, message: "ntk engine: the request is not JSON (\(error))")
        }
        guard case .object = document else {
            throw Malformed(id: .null, message: "ntk engine: the request must be a JSON object")
        }
        let id = document["id"] ?? .null
        switch id {
        case .null, .number, .string: break
        default: throw Malformed(id: .null, message: "ntk engine: \"id\" must be a number, a string or null")
        }
        guard let command = document["command"]?.stringValue,
              !command.split(separator: " ").isEmpty else {
            throw Malformed(id: id, message: "ntk engine: the request needs \"command\", e.g. \"moments\" or \"validate merge\"")
        }
        var options: [(name: String, value: JSONValue)] = []
        switch document["options"] {
        case nil, .null?: break
        case .object(let members)?: options = members.map { (name: $0.key, value: $0.value) }
        default: throw Malformed(id: id, message: "ntk engine: \"options\" must be an object")
        }
        var wantsProgress = false
        switch document["progress"] {
        case nil, .null?: break
        case .bool(let flag)?: wantsProgress = flag
        default: throw Malformed(id: id, message: "ntk engine: \"progress\" must be true or false")
        }
        self.id = id
        self.command = command.split(separator: " ").map(String.init)
        self.options = options
        self.wantsProgress = wantsProgress
    }

    /// The argument vector `NTKTool.run` receives: the command path, the options, and
    /// `--format=json` when the command offers JSON output and the request names no format.
    func arguments(_ catalog: EngineOptionCatalog) throws -> [String] {
        let shape = catalog.shape(of: command)
        var arguments = command
        var positional: [String] = []
        for (name, value) in options {
            let long = name.replacingOccurrences(of: "_", with: "-")
            switch value {
            case .null, .bool(false):
                continue
            case .bool(true):
                arguments.append("--" + long)
            case .number(let text), .string(let text):
                if shape.positional.contains(long) { positional.append(text) } else { arguments.append("--\(long)=\(text)") }
            case .array(let elements):
                let texts = try elements.map { try scalarText($0, option: name) }
                if shape.positional.contains(long) {
                    positional += texts
                } else if shape.repeating.contains(long) {
                    arguments += texts.map { "--\(long)=\($0)" }
                } else {
                    arguments.append("--\(long)=" + texts.joined(separator: ","))
                }
            case .object:
                throw Malformed(id: id, message: "ntk engine: option \"\(name)\" must be a string, number, boolean, array or null")
            }
        }
        let namesFormat = options.contains { $0.name == "format" }
        if !namesFormat && shape.offersJSON { arguments.append("--format=json") }
        if !positional.isEmpty { arguments += ["--"] + positional }
        return arguments
    }

    private func scalarText(_ value: JSONValue, option: String) throws -> String {
        switch value {
        case .number(let text), .string(let text): return text
        default: throw Malformed(id: id, message: "ntk engine: the elements of option \"\(option)\" must be strings or numbers")
        }
    }
}
