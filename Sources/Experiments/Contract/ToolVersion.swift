/// The version of `ntk`, from this one place: `ntk --version` prints it, and machine-readable
/// outputs and shard files carry it so that results from different builds can be told apart.
public enum ToolVersion {
    /// Semantic version: the major number changes when a JSON schema or a shard format
    /// changes incompatibly.
    public static let string = "0.3.0"
}
