import Testing
import Foundation
@testable import Multiprecision

/// First 100 significant digits, truncated (not rounded), from the literature; checked against
/// an independent arbitrary-precision library when this file was written. Truncation is the
/// right comparison: 333 bits carry about 100.2 digits, and for ln 2 the correctly rounded
/// 333-bit value (ln 2 + 1.9e-101) rounds to a different 100th digit than ln 2 itself.
private let eDigits = "2.718281828459045235360287471352662497757247093699959574966967627724076630353547594571382178525166427"
private let ln2Digits = "0.6931471805599453094172321214581765680755001343602552541206800094933936219696947156058633269964186875"
private let sqrt2Digits = "1.414213562373095048801688724209698078569671875376948073176679737990732478462107038850387534327641572"

@Suite("BigFloat (MPFR)")
struct BigFloatTests {
    @Test("exp(1), log(2), sqrt(2) at 333 bits match their first 100 digits")
    func constants() {
        let one = BigFloat(1, precision: 333), two = BigFloat(2, precision: 333)
        #expect(one.exp().formatted(significantDigits: 100, rounding: .towardZero) == eDigits)
        #expect(two.log().formatted(significantDigits: 100, rounding: .towardZero) == ln2Digits)
        #expect(two.squareRoot().formatted(significantDigits: 100, rounding: .towardZero) == sqrt2Digits)
    }

    @Test("rounding down and up bracket 1/3, exp(1) and a long sum")
    func directedRounding() throws {
        let third = BigRational(1, 3)
        let lo = BigFloat(third, precision: 64, rounding: .down), hi = BigFloat(third, precision: 64, rounding: .up)
        #expect(lo < hi)
        #expect(Enclosure(lower: lo, upper: hi).contains(third))
        #expect(!Enclosure(lower: lo, upper: lo).contains(third))

        let one = BigFloat(1, precision: 40)
        let eLow = one.exp(rounding: .down), eHigh = one.exp(rounding: .up)
        let eRef = BigFloat(try BigRational(parsing: eDigits), precision: 400)
        #expect(BigFloat(eLow, precision: 400) < eRef && eRef < BigFloat(eHigh, precision: 400))

        // Σ_{k=1}^{2000} 1/k rounded down and up term by term brackets the exact harmonic number.
        var exact = BigRational(0)
        var down = BigFloat(0, precision: 50), up = BigFloat(0, precision: 50)
        for k in 1...2000 {
            let term = BigRational(1, k)
            exact += term
            down = BigFloat.sum(down, BigFloat(term, precision: 50, rounding: .down), rounding: .down)
            up = BigFloat.sum(up, BigFloat(term, precision: 50, rounding: .up), rounding: .up)
        }
        #expect(Enclosure(lower: down, upper: up).contains(exact))
    }

    @Test("aliasing in place: x ← exp(x) style updates and fused multiply-add")
    func inPlace() {
        var x = BigFloat(3, precision: 100)
        let y = x  // shares storage until x is mutated
        x.addProduct(BigFloat(2, precision: 100), BigFloat(5, precision: 100))
        #expect(x == BigFloat(13, precision: 100))
        #expect(y == BigFloat(3, precision: 100))
        x.multiply(by: x)
        #expect(x == BigFloat(169, precision: 100))
        let fma = BigFloat.fusedMultiplyAdd(BigFloat(3, precision: 60), BigFloat(4, precision: 60), BigFloat(5, precision: 60))
        #expect(fma == BigFloat(17, precision: 60))
    }

    @Test("formatting rounds correctly and chooses plain or scientific notation")
    func formatting() {
        #expect(BigFloat(BigRational(2, 3), precision: 200).formatted(significantDigits: 5) == "0.66667")
        #expect(BigFloat(123456, precision: 64).formatted(significantDigits: 3) == "1.23e+5")
        #expect(BigFloat(1234, precision: 64).formatted(significantDigits: 6) == "1234.00")
        #expect(BigFloat(BigRational(1, 1_000_000_000), precision: 64).formatted(significantDigits: 2) == "1.0e-9")
        #expect(BigFloat(-2.5, precision: 64).formatted(significantDigits: 3) == "-2.50")
        #expect(BigFloat(precision: 64).formatted(significantDigits: 3) == "0")
    }

    @Test("exponent range: 2^-(10^12) and 2^(10^12) are representable, not flushed")
    func exponentRange() {
        let tiny = BigFloat.powerOfTwo(-1_000_000_000_000, precision: 64)
        #expect(!tiny.isZero)
        #expect(tiny.exponent == -1_000_000_000_000 + 1)
        let huge = BigFloat.powerOfTwo(1_000_000_000_000, precision: 64)
        #expect(huge.isFinite)
    }

    @Test("parsing errors are typed and quote the text")
    func parsingErrors() {
        for bad in ["", "abc", "1/0", "5/", "nan", "inf", "1e999999", "0x10", "1.2.3", "--1", "1e", "½"] {
            do {
                _ = try BigFloat(parsing: bad, precision: 64)
                Issue.record("\(bad) parsed")
            } catch let e as NumberParsingError {
                if !bad.isEmpty { #expect(e.description.contains(bad)) }
            } catch {
                Issue.record("unexpected error type \(error)")
            }
        }
    }
}

@Suite("BigRational (GMP)")
struct BigRationalTests {
    @Test("decimal parsing is exact")
    func exactParsing() throws {
        #expect(try BigRational(parsing: "0.1") * 10 == 1)
        #expect(try BigRational(parsing: "1e-3") == BigRational(1, 1000))
        #expect(try BigRational(parsing: "2.5e2") == 250)
        #expect(try BigRational(parsing: "5/2") == BigRational(5, 2))
        #expect(try BigRational(parsing: "-3") == -3)
        #expect(try BigRational(parsing: " -7/14 ") == BigRational(-1, 2))
        #expect(try BigRational(parsing: ".5") == BigRational(1, 2))
        #expect(try BigRational(parsing: "1E+2") == 100)
        #expect(try BigRational(parsing: "0.1").description == "1/10")
    }

    @Test("arithmetic, powers, comparison, strings")
    func arithmetic() throws {
        let a = BigRational(3, 4), b = BigRational(-5, 6)
        #expect(a + b == BigRational(-1, 12))
        #expect(a - b == BigRational(19, 12))
        #expect(a * b == BigRational(-5, 8))
        #expect(a / b == BigRational(-9, 10))
        #expect(a.power(3) == BigRational(27, 64))
        #expect(a.power(-2) == BigRational(16, 9))
        #expect(b < a)
        let big = BigRational(2).power(200) / BigRational(3).power(50)
        #expect(big.numeratorString == "1606938044258990275541962092341162602522202993782792835301376")
        #expect(big.denominatorString == "717897987691852588770249")
        #expect(BigRational(7, 2).floor == 3 && BigRational(-7, 2).floor == -4)
    }

    @Test("conversion to BigFloat rounds in the requested direction")
    func conversion() {
        let x = BigRational(1, 10)
        let lo = BigFloat(x, precision: 24, rounding: .down), hi = BigFloat(x, precision: 24, rounding: .up)
        #expect(lo.exactRational! < x && x < hi.exactRational!)
        #expect(BigFloat(BigRational(3, 8), precision: 10, rounding: .down) == BigFloat(BigRational(3, 8), precision: 10, rounding: .up))
    }
}

@Suite("Enclosure")
struct EnclosureTests {
    @Test("the enclosure of a sum of 10⁴ terms contains the exact rational sum")
    func longSum() {
        var exact = BigRational(0)
        var enclosure = Enclosure(exactly: BigFloat(0, precision: 64))
        for k in 1...10_000 {
            let term = BigRational(1, k * k + 1)
            exact += term
            enclosure = enclosure + Enclosure(term, precision: 64)
        }
        #expect(enclosure.contains(exact))
        #expect(enclosure.width.doubleValue() < 1e-12)
        // Products, with mixed signs, stay rigorous.
        var product = Enclosure(exactly: BigFloat(1, precision: 64))
        var exactProduct = BigRational(1)
        for k in 1...200 {
            let f = BigRational(k % 3 == 0 ? -k : k, k + 1)
            exactProduct *= f
            product = product * Enclosure(f, precision: 64)
        }
        #expect(product.contains(exactProduct))
    }

    @Test("certified digits: the correctly rounded value of every point, never padded")
    func certifiedDigits() throws {
        func point(_ text: String) throws -> BigFloat { BigFloat(try BigRational(parsing: text), precision: 64) }
        // Both bounds round to 1.827 at 4 digits (but differ at 5).
        let e = Enclosure(lower: try point("1.8273"), upper: try point("1.8274"))
        #expect(e.certifiedDigits(maximumDigits: 10) == "1.827")
        // 123400 … 123499 rounds alike only at 3 digits; no uncertified zeros are padded.
        let big = Enclosure(lower: try point("123400"), upper: try point("123499"))
        #expect(big.certifiedDigits(maximumDigits: 10) == "1.23e+5")
        // An interval around an exact power of ten keeps all its digits (no straddling trouble).
        let six = Enclosure(BigRational(6), precision: 128) + Enclosure(BigRational(1, 3), precision: 128) - Enclosure(BigRational(1, 3), precision: 128)
        #expect(six.certifiedDigits(maximumDigits: 20) == "6.0000000000000000000")
        // Agreement is not monotone in the digit count: 1.2349 … 1.2351 agree at 4 digits.
        let odd = Enclosure(lower: try point("1.2349"), upper: try point("1.2351"))
        #expect(odd.certifiedDigits(maximumDigits: 8) == "1.235")
        let wide = Enclosure(lower: try point("-1"), upper: try point("2"))
        #expect(wide.certifiedDigits().hasPrefix("["))
    }

    @Test("division by an interval containing zero is the whole line, never a trap")
    func divisionByZeroInterval() {
        let z = Enclosure(lower: BigFloat(-1, precision: 64), upper: BigFloat(1, precision: 64))
        let q = Enclosure(exactly: BigFloat(1, precision: 64)) / z
        #expect(!q.lower.isFinite && !q.upper.isFinite)
    }
}

@Suite("Memory and threads")
struct ResourceTests {
    static func residentKilobytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return -1 }
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? -1
    }

    // Under AddressSanitizer freed memory sits in a quarantine, so resident size grows by
    // design; `make sanitize` relies on LeakSanitizer for leaks instead.
    @Test("creating and dropping 10⁶ values does not grow memory",
          .disabled(if: ProcessInfo.processInfo.environment["NTK_SANITIZER"] != nil, "resident size is meaningless under a sanitizer"))
    func noLeaks() {
        func churn(_ n: Int) {
            for i in 0..<n {
                let a = BigFloat(i, precision: 256)
                let b = BigRational(i, 7)
                let c = a * BigFloat(b, precision: 256)
                _ = c.isZero
            }
        }
        churn(100_000)  // warm up allocator pools
        // Other tests run concurrently in this process and move its resident size too, so one
        // reading can blame them on BigFloat. A leak grows every round by over 60 MB (10⁶ leaked
        // 256-bit values); noise from elsewhere does not repeat in all of them. The least growth
        // over three rounds is the test.
        var growths: [Int] = []
        for _ in 0..<3 {
            let before = Self.residentKilobytes()
            churn(1_000_000)
            let after = Self.residentKilobytes()
            #expect(before > 0 && after > 0, "no VmRSS in /proc/self/status")
            growths.append(after - before)
        }
        #expect(growths.min()! < 20_000, "RSS grew in every round: \(growths) kB")
    }

    @Test("values are safe to share between threads")
    func threads() async {
        let shared = BigFloat(BigRational(1, 3), precision: 200)
        let results = await withTaskGroup(of: String.self) { group in
            for t in 0..<8 {
                group.addTask {
                    var local = shared  // copy-on-write: mutation never touches the shared value
                    for _ in 0..<2000 { local.addProduct(shared, BigFloat(t, precision: 200)) }
                    _ = BigFloat.powerOfTwo(-5_000_000_000, precision: 64)  // exponent range on this thread
                    return shared.formatted(significantDigits: 30)
                }
            }
            var all: [String] = []
            for await r in group { all.append(r) }
            return all
        }
        #expect(Set(results) == ["0.333333333333333333333333333333"])
    }
}

@Suite("BigFloat circular functions")
struct BigFloatTrigonometryTests {
    @Test("fastArcsine agrees with MPFR's correctly rounded arcsine to within a few ulps on [0, 3/4]")
    func fastArcsine() {
        for p in [53, 128, 256, 1000] {
            for i in 0...300 {
                let x = BigFloat(Double(i) / 400 + 1e-9 * Double(i % 7), precision: p)
                let exact = x.arcsine()
                let fast = x.fastArcsine()
                let error = (fast - exact).magnitude()
                #expect(exact.isZero ? fast.isZero : error <= exact.magnitude().timesPowerOfTwo(-p + 3), "p=\(p) x=\(x)")
            }
            let tiny = BigFloat(1e-30, precision: p)
            #expect(((tiny.fastArcsine() - tiny.arcsine()) / tiny).magnitude() < BigFloat.powerOfTwo(-p + 3, precision: 64))
        }
    }

    @Test("directed roundings bracket: sin, cos, atan2, π")
    func directed() {
        let x = BigFloat(0.3, precision: 100)
        #expect(x.sine(rounding: .down) < x.sine(rounding: .up))
        #expect(x.cosine(rounding: .down) < x.cosine(rounding: .up))
        #expect(BigFloat.pi(precision: 100, rounding: .down) < BigFloat.pi(precision: 100, rounding: .up))
        let (s, c) = x.sineAndCosine()
        #expect(s == x.sine() && c == x.cosine())
        #expect(BigFloat.arctangent2(y: x, x: BigFloat(1, precision: 100)).doubleValue() == atan2(0.3, 1.0))
        #expect(x.nextDown() < x && x < x.nextUp())
    }
}
