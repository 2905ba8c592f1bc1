#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// libm's log1p/expm1, named so they cannot be confused with BigFloat methods.
@inline(__always) func Foundation_log1p(_ x: Double) -> Double { log1p(x) }
@inline(__always) func Foundation_expm1(_ x: Double) -> Double { expm1(x) }
@inline(__always) func Foundation_log(_ x: Double) -> Double { log(x) }
