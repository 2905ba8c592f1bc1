/// What the engine needs to know about each command's options to turn typed values into a
/// command line: the tool's own argument declarations, as `CommandLineVocabulary` reads them
/// from ArgumentParser, so no option is listed twice.
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

    private let vocabulary = CommandLineVocabulary.ntk

    /// The shape of the command at `path` (with its default subcommand's options, since
    /// `validate` runs `validate run`); empty for an unknown command, which the tool reports.
    func shape(of path: [String]) -> Shape {
        var node = vocabulary.root
        for name in path {
            guard let next = node.subcommand(named: name) else { return Shape() }
            node = next
        }
        var shape = Shape()
        for command in [node, node.runningCommand] {
            shape.positional.formUnion(command.positionalNames)
            for option in command.options where option.takesValue {
                if option.isRepeating { shape.repeating.formUnion(option.longNames) }
                if option.longNames.contains("format"), option.allValues.contains("json") { shape.offersJSON = true }
            }
        }
        return shape
    }
}
