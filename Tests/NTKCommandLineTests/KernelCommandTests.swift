import Foundation
import Testing
@testable import NTKCommandLine

@Suite("ntk kernel")
struct KernelCommandTests {
    func json(_ args: [String]) throws -> [String: Any] {
        let r = ntk(args + ["--format", "json"])
        #expect(r.code == 0, "\(args): \(r.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    }

    @Test("a correlation grid: per-correlation rows, ρ = 1 gives the diagonal L(‖x‖² + β) exactly")
    func grid() throws {
        let j = try json(["kernel", "--width", "10", "--depth", "7", "--sigma2", "2", "--input-norm2", "3", "--correlation", "0:1:0.5"])
        let results = try #require(j["results"] as? [[String: Any]])
        #expect(results.count == 3)
        #expect((results[2]["ntk"] as? NSNumber)?.doubleValue == 28)
        #expect((results[2]["ntk_normalized"] as? NSNumber)?.doubleValue == 1)
        for r in results {
            // Θ*(x, x) does not depend on ρ: at every correlation it is the ρ = 1 value 28.
            #expect((r["ntk_diagonal1"] as? NSNumber)?.doubleValue == 28 && (r["nngp"] as? NSNumber).map { $0.doubleValue > 0 } == true)
            #expect(r["ntk_certified"] == nil)
            let lo = try #require(r["ntk_lower"] as? NSNumber).doubleValue, hi = try #require(r["ntk_upper"] as? NSNumber).doubleValue
            let mid = try #require(r["ntk"] as? NSNumber).doubleValue
            #expect(lo <= mid && mid <= hi)
        }
        #expect(j["schema"] as? String == "ntk.kernel" && j["schema_version"] as? Int == 1)
        #expect((results[0]["ntk_digits"] as? Int) == 20)
    }

    @Test("certified output carries ntk_lower ≤ ntk ≤ ntk_upper; --double is labelled")
    func certifiedAndDouble() throws {
        let j = try json(["kernel", "--widths", "4,3,5", "--sigma2", "5/2", "--gram", "1,2,-1.2", "--certified", "--precision", "200"])
        let r = try #require((j["results"] as? [[String: Any]])?.first)
        let lo = try #require(r["ntk_lower"] as? NSNumber).doubleValue, hi = try #require(r["ntk_upper"] as? NSNumber).doubleValue
        let mid = try #require(r["ntk"] as? NSNumber).doubleValue
        #expect(lo <= mid && mid <= hi)
        #expect(j["precision_bits"] as? Int == 200)
        let text = ntk(["kernel", "--width", "10", "--depth", "50", "--sigma2", "2", "--correlation", "0.5", "--double"])
        #expect(text.code == 0 && text.stdout.contains("not certified"))
    }

    @Test("an inputs file gives the symmetric kernel matrix, equal to neural-tangents' values")
    func inputsMatrix() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("inputs.csv").path
        try "1,0.5,-0.25,2\n0.5,1,1,-0.5\n# a comment\n\n1,0.5,-0.25,2.125\n-1,0,0.5,0.25\n".write(toFile: file, atomically: true, encoding: .utf8)
        for extra in [[], ["--double"], ["--certified"]] {
            let j = try json(["kernel", "--widths", "4,4,4", "--sigma2", "2", "--inputs", file] + extra)
            let m = try #require(j["ntk"] as? [[NSNumber]])
            #expect(m.count == 4 && m[0][1] == m[1][0])
            // neural-tangents (see NeuralTangentsGoldenTests): 4.14471524145963, 19.526963411627676
            #expect(abs(m[0][1].doubleValue - 4.14471524145963) < 1e-11)
            #expect(abs(m[0][2].doubleValue - 19.526963411627676) < 1e-11)
            #expect(m[0][0].doubleValue == 18.9375)
            if extra == ["--certified"] { #expect(j["ntk_lower"] != nil && j["ntk_upper"] != nil) }
        }
        let csv = ntk(["kernel", "--widths", "4,4,4", "--sigma2", "2", "--inputs", file, "--format", "csv"])
        #expect(csv.stdout.split(separator: "\n").count == 17)
    }

    @Test("bad input gets one line and exit 2")
    func refusals() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        func file(_ name: String, _ text: String) throws -> String {
            let path = dir.appendingPathComponent(name).path
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        let ragged = try file("ragged.csv", "1,2,3\n1,2\n"), wrong = try file("wrong.csv", "1,2\n3,4\n")
        let malformed = try file("bad.csv", "1,2,abc\n"), empty = try file("empty.csv", "# nothing\n")
        let net = ["kernel", "--widths", "3,4", "--sigma2", "2"]
        for extra in [["--correlation", "1.5"], ["--correlation", "-1.01"], ["--gram", "1,1,1.01"], ["--gram", "-1,1,0"], ["--gram", "1,2"],
                      ["--inputs", ragged], ["--inputs", wrong], ["--inputs", malformed], ["--inputs", empty],
                      ["--inputs", dir.appendingPathComponent("missing.csv").path], ["--correlation", "0.5", "--gram", "1,1,0"],
                      ["--double", "--precision", "64"]] {
            let r = ntk(net + extra)
            #expect(r.isCleanRefusal, "\(extra): \(r.code) \(r.stderr)")
        }
        #expect(ntk(["kernel", "--width", "10", "--depth", "1e12", "--sigma2", "2"]).isCleanRefusal)
    }

    @Test("the architecture line of kernel leaves ‖x‖² to the inputs, whatever its value", arguments: ["1", "2.5", "1/3"])
    func architectureLineWithoutInputNorm(_ norm: String) {
        let r = ntk(["kernel", "--widths", "3,2,2", "--sigma2", "2", "--input-norm2", norm])
        let line = r.stdout.split(separator: "\n").first ?? ""
        #expect(r.code == 0 && line == "architecture  n0=3, hidden 2x2, L=3, σ²=2, trainable biases", "\(line)")
    }
}
