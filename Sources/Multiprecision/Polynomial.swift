/// A polynomial in two variables with exact rational coefficients,
/// p(s, x) = Σ c[i][j] · x^i · s^j.
///
/// In this project `s` stands for σ² and `x` for ‖x‖²; the type itself knows nothing of
/// networks. Coefficients are stored densely by x-degree, then s-degree, without trailing
/// zero rows or columns, so equal polynomials have equal representations.
public struct Polynomial: Sendable, Equatable {
    /// coefficients[i][j] multiplies x^i s^j.
    public private(set) var coefficients: [[BigRational]]

    public init() { coefficients = [] }

    /// c · x^xDegree · s^sDegree.
    public init(_ c: BigRational, xDegree: Int = 0, sDegree: Int = 0) {
        precondition(xDegree >= 0 && sDegree >= 0)
        coefficients = []
        if !c.isZero {
            coefficients = Array(repeating: [], count: xDegree + 1)
            var row = Array(repeating: BigRational(0), count: sDegree + 1)
            row[sDegree] = c
            coefficients[xDegree] = row
        }
    }

    public init(coefficients: [[BigRational]]) {
        self.coefficients = coefficients
        normalize()
    }

    public static var zero: Polynomial { Polynomial() }
    public var isZero: Bool { coefficients.isEmpty }

    /// Highest power of s with a non-zero coefficient (−1 for the zero polynomial).
    public var sDegree: Int { coefficients.map { $0.count - 1 }.max() ?? -1 }
    /// Highest power of x with a non-zero coefficient (−1 for the zero polynomial).
    public var xDegree: Int { coefficients.count - 1 }

    /// Exact value at s, x.
    public func evaluate(s: BigRational, x: BigRational) -> BigRational {
        var total = BigRational(0)
        var xPower = BigRational(1)
        for row in coefficients {
            var inner = BigRational(0)
            for c in row.reversed() { inner = inner * s + c }  // Horner in s
            total += inner * xPower
            xPower *= x
        }
        return total
    }

    private mutating func normalize() {
        for i in coefficients.indices {
            while let last = coefficients[i].last, last.isZero { coefficients[i].removeLast() }
        }
        while let last = coefficients.last, last.isEmpty { coefficients.removeLast() }
    }

    mutating func accumulate(_ other: Polynomial, sign: Int) {
        if coefficients.count < other.coefficients.count {
            coefficients.append(contentsOf: Array(repeating: [], count: other.coefficients.count - coefficients.count))
        }
        for (i, row) in other.coefficients.enumerated() {
            if coefficients[i].count < row.count {
                coefficients[i].append(contentsOf: Array(repeating: BigRational(0), count: row.count - coefficients[i].count))
            }
            for (j, c) in row.enumerated() where !c.isZero {
                coefficients[i][j] = sign > 0 ? coefficients[i][j] + c : coefficients[i][j] - c
            }
        }
        normalize()
    }

    public static func + (a: Polynomial, b: Polynomial) -> Polynomial {
        var r = a; r.accumulate(b, sign: 1); return r
    }
    public static func - (a: Polynomial, b: Polynomial) -> Polynomial {
        var r = a; r.accumulate(b, sign: -1); return r
    }
    public static func * (a: Polynomial, b: Polynomial) -> Polynomial {
        if a.isZero || b.isZero { return Polynomial() }
        var rows = Array(repeating: [BigRational](), count: a.coefficients.count + b.coefficients.count - 1)
        for (i1, r1) in a.coefficients.enumerated() {
            for (i2, r2) in b.coefficients.enumerated() where !r2.isEmpty && !r1.isEmpty {
                let i = i1 + i2
                let needed = r1.count + r2.count - 1
                if rows[i].count < needed {
                    rows[i].append(contentsOf: Array(repeating: BigRational(0), count: needed - rows[i].count))
                }
                for (j1, c1) in r1.enumerated() where !c1.isZero {
                    for (j2, c2) in r2.enumerated() where !c2.isZero {
                        rows[i][j1 + j2].addProduct(c1, c2)
                    }
                }
            }
        }
        return Polynomial(coefficients: rows)
    }

    public mutating func setZero() { coefficients = [] }

    public mutating func addProduct(_ a: Polynomial, _ b: Polynomial) {
        self = self + a * b
    }

    public static func == (a: Polynomial, b: Polynomial) -> Bool { a.coefficients == b.coefficients }
}
