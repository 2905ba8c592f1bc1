import NTKOutput

/// What the engine needs to know about each command's options to turn typed values into a
/// command line, read from the tool's own argument declarations (ArgumentParser's
/// `--experimental-dump-help`), so no option is listed twice.
struct EngineOptionCatalog {
    /// The shape of one (sub)command's options.
    struct Shape {
        /// Options that take one value per occurrence (an array is passed element by element).
        var repeating: Set<String> = []
        /// Positional arguments, by value name (an array or value is passed after `--`).
        var positional: Set<String> = []
        /// Whether the command has a `--format` option with a `json` value.
        var offersJSON = false
    }

    private let root: JSONValue

    /// Reads the declarations of every command of `ntk`.
    init() {
        let io = CommandIO(.capture)
        _ = NTKTool.run(["--experimental-dump-help"], io: io)
        root = (try? JSONParser().parse(io.capturedStandardOutput))?["command"] ?? .null
    }

    /// The shape of the command at `path` (with its default subcommand's options, since
    /// `validate` runs `validate run`); empty for an unknown command, which the tool reports.
    func shape(of path: [String]) -> Shape {
        var node = root
        for name in path {
            guard let next = node["subcommands"]?.arrayValue?.first(where: { $0["commandName"]?.stringValue == name }) else {
                return Shape()
            }
            node = next
        }
        var shape = Shape()
        while true {
            for argument in node["arguments"]?.arrayValue ?? [] {
                let kind = argument["kind"]?.stringValue
                let isRepeating = argument["isRepeating"] == .bool(true)
                if kind == "positional", let name = argument["valueName"]?.stringValue {
                    shape.positional.insert(name)
                }
                guard kind == "option" else { continue }
                let longNames = (argument["names"]?.arrayValue ?? []).compactMap { name -> String? in
                    name["kind"]?.stringValue == "long" ? name["name"]?.stringValue : nil
                }
                if isRepeating { shape.repeating.formUnion(longNames) }
                if longNames.contains("format"), argument["allValues"]?.arrayValue?.contains(.string("json")) == true {
                    shape.offersJSON = true
                }
            }
            guard let defaultName = node["defaultSubcommand"]?.stringValue,
                  let next = node["subcommands"]?.arrayValue?.first(where: { $0["commandName"]?.stringValue == defaultName }) else {
                return shape
            }
            node = next
        }
    }
}
