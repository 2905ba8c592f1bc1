import RealModule

/// `BigRational` is a field in the sense of swift-numerics, so generic numerical code
/// written against `AlgebraicField` runs on exact rationals.
///
/// (`BigFloat` deliberately does not conform: `AlgebraicField` needs a context-free `zero`
/// and `init(exactly:)`, while every `BigFloat` must be given a precision.)
extension BigRational: AlgebraicField {
    public typealias Magnitude = BigRational

    public init?<T: BinaryInteger>(exactly source: T) {
        guard let value = Int(exactly: source) else {
            guard let parsed = try? BigRational(parsing: String(source)) else { return nil }
            self = parsed
            return
        }
        self.init(value)
    }

    public var magnitude: BigRational { signum < 0 ? -self : self }

    public static func -= (a: inout BigRational, b: BigRational) { a = a - b }

    public static func /= (a: inout BigRational, b: BigRational) { a = a / b }

    public var reciprocal: BigRational? { isZero ? nil : BigRational(1) / self }
}
