import Multiprecision

/// Turns the exact constants of the infinite-width kernel into scalars of one arithmetic.
/// Contract of `constant`: correctly rounded (Double, MPFR) or enclosed (intervals).
public protocol KernelArithmetic: Sendable {
    associatedtype Scalar: KernelScalar
    func constant(_ value: BigRational) -> Scalar
    /// π, rounded or enclosed.
    var pi: Scalar { get }
}

/// IEEE double precision.
public struct DoubleKernelArithmetic: KernelArithmetic {
    public init() {}
    public func constant(_ value: BigRational) -> Double { BigFloat(value, precision: 53).doubleValue() }
    public var pi: Double { Double.pi }
}

/// MPFR at a fixed precision, rounding to nearest.
public struct MPFRKernelArithmetic: KernelArithmetic {
    public let precision: Int
    public init(precision: Int) throws {
        self.precision = try BigFloat.validatedPrecision(precision)
    }
    public func constant(_ value: BigRational) -> BigFloat { BigFloat(value, precision: precision) }
    public var pi: BigFloat { BigFloat.pi(precision: precision) }
}

/// Certified enclosures (MPFR intervals with outward rounding) at a fixed precision.
public struct EnclosureKernelArithmetic: KernelArithmetic {
    public let precision: Int
    public init(precision: Int) throws {
        self.precision = try BigFloat.validatedPrecision(precision)
    }
    public func constant(_ value: BigRational) -> Enclosure { Enclosure(value, precision: precision) }
    public var pi: Enclosure {
        Enclosure(lower: BigFloat.pi(precision: precision, rounding: .down), upper: BigFloat.pi(precision: precision, rounding: .up))
    }
}
