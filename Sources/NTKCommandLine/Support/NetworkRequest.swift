import Multiprecision
import NTKMoments

/// The network every sampling shard records: the flags that define it, exactly.
struct NetworkRequest: Codable, Hashable, Sendable {
    var widths: String
    var sigma2: String
    var inputNorm2: String
    var biases: Bool

    enum CodingKeys: String, CodingKey {
        case widths, sigma2, biases
        case inputNorm2 = "input_norm2"
    }

    init(_ a: Architecture) {
        widths = compactWidths(a, limit: Int.max)
        sigma2 = a.sigma2.fractionString
        inputNorm2 = a.inputNorm2.fractionString
        biases = a.trainableBiases
    }

    /// The network again, refused as malformed when the merged files do not describe one.
    func architecture() throws -> Architecture {
        do {
            let parsed = try WidthList.parse(widths)
            return try Architecture(inputDimension: parsed.inputDimension, hiddenRuns: parsed.hiddenRuns,
                                    sigma2: try BigRational(parsing: sigma2), inputNorm2: try BigRational(parsing: inputNorm2),
                                    trainableBiases: biases)
        } catch { throw UsageError("the shards describe no valid network (widths \(Arguments.quoted(widths)))") }
    }
}
