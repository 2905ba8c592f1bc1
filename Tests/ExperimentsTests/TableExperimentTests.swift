import Foundation
import Testing
import MonteCarlo
import Multiprecision
import NTKMoments
import NTKOutput
@testable import Experiments

@Suite("Table experiment")
struct TableExperimentTests {
    /// M = 2, λ = 3/2 (L = 3), r = 3/2 (n₀ = 3): the network 3,2,2 at σ² = 2, whose moments are
    /// known by enumeration (derivations/08): E[Θ] = 61/12, E[Θ²] = 8809/72, E[Θ⁴] = 21200807/24.
    static let enumerated = TableRequest(sigma2: [2], lambda: [BigRational(3, 2)], widths: [2], inputRatio: BigRational(3, 2), digits: 12)

    /// |reported/truth − 1| for a reported decimal.
    func relativeError(_ real: ReportedReal, _ truth: BigRational) throws -> BigRational {
        let e = try BigRational(parsing: try #require(real.decimal)) / truth - BigRational(1)
        return e.signum < 0 ? -e : e
    }

    @Test("a row of 3,2,2 at σ² = 2 gives the enumerated dispersion 17618/3721 and E[Θ⁴]/E[Θ]⁴, to the 12 digits asked for")
    func enumeratedRow() throws {
        let mean = BigRational(61, 12)
        let tolerance = BigRational(1, 10).power(11)
        let row = try #require(try Self.enumerated.run(.silent).rows.first)
        #expect((row.width, row.depth, row.inputDimension) == (2, 3, 3))
        let dispersion: BigRational = BigRational(8809, 72) / (mean * mean)
        #expect(try relativeError(row.ratio, dispersion) < tolerance)
        var fourth = Self.enumerated
        fourth.moment = 4
        fourth.maximumSeconds = RunTimeLimit.maximumSeconds
        let row4 = try #require(try fourth.run(.silent).rows.first)
        let fourthMoment: BigRational = BigRational(21_200_807, 24) / mean.power(4)
        #expect(try relativeError(row4.ratio, fourthMoment) < tolerance)
    }

    @Test("the limit column is the limit experiment's exact limit at λ′, and λM off the integers is reported")
    func limitsAndUnattainableLambdas() throws {
        let request = TableRequest(sigma2: [2], lambda: [BigRational(1, 2), BigRational(1, 3)], widths: [10, 20])
        let result = try request.run(.silent)
        #expect(result.rows.count == 4)
        let limit = try LimitRequest(lambda: BigRational(1, 2), sigma2: 2, digits: 8).run(.silent)
        #expect(result.rows[0].limitExact.decimal == limit.exact.decimal)
        // λ = 1/3 is missed at M = 10 (L = 3, λ′ = 3/10) and at M = 20 (L = 7, λ′ = 7/20).
        #expect(result.unattainableLambdas == [.init(lambda: BigRational(1, 3), width: 10), .init(lambda: BigRational(1, 3), width: 20)])
        #expect(result.rows[2].lambda == BigRational(3, 10) && result.rows[3].lambda == BigRational(7, 20))
        // Rows of different λ′ are not compared: no order of convergence on the λ = 1/3 rows.
        #expect(result.rows[3].orderExact == .undefined && result.rows[1].orderExact != .undefined)
    }

    @Test("the groups streamed, the whole table and its shards concatenated are the same rows; the document round-trips")
    func streamingShardsAndDocument() throws {
        let request = TableRequest(sigma2: [BigRational(3, 2), BigRational(5, 2)], lambda: [BigRational(1, 2)], widths: [4, 8], digits: 10)
        let whole = try request.run(.silent)
        var streamed: [[TableResult.Row]] = []
        try request.run(.silent) { streamed.append($0) }
        #expect(streamed.count == 2 && streamed.flatMap { $0 } == whole.rows)
        var parts: [TableResult.Row] = []
        for k in 1...3 {
            var shard = request
            shard.shard = try ShardSpec(index: k, count: 3)
            parts += try shard.run(.silent).rows
        }
        #expect(parts == whole.rows)
        let json = try JSONValueEncoder().encode(whole)
        #expect(json["schema"] == .string("ntk.table"))
        // A row's members are the table's columns, the reported digits as JSON numbers, and the exact parameters.
        let first = try #require(json["rows"]?.arrayValue?.first)
        #expect(first["ratio"]?.numberText == whole.rows[0].ratio.decimal && first["sigma2_exact"]?.stringValue == "3/2")
        // A decimal a double holds exactly (1.000000000) is written as that double alone, so the
        // document, not the value, is what round-trips.
        let decoded = try JSONValueDecoder().decode(TableResult.self, from: try JSONParser().parse(json.serialized()))
        #expect(try JSONValueEncoder().encode(decoded).serialized() == json.serialized())
        let requestJSON = try JSONValueEncoder().encode(request)
        #expect(try JSONValueDecoder().decode(TableRequest.self, from: requestJSON) == request)
    }

    @Test("refusals carry the command line's messages and come before any row")
    func refusals() throws {
        func refusal(_ change: (inout TableRequest) -> Void) -> String? {
            var request = TableRequest(sigma2: [2], lambda: [1], widths: [10])
            change(&request)
            do {
                try request.run(.silent) { _ in Issue.record("a refused request produced rows") }
                return nil
            } catch let error as ExperimentError {
                return error.description
            } catch {
                return "\(error)"
            }
        }
        #expect(refusal { $0.lambda = [51] } == "--lambda '51' exceeds 50")
        #expect(refusal { $0.sigma2 = [0] }?.hasPrefix("--sigma2 '0' is out of range: must be positive") == true)
        #expect(refusal { $0.widths = [0] } == "--widths-grid entry '0' is out of range: an integer from 1 to 1000000000")
        #expect(refusal { $0.moment = 9 } == "--moment '9' is out of range: an integer from 2 to 8")
        #expect(refusal { $0.firstStep = true; $0.moment = 3 } == "give either --first-step or --moment, not both")
        #expect(refusal { $0.firstStep = true; $0.model = .gradientIndependence }?.hasPrefix("--first-step needs --model exact") == true)
        #expect(refusal { $0.inputRatio = BigRational(2).power(30); $0.widths = [1 << 21] }?.contains("beyond 2^50") == true)
        #expect(refusal { $0.sigma2 = Array(repeating: 2, count: 101); $0.lambda = Array(repeating: 1, count: 100); $0.widths = Array(repeating: 1, count: 1000) }
                == "the grid has 10100000 rows (limit 10000000)")
        let cancelled = ExperimentContext()
        cancelled.cancel()
        #expect(throws: ExperimentError.cancelled) { try TableRequest(sigma2: [2], lambda: [1], widths: [10]).run(cancelled) }
    }
}
