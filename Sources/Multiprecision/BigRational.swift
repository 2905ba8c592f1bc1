import CMPFR
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exact rational number backed by GMP's `mpq_t`, always in lowest terms with a positive
/// denominator.
///
/// Value semantics: copies share storage until one of them is mutated (copy-on-write); the
/// GMP memory is released when the last copy goes away. Instances may be used from several
/// threads as long as no two threads mutate the same variable.
///
/// Parsing is exact: `"0.1"` is the rational `1/10`, never the binary double nearest to it.
///
/// Division by zero: the operator `/`, `init(_:_:)` and `power(_:)` with a negative
/// exponent require a non-zero divisor (checked in every build; a violation stops the
/// program with a message saying so). For divisors that may be zero — user input —
/// `dividing(by:)` and `init(numerator:denominator:)` throw `DivisionByZeroError` instead.
public struct BigRational: @unchecked Sendable {
    final class Storage {
        let pointer: UnsafeMutablePointer<__mpq_struct>
        init() {
            pointer = .allocate(capacity: 1)
            __gmpq_init(pointer)
        }
        deinit {
            __gmpq_clear(pointer)
            pointer.deallocate()
        }
    }

    var storage: Storage

    /// Read-only access to the underlying `mpq_t`.
    func withMPQ<R>(_ body: (UnsafePointer<__mpq_struct>) throws -> R) rethrows -> R {
        try body(storage.pointer)
    }

    private init(storage: Storage) { self.storage = storage }

    /// Builds a value by letting `body` write into a freshly initialised `mpq_t`.
    static func make(_ body: (UnsafeMutablePointer<__mpq_struct>) -> Void) -> BigRational {
        let s = Storage()
        body(s.pointer)
        return BigRational(storage: s)
    }

    private mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) {
            let copy = Storage()
            __gmpq_set(copy.pointer, storage.pointer)
            storage = copy
        }
    }

    // MARK: Construction

    public init() { self.storage = Storage() }

    public init(_ value: Int) {
        storage = Storage()
        __gmpq_set_si(storage.pointer, value, 1)
    }

    /// `numerator / denominator`. Precondition: `denominator ≠ 0` (checked; see the type's
    /// notes on division by zero).
    public init(_ numerator: Int, _ denominator: Int) {
        guard denominator != 0 else {
            fatalError("BigRational(\(numerator), 0): zero denominator; init(numerator:denominator:) throws instead")
        }
        self = BigRational(numerator) / BigRational(denominator)
    }

    /// `numerator / denominator`; throws `DivisionByZeroError` when the denominator is zero.
    public init(numerator: BigRational, denominator: BigRational) throws(DivisionByZeroError) {
        self = try numerator.dividing(by: denominator)
    }

    /// The exact value of a finite binary double.
    public init?(exactly value: Double) {
        guard value.isFinite else { return nil }
        storage = Storage()
        __gmpq_set_d(storage.pointer, value)
    }

    /// Largest accepted |decimal exponent| in `init(parsing:)`; bounds memory and time.
    public static let maximumDecimalExponent = 100_000

    /// Parses an integer (`-3`), a decimal (`2.5`, `.5`, `1e-3`, `2.5E2`) or a fraction of
    /// integers (`5/2`, `-7/14`). Surrounding white space is ignored. The result is exact.
    public init(parsing text: String) throws {
        let trimmed = text.trimmingWhitespace()
        guard !trimmed.isEmpty else { throw NumberParsingError(text: text, reason: .empty) }
        if let slash = trimmed.firstIndex(of: "/") {
            let numText = String(trimmed[..<slash])
            let denText = String(trimmed[trimmed.index(after: slash)...])
            guard let num = Self.parseInteger(numText), let den = Self.parseInteger(denText) else {
                throw NumberParsingError(text: text, reason: .malformed)
            }
            guard den.signum != 0 else { throw NumberParsingError(text: text, reason: .zeroDenominator) }
            self = num / den
            return
        }
        self = try Self.parseDecimal(String(trimmed), original: text)
    }

    private static func parseInteger(_ s: String) -> BigRational? {
        var digits = Substring(s)
        var negative = false
        if let first = digits.first, first == "+" || first == "-" {
            negative = first == "-"
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        let result = BigRational.make { q in
            _ = String(digits).withCString { __gmpz_set_str(ntk_mpq_numref_mut(q), $0, 10) }
        }
        return negative ? -result : result
    }

    private static func parseDecimal(_ s: String, original: String) throws -> BigRational {
        let bytes = Array(s.utf8)
        var i = 0
        var negative = false
        if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") {
            negative = bytes[i] == UInt8(ascii: "-")
            i += 1
        }
        var mantissa: [UInt8] = []
        var fractionDigits = 0
        var sawDigit = false
        while i < bytes.count, bytes[i] >= 48, bytes[i] <= 57 {
            mantissa.append(bytes[i]); sawDigit = true; i += 1
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            while i < bytes.count, bytes[i] >= 48, bytes[i] <= 57 {
                mantissa.append(bytes[i]); fractionDigits += 1; sawDigit = true; i += 1
            }
        }
        guard sawDigit else {
            let lowered = s.lowercased()
            if ["nan", "+nan", "-nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"].contains(lowered) {
                throw NumberParsingError(text: original, reason: .notFinite)
            }
            throw NumberParsingError(text: original, reason: .malformed)
        }
        var exponent = 0
        if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            var expNegative = false
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") {
                expNegative = bytes[i] == UInt8(ascii: "-")
                i += 1
            }
            var expDigits = 0
            var magnitude = 0
            while i < bytes.count, bytes[i] >= 48, bytes[i] <= 57 {
                expDigits += 1
                if magnitude <= maximumDecimalExponent { magnitude = magnitude * 10 + Int(bytes[i] - 48) }
                i += 1
            }
            guard expDigits > 0 else { throw NumberParsingError(text: original, reason: .malformed) }
            guard magnitude <= maximumDecimalExponent else {
                throw NumberParsingError(text: original, reason: .exponentOutOfRange(limit: maximumDecimalExponent))
            }
            exponent = expNegative ? -magnitude : magnitude
        }
        guard i == bytes.count else { throw NumberParsingError(text: original, reason: .malformed) }
        let digitString = String(decoding: mantissa, as: UTF8.self)
        var value = BigRational.make { q in
            _ = digitString.withCString { __gmpz_set_str(ntk_mpq_numref_mut(q), $0, 10) }
        }
        let scale = exponent - fractionDigits
        if scale != 0 {
            let power = BigRational.make { q in
                __gmpz_ui_pow_ui(ntk_mpq_numref_mut(q), 10, UInt(scale.magnitude))
            }
            value = scale > 0 ? value * power : value / power
        }
        return negative ? -value : value
    }

    // MARK: Inspection

    /// −1, 0 or +1.
    public var signum: Int { Int(ntk_mpq_sgn(storage.pointer)) }
    public var isZero: Bool { signum == 0 }

    /// Numerator in lowest terms, as exact decimal digits.
    public var numeratorString: String { MPZBox.decimalString(ntk_mpq_numref(storage.pointer)) }
    /// Denominator in lowest terms (positive), as exact decimal digits.
    public var denominatorString: String { MPZBox.decimalString(ntk_mpq_denref(storage.pointer)) }

    /// `"p/q"`, or `"p"` when the denominator is 1.
    public var fractionString: String {
        let d = denominatorString
        return d == "1" ? numeratorString : numeratorString + "/" + d
    }

    /// True when the value is an integer.
    public var isInteger: Bool { __gmpz_cmp_ui(ntk_mpq_denref(storage.pointer), 1) == 0 }

    /// Number of bits of numerator plus denominator: a size measure for cost estimates.
    public var bitSize: Int {
        Int(ntk_mpz_sizeinbase(ntk_mpq_numref(storage.pointer), 2))
            + Int(ntk_mpz_sizeinbase(ntk_mpq_denref(storage.pointer), 2))
    }

    /// Nearest double (round to nearest is not guaranteed by GMP; use `BigFloat` for that).
    public var approximateDouble: Double { __gmpq_get_d(storage.pointer) }

    /// The value as an `Int` when it is an integer that fits.
    public var exactInt: Int? {
        guard isInteger else { return nil }
        let num = ntk_mpq_numref(storage.pointer)
        guard __gmpz_fits_slong_p(num) != 0 else { return nil }
        return __gmpz_get_si(num)
    }

    // MARK: Arithmetic

    public static prefix func - (x: BigRational) -> BigRational {
        make { __gmpq_neg($0, x.storage.pointer) }
    }
    public static func + (a: BigRational, b: BigRational) -> BigRational {
        make { __gmpq_add($0, a.storage.pointer, b.storage.pointer) }
    }
    public static func - (a: BigRational, b: BigRational) -> BigRational {
        make { __gmpq_sub($0, a.storage.pointer, b.storage.pointer) }
    }
    public static func * (a: BigRational, b: BigRational) -> BigRational {
        make { __gmpq_mul($0, a.storage.pointer, b.storage.pointer) }
    }
    /// The exact quotient a / b. Precondition: `b ≠ 0` (checked in every build: a zero
    /// divisor stops the program with "BigRational: division by zero"). Use
    /// `dividing(by:)`, which throws, when the divisor may be zero.
    public static func / (a: BigRational, b: BigRational) -> BigRational {
        // fatalError, not precondition: its message survives optimised builds.
        guard !b.isZero else { fatalError("BigRational: division by zero; use dividing(by:), which throws instead") }
        return make { __gmpq_div($0, a.storage.pointer, b.storage.pointer) }
    }

    /// The exact quotient self / divisor; throws `DivisionByZeroError` when the divisor is zero.
    public func dividing(by divisor: BigRational) throws(DivisionByZeroError) -> BigRational {
        guard !divisor.isZero else { throw DivisionByZeroError() }
        return self / divisor
    }

    public static func += (a: inout BigRational, b: BigRational) {
        a.makeUnique()
        __gmpq_add(a.storage.pointer, a.storage.pointer, b.storage.pointer)
    }
    public static func *= (a: inout BigRational, b: BigRational) {
        a.makeUnique()
        __gmpq_mul(a.storage.pointer, a.storage.pointer, b.storage.pointer)
    }

    /// `self += a * b` without allocating when `self` is uniquely referenced.
    public mutating func addProduct(_ a: BigRational, _ b: BigRational) {
        makeUnique()
        let t = BigRational.make { __gmpq_mul($0, a.storage.pointer, b.storage.pointer) }
        __gmpq_add(storage.pointer, storage.pointer, t.storage.pointer)
    }

    /// ⌊self⌋, the largest integer not above the value.
    public var floor: BigRational {
        let num = ntk_mpq_numref(storage.pointer), den = ntk_mpq_denref(storage.pointer)
        return BigRational.make { q in __gmpz_fdiv_q(ntk_mpq_numref_mut(q), num, den) }
    }

    /// `self · 2^k` (exact, for any sign of k).
    public func timesPowerOfTwo(_ k: Int) -> BigRational {
        if k >= 0 { return BigRational.make { __gmpq_mul_2exp($0, storage.pointer, UInt(k)) } }
        return BigRational.make { __gmpq_div_2exp($0, storage.pointer, UInt(k.magnitude)) }
    }

    /// self^exponent, exact (0^0 = 1). Precondition: a negative exponent requires a non-zero
    /// base (checked).
    public func power(_ exponent: Int) -> BigRational {
        if exponent == 0 { return BigRational(1) }
        if exponent < 0 {
            guard !isZero else { fatalError("BigRational: 0 raised to the negative power \(exponent)") }
            return BigRational(1) / power(-exponent)
        }
        let num = ntk_mpq_numref(storage.pointer), den = ntk_mpq_denref(storage.pointer)
        return BigRational.make { q in
            __gmpz_pow_ui(ntk_mpq_numref_mut(q), num, UInt(exponent))
            __gmpz_pow_ui(ntk_mpq_denref_mut(q), den, UInt(exponent))
            // A power of a reduced fraction is reduced and has a positive denominator.
        }
    }
}

extension BigRational: Equatable, Comparable, Hashable {
    public static func == (a: BigRational, b: BigRational) -> Bool {
        __gmpq_equal(a.storage.pointer, b.storage.pointer) != 0
    }
    public static func < (a: BigRational, b: BigRational) -> Bool {
        __gmpq_cmp(a.storage.pointer, b.storage.pointer) < 0
    }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(fractionString)
    }
}

extension BigRational: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int) { self.init(value) }
}

extension BigRational: CustomStringConvertible, LosslessStringConvertible {
    /// Exact `"p/q"` form (or `"p"` for an integer).
    public var description: String { fractionString }
    public init?(_ description: String) {
        guard let value = try? BigRational(parsing: description) else { return nil }
        self = value
    }
}

extension String {
    func trimmingWhitespace() -> Substring {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s = s.dropFirst() }
        while let l = s.last, l.isWhitespace { s = s.dropLast() }
        return s
    }
}

/// Division of a `BigRational` by zero, reported by `dividing(by:)` and
/// `init(numerator:denominator:)`.
public struct DivisionByZeroError: Error, CustomStringConvertible, Equatable, Sendable {
    public init() {}
    public var description: String { "division by zero" }
}

/// Owns one GMP `mpz_t` (scratch integers). Internal: the public face of GMP integers in this
/// module is `BigRational.numeratorString` / `.denominatorString`.
final class MPZBox {
    let pointer: UnsafeMutablePointer<__mpz_struct>

    init() {
        pointer = .allocate(capacity: 1)
        __gmpz_init(pointer)
    }

    deinit {
        __gmpz_clear(pointer)
        pointer.deallocate()
    }

    /// Decimal digits of the integer (exact, with a leading `-` when negative).
    static func decimalString(_ z: UnsafePointer<__mpz_struct>) -> String {
        guard let cString = __gmpz_get_str(nil, 10, z) else { return "0" }
        let result = String(cString: cString)
        let length = strlen(cString) + 1
        ntk_gmp_free(cString, length)
        return result
    }
}
