import Foundation
import Testing
import NTKOutput
@testable import Experiments

@Suite("Legacy documents under the JSON contract")
struct LegacyDocumentTests {
    @Test("decimal strings become numbers with their digits; out-of-range numbers become null with digits and log10; text stays text")
    func conform() throws {
        let document = try JSONParser().parse("""
        {"widths": "100", "sigma2_exact": "5/2", "exact": "76.968596551009032971", "published_form": "chaotic-formula",
         "ratio": 6.49592e-628, "big": "1.21e+176097", "half": "0.5", "count": 12, "note": "a sentence",
         "nested": {"c1": "-1413.2388476359556272"}, "rows": [{"p": "1e-400"}], "list": ["1.5", "2"],
         "q": "3.25", "q_decimal": "3.2500"}
        """)
        let c = LegacyDocument.conform(document)
        #expect(c["widths"] == .string("100") && c["sigma2_exact"] == .string("5/2"))
        #expect(c["published_form"] == .string("chaotic-formula") && c["note"] == .string("a sentence"))
        #expect(c["exact"]?.numberText.flatMap(Double.init) == 76.968596551009033)
        #expect(c["exact_decimal"] == .string("76.968596551009032971"))
        #expect(c["ratio"] == .null && c["ratio_decimal"] == .string("6.49592e-628"))
        #expect(abs((c["ratio_log10"]?.numberText.flatMap(Double.init) ?? 0) - (log10(6.49592) - 628)) < 1e-12)
        #expect(c["big"] == .null && c["big_log10"] != nil)
        #expect(c["half"]?.numberText == "0.5" && c["half_decimal"] == nil)   // 0.5 is a double
        #expect(c["count"] == .number("12"))
        #expect(c["nested"]?["c1_decimal"] == .string("-1413.2388476359556272"))
        #expect(c["rows"]?.arrayValue?.first?["p"] == .null)
        #expect(c["list"] == .array([.string("1.5"), .string("2")]))      // inside arrays: unchanged
        #expect(c["q"] == .string("3.25"))                                   // already has its _decimal
        // A standard parser reads the conformed text without a silent change.
        let text = c.serialized()
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(parsed["ratio"] is NSNull && (parsed["exact"] as? NSNumber)?.doubleValue == 76.96859655100903)
    }
}
