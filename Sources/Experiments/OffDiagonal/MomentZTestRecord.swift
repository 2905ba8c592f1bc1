import MonteCarlo
import NTKOutput

/// The figures of one `MomentZTest` as a report carries them: the estimates of E[Θ] and E[Θ²]
/// with their standard errors, the exact values, the z-scores, which standard errors were used
/// and the verdict. In JSON: `E_theta` and `E_theta2` objects (`mc`, `se`, `exact`, `z`),
/// `standard_errors` ("exact" or "sample"), `verdict` and, when inconclusive, `inconclusive_reason`.
public struct MomentZTestRecord: Sendable, Equatable {
    public var mean: Double, standardErrorOfMean: Double, referenceMean: Double, zMean: Double
    public var secondMoment: Double, standardErrorOfSecondMoment: Double, referenceSecondMoment: Double, zSecondMoment: Double
    public var usesExactStandardErrors: Bool
    public var verdict: ValidationVerdict
    /// Why the verdict is inconclusive (`MomentZTest.inconclusiveReason`); nil otherwise.
    public var inconclusiveReason: String?

    public init(_ t: MomentZTest) {
        (mean, standardErrorOfMean, referenceMean, zMean) = (t.mean, t.standardErrorOfMean, t.referenceMean, t.zMean)
        (secondMoment, standardErrorOfSecondMoment, referenceSecondMoment, zSecondMoment)
            = (t.secondMoment, t.standardErrorOfSecondMoment, t.referenceSecondMoment, t.zSecondMoment)
        usesExactStandardErrors = t.usesExactStandardErrors
        verdict = t.verdict
        inconclusiveReason = t.inconclusiveReason
    }

    /// The members this record adds to its parent object.
    public var jsonMembers: [(key: String, value: JSONValue)] {
        func moment(_ mc: Double, _ se: Double, _ exact: Double, _ z: Double) -> JSONValue {
            .object([("mc", LegacyJSON.number(mc)), ("se", LegacyJSON.number(se)), ("exact", LegacyJSON.number(exact)), ("z", LegacyJSON.number(z))])
        }
        return [("E_theta", moment(mean, standardErrorOfMean, referenceMean, zMean)),
                ("E_theta2", moment(secondMoment, standardErrorOfSecondMoment, referenceSecondMoment, zSecondMoment)),
                ("standard_errors", .string(usesExactStandardErrors ? "exact" : "sample")),
                ("verdict", .string(verdict.rawValue))] + (inconclusiveReason.map { [("inconclusive_reason", JSONValue.string($0))] } ?? [])
    }

    /// The record `jsonMembers` wrote into `object`.
    public init(json object: JSONValue) throws {
        func moment(_ key: String) -> (Double, Double, Double, Double) {
            let m = object[key]
            return (LegacyJSON.double(m?["mc"]), LegacyJSON.double(m?["se"]), LegacyJSON.double(m?["exact"]), LegacyJSON.double(m?["z"]))
        }
        (mean, standardErrorOfMean, referenceMean, zMean) = moment("E_theta")
        (secondMoment, standardErrorOfSecondMoment, referenceSecondMoment, zSecondMoment) = moment("E_theta2")
        usesExactStandardErrors = object["standard_errors"]?.stringValue == "exact"
        guard let v = object["verdict"]?.stringValue.flatMap(ValidationVerdict.init(rawValue:)) else {
            throw JSONValueDecoder.Failure(path: "verdict", reason: "expected pass, fail or inconclusive")
        }
        verdict = v
        inconclusiveReason = object["inconclusive_reason"]?.stringValue
    }
}
