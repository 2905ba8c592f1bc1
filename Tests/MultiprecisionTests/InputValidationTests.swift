import Testing
import Foundation
@testable import Multiprecision

/// The standard error of an exit test, as text.
private func standardError(_ result: ExitTest.Result?) -> String {
    String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
}

@Suite("Input validation: division by zero and precision")
struct InputValidationTests {
    @Test("dividing(by:) and init(numerator:denominator:) throw on a zero divisor, divide otherwise")
    func throwingDivision() throws {
        #expect(throws: DivisionByZeroError()) { try BigRational(3).dividing(by: 0) }
        #expect(throws: DivisionByZeroError()) { try BigRational(numerator: 3, denominator: 0) }
        #expect(throws: DivisionByZeroError()) { try BigRational(0).dividing(by: 0) }
        #expect(try BigRational(3).dividing(by: -6) == BigRational(-1, 2))
        #expect(try BigRational(numerator: 4, denominator: 6) == BigRational(2, 3))
    }

    @Test("a / 0 stops the program with a message naming the cause")
    func divisionByZeroMessage() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = BigRational(1) / BigRational(0)
        }
        #expect(standardError(result).contains("BigRational: division by zero"))
    }

    @Test("validatedPrecision accepts exactly minimumPrecision...maximumPrecision")
    func validatedPrecision() throws {
        #expect(try BigFloat.validatedPrecision(BigFloat.minimumPrecision) == 2)
        #expect(try BigFloat.validatedPrecision(BigFloat.maximumPrecision) == 1 << 24)
        for bad in [Int.min, -5, 0, 1, (1 << 24) + 1, 1 << 26, Int.max] {
            #expect(throws: PrecisionOutOfRangeError(bits: bad)) { try BigFloat.validatedPrecision(bad) }
        }
    }

    @Test("parsing at a precision out of range throws instead of trapping (0) or accepting (2^26)")
    func parsingPrecision() {
        #expect(throws: PrecisionOutOfRangeError(bits: 0)) { try BigFloat(parsing: "1", precision: 0) }
        #expect(throws: PrecisionOutOfRangeError(bits: 1 << 26)) { try BigFloat(parsing: "1", precision: 1 << 26) }
    }

    @Test("precision 2^26, above maximumPrecision, stops the program with a message naming the range")
    func precisionAboveMaximum() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = BigFloat(1, precision: 1 << 26)
        }
        #expect(standardError(result).contains("precision 67108864 bits is outside 2...16777216"))
    }

    @Test("precision 0 stops the program with a message naming the range, not inside MPFR")
    func precisionZero() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = BigFloat(precision: 0)
        }
        #expect(standardError(result).contains("precision 0 bits is outside 2...16777216"))
    }
}
