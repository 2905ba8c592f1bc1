/// The four states of the path automaton that unrolls Θ into products with one factor per
/// hidden layer (derivations/03-recursion.md).
enum PathState: Int, CaseIterable {
    /// Weight term, still inside the forward prefix X_{l−1}: factor a_j.
    case prefixWeight
    /// Bias term, inside the prefix (no forward factor): factor 1.
    case prefixBias
    /// Inside the backward product b_l b_{l+1} …: factor b_j.
    case backward
    /// After the injection layer m: factors a_{m+1} … a_{L−1}, then z at the top.
    case injected
}

/// The factor a path picks up at one hidden layer.
enum PathFactor {
    case one, forward, backward
}

/// One allowed transition of the automaton at a hidden layer.
struct PathTransition {
    let from: PathState
    let to: PathState
    let factor: PathFactor
}

extension MomentModel {
    /// The automaton's transitions. The gradient-independence model has no injection, so
    /// it never enters `.injected`.
    var transitions: [PathTransition] {
        let common: [PathTransition] = [
            .init(from: .prefixWeight, to: .prefixWeight, factor: .forward),
            .init(from: .prefixWeight, to: .backward, factor: .backward),
            .init(from: .prefixBias, to: .prefixBias, factor: .one),
            .init(from: .prefixBias, to: .backward, factor: .backward),
            .init(from: .backward, to: .backward, factor: .backward),
        ]
        switch self {
        case .gradientIndependence:
            return common
        case .exact:
            return common + [
                .init(from: .prefixWeight, to: .injected, factor: .one),
                .init(from: .prefixBias, to: .injected, factor: .one),
                .init(from: .backward, to: .injected, factor: .one),
                .init(from: .injected, to: .injected, factor: .forward),
            ]
        }
    }
}

/// An unordered pair of path states: the second moment sums over ordered pairs of paths,
/// and the symmetry (s, s') ↔ (s', s) halves the state space from 16 to 10.
struct PairState: Hashable {
    let first: PathState
    let second: PathState

    init(_ x: PathState, _ y: PathState) {
        if x.rawValue <= y.rawValue { first = x; second = y } else { first = y; second = x }
    }

    static let all: [PairState] = PathState.allCases.flatMap { x in
        PathState.allCases.filter { $0.rawValue >= x.rawValue }.map { PairState(x, $0) }
    }

    /// The ordered pairs this unordered pair stands for (one or two).
    var orderings: [(PathState, PathState)] {
        first == second ? [(first, second)] : [(first, second), (second, first)]
    }
}
