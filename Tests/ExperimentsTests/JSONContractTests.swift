import Foundation
import Testing
import Multiprecision
import NTKMoments
import NTKOutput
@testable import Experiments

/// The JSON contract of docs/json.md: how one real quantity is written, and that the typed
/// coders give back what they were given.
@Suite("JSON contract")
struct JSONContractTests {
    /// The members a value contributes under the name `q`, as a dictionary.
    func members(_ r: ReportedReal) -> [String: JSONValue] {
        Dictionary(r.jsonMembers(named: "q").map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
    }

    @Test("an exact rational: the nearest double, its guaranteed digits, and the fraction")
    func exactRational() throws {
        let m = members(.exact(BigRational(61) / BigRational(12)))
        // 61/12 = 5.08333…; the nearest double prints as 5.083333333333333.
        #expect(m["q"]?.numberText.flatMap(Double.init) == 61.0 / 12.0)
        #expect(m["q_exact"]?.stringValue == "61/12")
        #expect(m["q_decimal"]?.stringValue == "5.0833333333333333333")
        #expect(m["q_log10"] == nil && m["q_lower"] == nil)
    }

    @Test("a value that is a double needs no decimal member")
    func exactDouble() {
        let m = members(.exact(BigRational(1) / BigRational(2)))
        #expect(m["q"]?.numberText.flatMap(Double.init) == 0.5)
        #expect(m["q_decimal"] == nil && m["q_exact"]?.stringValue == "1/2")
    }

    @Test("outside double range: null, never 0 or inf, with the decimal digits and log10",
          arguments: [-628, -700, 400, 176_097])
    func outOfRange(exponent: Int) throws {
        let ten = BigRational(10)
        var r = BigRational(13) / BigRational(2)   // 6.5 · 10^exponent
        for _ in 0..<abs(exponent) { r = exponent < 0 ? r / ten : r * ten }
        let m = members(.exact(r, digits: 5))
        #expect(m["q"] == .null)
        #expect(m["q_decimal"]?.stringValue == "6.5000e\(exponent < 0 ? "-" : "+")\(abs(exponent))")
        let log10 = try #require(m["q_log10"]?.numberText.flatMap(Double.init))
        #expect(abs(log10 - (Double(exponent) + Foundation.log10(6.5))) < 1e-9)
        // A standard parser reads null, not a number that means something else.
        let text = JSONValue.object(r.isZero ? [] : ReportedReal.exact(r, digits: 5).jsonMembers(named: "q")).serialized()
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(parsed["q"] is NSNull)
    }

    @Test("an enclosure's double bounds are rounded outward, so they still contain the value")
    func outwardBounds() throws {
        let third = BigRational(1) / BigRational(3)
        for precision in [53, 64, 200] {
            let e = Enclosure(third, precision: precision)
            let m = members(ReportedReal(value: .enclosure(e), digits: 20))
            let lo = try #require(m["q_lower"]?.numberText.flatMap(Double.init))
            let hi = try #require(m["q_upper"]?.numberText.flatMap(Double.init))
            #expect(BigRational(exactly: lo)! <= third && third <= BigRational(exactly: hi)!)
            #expect(m["q_certified"] == .bool(true))
            let lowerText = try #require(m["q_lower_decimal"]?.stringValue)
            #expect(try BigRational(parsing: lowerText) <= third)
        }
    }

    @Test("a decimal bound next to a double is not rounded across it")
    func boundNextToADouble() throws {
        let r = ReportedReal(decimal: "8.5", lower: "8.4999999999999999999", upper: "8.5000000000000000001", guaranteedDigits: 2)
        let m = members(r)
        #expect(m["q_lower"]?.numberText.flatMap(Double.init) == 8.5.nextDown)
        #expect(m["q_upper"]?.numberText.flatMap(Double.init) == 8.5.nextUp)
    }

    @Test("a real written and read back is the same real", arguments: [
        ReportedReal.exact(BigRational(61) / BigRational(12)),
        ReportedReal.exact(BigRational(7)),
        ReportedReal.estimate(0.1),
        ReportedReal.estimate(-3e-310),
        ReportedReal(value: .enclosure(Enclosure(BigRational(2) / BigRational(7), precision: 128)), digits: 20),
    ])
    func realRoundTrip(_ r: ReportedReal) throws {
        let encoded = try JSONValueEncoder().encode(r)
        let reparsed = try JSONParser().parse(encoded.serialized())
        // The JSON is a fixed point: reading and writing again changes nothing. (A decimal
        // the number member holds exactly is not written, so `7.000…` reads back as `7`.)
        let back = try JSONValueDecoder().decode(ReportedReal.self, from: reparsed)
        #expect(try JSONValueEncoder().encode(back) == encoded)
        #expect(back.nearestDouble == r.nearestDouble || (back.nearestDouble == nil && r.estimate?.isNaN == true))
        #expect(back.exact == r.exact && back.lower == r.lower && back.upper == r.upper)
    }

    struct Sample: Codable, Equatable {
        enum Kind: String, Codable { case first, second }
        var count: Int
        var ratio: Double
        var tiny: Double
        var flag: Bool
        var name: String
        var kind: Kind
        var missing: Int?
        var list: [Double]
        var nested: [[Int]]
        var value: ReportedReal
        var optionalValue: ReportedReal?
    }

    @Test("typed values round-trip through text; doubles keep every bit; reals are flattened into their parent")
    func typedRoundTrip() throws {
        let s = Sample(count: -3, ratio: 0.1 + 0.2, tiny: 5e-324, flag: true, name: "σ² \"quoted\"", kind: .second, missing: nil,
                       list: [1, 1e300, -0.0], nested: [[1, 2], []], value: .exact(BigRational(3) / BigRational(2)), optionalValue: nil)
        let json = try JSONValueEncoder().encode(s)
        let keys = json.objectKeys
        #expect(keys == ["count", "ratio", "tiny", "flag", "name", "kind", "list", "nested", "value", "value_exact"])
        let text = json.serialized()
        var back = try JSONValueDecoder().decode(Sample.self, from: try JSONParser().parse(text))
        #expect(back.list[2].sign == .minus && back.ratio.bitPattern == s.ratio.bitPattern && back.tiny == 5e-324)
        #expect(back.value.exact == "3/2" && back.value.nearestDouble == 1.5)
        back.value = s.value
        #expect(back == s, "\(text)")
        // A standard parser reads the numbers (Foundation's parser on Linux is not correctly
        // rounded for every double, so exactness is checked with Python in the Python suite).
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect((parsed["value"] as? NSNumber)?.doubleValue == 1.5)
    }

    @Test("a decoding failure names the member")
    func decodingFailure() throws {
        let bad = try JSONParser().parse(#"{"count": "three"}"#)
        #expect(throws: JSONValueDecoder.Failure.self) { try JSONValueDecoder().decode(Sample.self, from: bad) }
        do { _ = try JSONValueDecoder().decode(Sample.self, from: bad) } catch let e as JSONValueDecoder.Failure {
            #expect(e.description.contains("count"))
        }
    }

    @Test("a network's members echo the exact parameters and read back")
    func networkRoundTrip() throws {
        struct Holder: Codable, Equatable { var network: ReportedNetwork }
        let a = try Architecture(inputDimension: 3, hiddenRuns: [WidthRun(width: 2, count: 2), WidthRun(width: 5, count: 1)],
                                 sigma2: BigRational(5) / BigRational(2), inputNorm2: BigRational(1), trainableBiases: false)
        let json = try JSONValueEncoder().encode(Holder(network: ReportedNetwork(a)))
        #expect(json["widths"]?.stringValue == "3,2x2,5")
        #expect(json["sigma2"]?.numberText.flatMap(Double.init) == 2.5)
        #expect(json["sigma2_exact"]?.stringValue == "5/2")
        #expect(json["biases"] == .bool(false))
        #expect(try JSONValueDecoder().decode(Holder.self, from: json).network.architecture == a)
        // Other coders are refused instead of handed a shape no schema describes.
        #expect(throws: EncodingError.self) { _ = try JSONEncoder().encode(Holder(network: ReportedNetwork(a))) }
    }
}

extension JSONValue {
    var objectKeys: [String] {
        if case .object(let members) = self { return members.map(\.key) }
        return []
    }
}
