import Multiprecision

/// Why a limit cannot be evaluated for the given parameters.
public struct LimitDomainError: Error, CustomStringConvertible, Sendable {
    public let description: String
}
