import CMPFR
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Owns one GMP `mpz_t`. Internal: the public face of GMP integers in this module is
/// `BigRational.numerator` / `.denominator` as decimal strings.
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
