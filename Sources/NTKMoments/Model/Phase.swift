import Multiprecision

/// The three initialization phases of a ReLU network (Poole et al. 2016), decided exactly on
/// the rational σ²: ordered σ² < 2, edge of chaos σ² = 2, chaotic σ² > 2.
public enum Phase: String, Sendable, CaseIterable {
    case ordered
    case edgeOfChaos = "edge-of-chaos"
    case chaotic

    public init(sigma2: BigRational) {
        let two = BigRational(2)
        if sigma2 < two { self = .ordered } else if sigma2 == two { self = .edgeOfChaos } else { self = .chaotic }
    }

    public var displayName: String {
        switch self {
        case .ordered: return "ordered (σ² < 2)"
        case .edgeOfChaos: return "edge of chaos (σ² = 2)"
        case .chaotic: return "chaotic (σ² > 2)"
        }
    }
}
