import CMPFR
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An arbitrary-precision binary floating-point number backed by MPFR.
///
/// * Each value carries its own precision in bits. Binary operators produce a result at the
///   larger precision of their operands, rounded to nearest; the named functions take an
///   explicit `precision` and `rounding` direction and return MPFR's correctly rounded result.
/// * Precondition of every initialiser and operation that takes a `precision`: it lies in
///   `BigFloat.precisionRange` (checked in every build; a violation stops the program with a
///   message naming the range). Check precisions that come from users with
///   `validatedPrecision(_:)`, which throws instead.
/// * Value semantics with copy-on-write: the `mpfr_t` is owned by a private final class and
///   cleared in `deinit`; in-place operations (`add(_:rounding:)`, `addProduct`) reuse it when
///   the value is uniquely referenced, which keeps hot loops free of allocations.
/// * The exponent range is MPFR's widest (about ±2^62 bits) on every thread, so the
///   quantities of very deep networks neither overflow nor underflow.
public struct BigFloat: @unchecked Sendable {
    /// Smallest and largest precisions accepted, in bits. MPFR itself accepts
    /// `MPFR_PREC_MIN` (1) … `MPFR_PREC_MAX` (about 2^63); the cap of 2^24 bits (about
    /// 5 million decimal digits, 2 MiB per value) bounds memory and time.
    public static let minimumPrecision = 2
    public static let maximumPrecision = 1 << 24

    /// `minimumPrecision...maximumPrecision`, which lies within MPFR's own limits.
    public static let precisionRange: ClosedRange<Int> = {
        precondition(minimumPrecision >= ntk_mpfr_prec_min() && maximumPrecision <= ntk_mpfr_prec_max(),
                     "BigFloat: declared precision range exceeds MPFR's")
        return minimumPrecision...maximumPrecision
    }()

    /// `bits` when it lies in `precisionRange`; throws `PrecisionOutOfRangeError` otherwise.
    public static func validatedPrecision(_ bits: Int) throws(PrecisionOutOfRangeError) -> Int {
        guard precisionRange.contains(bits) else { throw PrecisionOutOfRangeError(bits: bits) }
        return bits
    }

    final class Storage {
        let pointer: UnsafeMutablePointer<__mpfr_struct>
        init(precision: Int) {
            guard BigFloat.precisionRange.contains(precision) else {
                // fatalError, not precondition: its message survives optimised builds.
                fatalError("BigFloat: \(PrecisionOutOfRangeError(bits: precision)); validate it with BigFloat.validatedPrecision(_:)")
            }
            BigFloat.ensureWidestExponentRange()
            pointer = .allocate(capacity: 1)
            mpfr_init2(pointer, mpfr_prec_t(precision))
        }
        deinit {
            mpfr_clear(pointer)
            pointer.deallocate()
        }
    }

    var storage: Storage

    /// MPFR keeps its exponent range and its caches of constants (log 2, π, …) per thread,
    /// and a thread starts with a narrow range (about ±2^30) in which 2^-(10^12) is 0.
    /// Every operation that lets MPFR compute calls this first: on a thread's first call it
    /// widens the range and arranges for that thread's caches to be freed when it exits, as
    /// MPFR asks of multithreaded programs (otherwise every short-lived worker thread would
    /// leak them); afterwards it costs one thread-local lookup.
    static func ensureWidestExponentRange() {
        guard pthread_getspecific(widenedThreadKey) == nil else { return }
        mpfr_set_emin(mpfr_get_emin_min())
        mpfr_set_emax(mpfr_get_emax_max())
        pthread_setspecific(widenedThreadKey, UnsafeRawPointer(bitPattern: 1))
    }

    /// A thread-specific key, set on threads whose exponent range has been widened; its
    /// destructor frees the exiting thread's MPFR caches.
    static let widenedThreadKey: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { _ in mpfr_free_cache2(MPFR_FREE_LOCAL_CACHE) }
        return key
    }()

    init(storage: Storage) { self.storage = storage }

    /// Creates a value of the given precision by letting `body` write into it.
    static func make(precision: Int, _ body: (UnsafeMutablePointer<__mpfr_struct>) -> Void) -> BigFloat {
        let s = Storage(precision: precision)
        body(s.pointer)
        return BigFloat(storage: s)
    }

    /// Prepares `storage` for an in-place MPFR operation on this thread: widens the
    /// thread's exponent range and copies shared storage.
    mutating func makeUnique() {
        BigFloat.ensureWidestExponentRange()
        if !isKnownUniquelyReferenced(&storage) {
            let copy = Storage(precision: precision)
            mpfr_set(copy.pointer, storage.pointer, MPFR_RNDN)
            storage = copy
        }
    }

    /// Read-only access to the `mpfr_t` for MPFR functions (comparisons, conversions),
    /// with this thread's exponent range widened.
    func withMPFR<R>(_ body: (UnsafePointer<__mpfr_struct>) throws -> R) rethrows -> R {
        BigFloat.ensureWidestExponentRange()
        return try body(storage.pointer)
    }

    // MARK: Construction

    /// Zero at the given precision.
    public init(precision: Int) {
        storage = Storage(precision: precision)
        mpfr_set_zero(storage.pointer, 1)
    }

    public init(_ value: Int, precision: Int) {
        storage = Storage(precision: precision)
        mpfr_set_si(storage.pointer, value, MPFR_RNDN)
    }

    public init(_ value: Double, precision: Int, rounding: RoundingDirection = .nearest) {
        storage = Storage(precision: precision)
        mpfr_set_d(storage.pointer, value, rounding.mpfr)
    }

    /// The rational `value`, correctly rounded in the given direction.
    public init(_ value: BigRational, precision: Int, rounding: RoundingDirection = .nearest) {
        storage = Storage(precision: precision)
        value.withMPQ { q in _ = mpfr_set_q(storage.pointer, q, rounding.mpfr) }
    }

    /// `value` re-rounded to another precision.
    public init(_ value: BigFloat, precision: Int, rounding: RoundingDirection = .nearest) {
        storage = Storage(precision: precision)
        mpfr_set(storage.pointer, value.storage.pointer, rounding.mpfr)
    }

    /// Parses a decimal string (`"2.5"`, `"-1e-30"`, `"3"`) correctly rounded; throws
    /// `NumberParsingError` on anything else, including `nan` and `inf`, and
    /// `PrecisionOutOfRangeError` for a precision outside `precisionRange`.
    public init(parsing text: String, precision: Int, rounding: RoundingDirection = .nearest) throws {
        _ = try BigFloat.validatedPrecision(precision)
        let exact = try BigRational(parsing: text)
        self.init(exact, precision: precision, rounding: rounding)
    }

    /// 2^exponent, exact.
    public static func powerOfTwo(_ exponent: Int, precision: Int, rounding: RoundingDirection = .nearest) -> BigFloat {
        make(precision: precision) { _ = mpfr_set_si_2exp($0, 1, exponent, rounding.mpfr) }
    }

    public static func infinity(precision: Int, negative: Bool = false) -> BigFloat {
        make(precision: precision) { mpfr_set_inf($0, negative ? -1 : 1) }
    }

    // MARK: Inspection (reads of the value's fields, whatever the exponent range)

    public var precision: Int { Int(mpfr_get_prec(storage.pointer)) }
    public var isZero: Bool { mpfr_zero_p(storage.pointer) != 0 }
    public var isFinite: Bool { mpfr_number_p(storage.pointer) != 0 }
    public var isNaN: Bool { mpfr_nan_p(storage.pointer) != 0 }
    /// −1, 0 or +1 (0 also for NaN).
    public var signum: Int { Int(ntk_mpfr_sgn(storage.pointer)) }

    /// The exponent e with self = m·2^e, 1/2 ≤ |m| < 1; nil for zero, infinities and NaN.
    public var exponent: Int? {
        guard mpfr_regular_p(storage.pointer) != 0 else { return nil }
        return Int(ntk_mpfr_get_exp(storage.pointer))
    }

    /// The value rounded to a double in the given direction (±∞ / 0 outside the range).
    public func doubleValue(rounding: RoundingDirection = .nearest) -> Double {
        withMPFR { mpfr_get_d($0, rounding.mpfr) }
    }

    /// The exact rational value of a finite number; nil for infinities and NaN.
    public var exactRational: BigRational? {
        guard isFinite else { return nil }
        return BigRational.make { q in
            let z = MPZBox()
            let e = withMPFR { mpfr_get_z_2exp(z.pointer, $0) }
            __gmpq_set_z(q, z.pointer)
            if e > 0 { __gmpq_mul_2exp(q, q, UInt(e)) } else if e < 0 { __gmpq_div_2exp(q, q, UInt(-e)) }
        }
    }

    // MARK: Unary and binary operations with explicit rounding

    typealias Binary = (UnsafeMutablePointer<__mpfr_struct>, UnsafePointer<__mpfr_struct>, UnsafePointer<__mpfr_struct>, mpfr_rnd_t) -> Int32
    typealias Unary = (UnsafeMutablePointer<__mpfr_struct>, UnsafePointer<__mpfr_struct>, mpfr_rnd_t) -> Int32

    static func binary(_ f: Binary, _ a: BigFloat, _ b: BigFloat, _ precision: Int?, _ rounding: RoundingDirection) -> BigFloat {
        make(precision: precision ?? max(a.precision, b.precision)) { _ = f($0, a.storage.pointer, b.storage.pointer, rounding.mpfr) }
    }
    func unary(_ f: Unary, _ precision: Int?, _ rounding: RoundingDirection) -> BigFloat {
        BigFloat.make(precision: precision ?? self.precision) { _ = f($0, storage.pointer, rounding.mpfr) }
    }

    public static func sum(_ a: BigFloat, _ b: BigFloat, precision: Int? = nil, rounding: RoundingDirection) -> BigFloat {
        binary(mpfr_add, a, b, precision, rounding)
    }
    public static func difference(_ a: BigFloat, _ b: BigFloat, precision: Int? = nil, rounding: RoundingDirection) -> BigFloat {
        binary(mpfr_sub, a, b, precision, rounding)
    }
    public static func product(_ a: BigFloat, _ b: BigFloat, precision: Int? = nil, rounding: RoundingDirection) -> BigFloat {
        binary(mpfr_mul, a, b, precision, rounding)
    }
    public static func quotient(_ a: BigFloat, _ b: BigFloat, precision: Int? = nil, rounding: RoundingDirection) -> BigFloat {
        binary(mpfr_div, a, b, precision, rounding)
    }
    /// a·b + c with a single rounding.
    public static func fusedMultiplyAdd(_ a: BigFloat, _ b: BigFloat, _ c: BigFloat, precision: Int? = nil, rounding: RoundingDirection = .nearest) -> BigFloat {
        make(precision: precision ?? max(a.precision, b.precision, c.precision)) {
            _ = mpfr_fma($0, a.storage.pointer, b.storage.pointer, c.storage.pointer, rounding.mpfr)
        }
    }

    public func exp(precision: Int? = nil, rounding: RoundingDirection = .nearest) -> BigFloat { unary(mpfr_exp, precision, rounding) }
    public func expm1(precision: Int? = nil, rounding: RoundingDirection = .nearest) -> BigFloat { unary(mpfr_expm1, precision, rounding) }
    /// Natural logarithm (NaN for negative input).
    public func log(precision: Int? = nil, rounding: RoundingDirection = .nearest) -> BigFloat { unary(mpfr_log, precision, rounding) }
    public func log1p(precision: Int? = nil, rounding: RoundingDirection = .nearest) -> BigFloat { unary(mpfr_log1p, precision, rounding) }
    public func squareRoot(precision: Int? = nil, rounding: RoundingDirection = .nearest) -> BigFloat { unary(mpfr_sqrt, precision, rounding) }
    public func log10(precision: Int? = nil, rounding: RoundingDirection = .nearest) -> BigFloat { unary(mpfr_log10, precision, rounding) }
    public func magnitude(precision: Int? = nil) -> BigFloat { unary(mpfr_abs, precision, .nearest) }

    /// self^n for an integer n, correctly rounded.
    public func power(_ n: Int, precision: Int? = nil, rounding: RoundingDirection = .nearest) -> BigFloat {
        BigFloat.make(precision: precision ?? self.precision) { _ = mpfr_pow_si($0, storage.pointer, n, rounding.mpfr) }
    }

    /// self·2^k (exact unless the exponent range is exceeded).
    public func timesPowerOfTwo(_ k: Int, rounding: RoundingDirection = .nearest) -> BigFloat {
        BigFloat.make(precision: precision) { _ = mpfr_mul_2si($0, storage.pointer, k, rounding.mpfr) }
    }

    // MARK: In-place operations (allocation-free when uniquely referenced)
    // Each calls `makeUnique()` first, which also widens the exponent range of the calling
    // thread: the value may have been created on another thread.

    /// self ← self + x, rounded.
    public mutating func add(_ x: BigFloat, rounding: RoundingDirection = .nearest) {
        makeUnique()
        mpfr_add(storage.pointer, storage.pointer, x.storage.pointer, rounding.mpfr)
    }

    /// self ← self·x, rounded.
    public mutating func multiply(by x: BigFloat, rounding: RoundingDirection = .nearest) {
        makeUnique()
        mpfr_mul(storage.pointer, storage.pointer, x.storage.pointer, rounding.mpfr)
    }

    /// self ← a·b + self with one rounding.
    public mutating func addProduct(_ a: BigFloat, _ b: BigFloat, rounding: RoundingDirection) {
        makeUnique()
        mpfr_fma(storage.pointer, a.storage.pointer, b.storage.pointer, storage.pointer, rounding.mpfr)
    }

    /// self ← a·b + self, rounded to nearest with one rounding.
    public mutating func addProduct(_ a: BigFloat, _ b: BigFloat) { addProduct(a, b, rounding: .nearest) }

    /// self ← a·b, rounded (keeps self's precision).
    public mutating func setProduct(_ a: BigFloat, _ b: BigFloat, rounding: RoundingDirection) {
        makeUnique()
        mpfr_mul(storage.pointer, a.storage.pointer, b.storage.pointer, rounding.mpfr)
    }

    /// self ← 0 (keeps the precision).
    public mutating func setZero() {
        makeUnique()
        mpfr_set_zero(storage.pointer, 1)
    }
}

/// A precision (in bits) outside `BigFloat.precisionRange`.
public struct PrecisionOutOfRangeError: Error, CustomStringConvertible, Equatable, Sendable {
    public let bits: Int

    public init(bits: Int) { self.bits = bits }

    public var description: String {
        "precision \(bits) bits is outside \(BigFloat.minimumPrecision)...\(BigFloat.maximumPrecision)"
    }
}

// MARK: Operators (round to nearest at the larger precision)

extension BigFloat {
    public static func + (a: BigFloat, b: BigFloat) -> BigFloat { sum(a, b, rounding: .nearest) }
    public static func - (a: BigFloat, b: BigFloat) -> BigFloat { difference(a, b, rounding: .nearest) }
    public static func * (a: BigFloat, b: BigFloat) -> BigFloat { product(a, b, rounding: .nearest) }
    public static func / (a: BigFloat, b: BigFloat) -> BigFloat { quotient(a, b, rounding: .nearest) }
    public static prefix func - (a: BigFloat) -> BigFloat { a.unary(mpfr_neg, nil, .nearest) }
    public static func += (a: inout BigFloat, b: BigFloat) { a.add(b) }
    public static func *= (a: inout BigFloat, b: BigFloat) { a.multiply(by: b) }
}

extension BigFloat: Equatable, Comparable {
    /// Numeric equality (NaN is unequal to everything; precision is ignored).
    public static func == (a: BigFloat, b: BigFloat) -> Bool {
        a.withMPFR { mpfr_equal_p($0, b.storage.pointer) != 0 }
    }
    public static func < (a: BigFloat, b: BigFloat) -> Bool {
        a.withMPFR { mpfr_less_p($0, b.storage.pointer) != 0 }
    }
}

// MARK: Decimal output

extension BigFloat: CustomStringConvertible {
    /// Enough significant digits to identify the value at its precision.
    public var description: String {
        formatted(significantDigits: max(1, Int((Double(precision) * 0.30102999566398120).rounded(.up)) + 1))
    }

    /// The decimal digits and exponent of `self` rounded to `digits` significant digits:
    /// self ≈ 0.d₁d₂…d_n × 10^exponent. Nil for zero, infinities and NaN.
    public func decimalDigits(_ digits: Int, rounding: RoundingDirection = .nearest) -> (negative: Bool, digits: String, exponent: Int)? {
        guard mpfr_regular_p(storage.pointer) != 0 else { return nil }
        var exp: mpfr_exp_t = 0
        guard let cString = withMPFR({ mpfr_get_str(nil, &exp, 10, max(digits, 1), $0, rounding.mpfr) }) else { return nil }
        defer { mpfr_free_str(cString) }
        var text = String(cString: cString)
        var negative = false
        if text.hasPrefix("-") { negative = true; text.removeFirst() }
        return (negative, text, Int(exp))
    }

    /// The value correctly rounded to `significantDigits` decimal digits, in plain notation
    /// for moderate magnitudes (`1234.5`, `0.00123`) and scientific notation otherwise
    /// (`1.2345e+30`). Trailing zeros are kept: they are significant.
    public func formatted(significantDigits: Int, rounding: RoundingDirection = .nearest) -> String {
        if isNaN { return "nan" }
        if !isFinite { return signum < 0 ? "-inf" : "inf" }
        if isZero { return "0" }
        guard let (negative, digits, exp) = decimalDigits(significantDigits, rounding: rounding) else { return "nan" }
        // Plain notation only while every shown digit is significant (no padding zeros).
        return DecimalLayout.render(negative: negative, digits: digits, exponent: exp, scientificBeyond: significantDigits)
    }
}

/// Lays out a digit string d₁…d_n with value 0.d₁…d_n × 10^exponent.
public enum DecimalLayout {
    /// Plain notation when 10^-6 < |value| < 10^21 (and, if `scientificBeyond` is given,
    /// when no more than that many digits stand before the point); scientific otherwise.
    public static func render(negative: Bool, digits: String, exponent: Int, scientificBeyond: Int = 21) -> String {
        let sign = negative ? "-" : ""
        let n = digits.count
        let pointPosition = exponent  // digits before the decimal point
        if pointPosition > 0 && pointPosition <= min(21, scientificBeyond) {
            if pointPosition >= n {
                return sign + digits + String(repeating: "0", count: pointPosition - n)
            }
            let i = digits.index(digits.startIndex, offsetBy: pointPosition)
            return sign + digits[..<i] + "." + digits[i...]
        }
        if pointPosition <= 0 && pointPosition > -6 {
            return sign + "0." + String(repeating: "0", count: -pointPosition) + digits
        }
        let first = digits.prefix(1)
        let rest = digits.dropFirst()
        let e = exponent - 1
        let expText = e < 0 ? "e-\(-e)" : "e+\(e)"
        return sign + first + (rest.isEmpty ? "" : "." + rest) + expText
    }
}

