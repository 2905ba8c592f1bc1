/// Which law of the backward pass the recursion uses (derivations/02-reduction.md).
public enum MomentModel: String, Sendable, CaseIterable, Codable {
    /// The exact law of a real network: the backward norm picks up the injection term
    /// f²/X_l, which couples it to the forward pass.
    case exact
    /// The gradient-independence approximation: the backward pass uses fresh weights,
    /// b'_l = (σ²/n_l)·χ²_{k_l}, with no injection term. Its infinite-depth-and-width limit is
    /// the published formula of Seleznova & Kutyniok (2022).
    case gradientIndependence = "gi"
}
