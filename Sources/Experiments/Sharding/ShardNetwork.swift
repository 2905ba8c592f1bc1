import Multiprecision
import NTKMoments

/// The network every sampling shard records (`ShardFile.request`): the width list, σ² and ‖x‖²
/// as exact rationals, and biases — exactly what defines it, so that merged shards can be
/// checked to come from one network and the network can be built again.
public struct ShardNetwork: Codable, Hashable, Sendable {
    public var widths: String
    public var sigma2: String
    public var inputNorm2: String
    public var biases: Bool

    enum CodingKeys: String, CodingKey {
        case widths, sigma2, biases
        case inputNorm2 = "input_norm2"
    }

    public init(_ a: Architecture) {
        widths = ReportedNetwork.compactWidths(a, limit: Int.max)
        sigma2 = a.sigma2.fractionString
        inputNorm2 = a.inputNorm2.fractionString
        biases = a.trainableBiases
    }

    /// The network again.
    /// - Throws: `ExperimentError.invalidRequest` when the merged files do not describe one.
    public func architecture() throws -> Architecture {
        do {
            let parsed = try WidthList.parse(widths)
            return try Architecture(inputDimension: parsed.inputDimension, hiddenRuns: parsed.hiddenRuns,
                                    sigma2: try BigRational(parsing: sigma2), inputNorm2: try BigRational(parsing: inputNorm2),
                                    trainableBiases: biases)
        } catch {
            let shown = widths.count > 60 ? "..." + widths.suffix(57) : Substring(widths)
            throw ExperimentError.invalidRequest("the shards describe no valid network (widths '\(shown)')")
        }
    }
}
