import Testing
@testable import Multiprecision

@Suite("Decimal text of rationals")
struct DecimalTextTests {
    @Test("terminating decimals are exact; others carry the rational", arguments: [
        (BigRational(5, 2), "2.5"), (BigRational(2), "2"), (BigRational(-1, 8), "-0.125"), (BigRational(1, 1000), "0.001"),
        (BigRational(1, 3), "0.3333333333333333 (1/3)"), (BigRational(-7, 6), "-1.1666666666666667 (-7/6)"), (BigRational(2, 3), "0.6666666666666666 (2/3)"),
    ])
    func display(_ value: BigRational, _ text: String) {
        #expect(value.displayText == text)
    }

    @Test("no terminating decimal for denominators with other primes")
    func nonTerminating() {
        #expect(BigRational(1, 3).terminatingDecimal == nil)
        #expect(BigRational(3, 1 << 20).terminatingDecimal == "0.00000286102294921875")
    }
}
