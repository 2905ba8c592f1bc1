import Multiprecision
import NTKMoments
import NTKOutput

extension ChartRequest {
    /// One Monte Carlo point of `ntk validate --format json`: the plug-in dispersion and its
    /// delta-method standard error, with what the chart needs to find the curve it belongs on.
    public struct OverlayPoint: Sendable, Equatable, Codable {
        /// Where the point comes from (a quoted file name), for messages.
        public var source: String
        /// The simulated width list, as `WidthList` reads it.
        public var widths: String
        public var sigma2: BigRational
        public var inputNorm2: BigRational
        public var biases: Bool
        public var dispersion: Double
        public var standardError: Double

        public init(source: String, widths: String, sigma2: BigRational, inputNorm2: BigRational, biases: Bool,
                    dispersion: Double, standardError: Double) {
            self.source = source
            self.widths = widths
            self.sigma2 = sigma2
            self.inputNorm2 = inputNorm2
            self.biases = biases
            self.dispersion = dispersion
            self.standardError = standardError
        }

        /// The point of a validate document (any version that has these members: the
        /// committed overlays predate the schema stamp).
        /// - Throws: `ExperimentError.invalidRequest` naming `source` when a member is missing.
        public init(source: String, document json: JSONValue) throws {
            guard let mc = json["dispersion_plugin"]?["mc"]?.numberText.flatMap(Double.init),
                  let se = json["dispersion_plugin"]?["se_delta_method"]?.numberText.flatMap(Double.init),
                  let widths = json["widths"]?.stringValue, mc.isFinite, se.isFinite, mc > 0,
                  let sigma2 = (json["sigma2_exact"]?.stringValue).flatMap({ try? BigRational(parsing: $0) }),
                  let inputNorm2 = (json["input_norm2_exact"]?.stringValue).flatMap({ try? BigRational(parsing: $0) }),
                  let biases = json["biases"]?.boolValue else {
                throw ExperimentError.invalidRequest("--overlay \(source): not the JSON of `ntk validate --format json` (needs widths, sigma2_exact, input_norm2_exact, biases, dispersion_plugin)")
            }
            self.init(source: source, widths: widths, sigma2: sigma2, inputNorm2: inputNorm2, biases: biases, dispersion: mc, standardError: se)
        }

        var network: ChartedNetworks.SimulatedNetwork {
            ChartedNetworks.SimulatedNetwork(widths: widths, sigma2: sigma2, inputNorm2: inputNorm2, trainableBiases: biases)
        }
    }

    /// One result of `ntk offdiag --format json` to draw.
    public struct OffDiagSource: Sendable, Equatable, Codable {
        /// Where it comes from (a quoted file name), for messages.
        public var source: String
        public var result: OffDiagResult

        /// - Throws: `ExperimentError.invalidRequest` naming `source` when `document` is not an
        ///   offdiag result or has no row with samples.
        public init(source: String, document: JSONValue) throws {
            do {
                try self.init(source: source, result: OffDiagResult(document: document))
            } catch let error as ExperimentError {
                throw error
            } catch {
                throw ExperimentError.invalidRequest("--offdiag \(source): not the JSON of `ntk offdiag --format json` (\(error))")
            }
        }

        public init(source: String, result: OffDiagResult) throws {
            self.source = source
            self.result = result
            guard !points.isEmpty else { throw ExperimentError.invalidRequest("--offdiag \(source): no result with samples") }
        }

        /// The rows with an estimate (rows a time budget left without samples are not drawn).
        var points: [OffDiagResult.Row] { result.rows.filter { $0.ratio.mean.isFinite } }
        var sigma2Text: String { result.network.sigma2.displayText }
        var widthsText: String { ReportedNetwork.compactWidths(result.network) }
    }
}
