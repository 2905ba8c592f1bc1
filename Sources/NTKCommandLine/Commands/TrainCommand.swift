import ArgumentParser
import Experiments
import Foundation
import MonteCarlo
import Multiprecision
import NTKMoments
import NTKOutput

extension TrainingOptimizer: ExpressibleByArgument {}

/// The built-in synthetic datasets of `ntk train`, by their names.
enum SyntheticDataset: String, ExpressibleByArgument, CaseIterable {
    case sphereTeacher = "sphere-teacher"
    case gaussianMixture = "gaussian-mixture"

    var dataset: TrainDataset { self == .sphereTeacher ? .sphereTeacher : .gaussianMixture }
}

struct TrainCommand: NTKSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train one network per σ² by full-batch GD or Adam and track its empirical NTK: relative change, target alignment, loss.",
        discussion: """
        One explicit network (seed, sample 0) per σ² of the list, trained on the loss (1/2N)Σ(f(x_a) − y_a)² \
        over the whole training set. At step 0, every --record-every steps and at the end it records the loss, \
        ‖Θ_t − Θ_0‖_F/‖Θ_0‖_F and the kernel–target alignment yᵀΘy/(‖Θ‖_F‖y‖²) of the NTK matrix of the first \
        --track inputs. Data: --data FILE (CSV, one example per line, the last column is the target, an \
        optional header line, '#' comments) or a built-in set: sphere-teacher (inputs uniform on the unit \
        sphere, targets from a seeded random ReLU teacher with one hidden layer of 64 units, scaled to unit \
        mean square) or gaussian-mixture (three classes, targets −1, 0, 1). A rate relative to the kernel, \
        η = c/mean Θ_0(x_a, x_a) (--learning-rate-scale c; c < 2 is stable to first order in every \
        phase) is available; by default every σ² trains with the same absolute rate, --learning-rate \
        (default 1e-2 for gd, 1e-3 for adam). Deterministic for a given seed.
        """)

    @Option(parsing: .unconditional, help: "Hidden width M.")
    var width = IntegerArgument(100)

    @Option(parsing: .unconditional, help: "Depth L (number of weight layers).")
    var depth = IntegerArgument(20)

    @Option(name: .customLong("input-dim"), parsing: .unconditional, help: "Input dimension n0 of a synthetic set (default M; --data fixes it).")
    var inputDim: IntegerArgument?

    @Flag(name: .customLong("no-bias"), help: "No trainable biases (β = 0).")
    var noBias = false

    @Option(parsing: .unconditional, help: "Weight variance σ², a list: one network per value (ordered < 2, edge of chaos 2, chaotic > 2).")
    var sigma2 = ArgumentList<RationalArgument>("1,2,2.2")

    @Option(help: "Built-in dataset: sphere-teacher or gaussian-mixture (ignored with --data).")
    var dataset: SyntheticDataset = .sphereTeacher

    @Option(help: "CSV training data: one example per line, inputs then the target in the last column.")
    var data: String?

    @Option(name: .customLong("train-size"), parsing: .unconditional, help: "Number of training inputs (synthetic sets; with --data, the first N rows, default all).")
    var trainSize: IntegerArgument?

    @Option(parsing: .unconditional, help: "Track the NTK matrix on the first N training inputs.")
    var track = IntegerArgument(20)

    @Option(parsing: .unconditional, help: "Optimizer steps.")
    var steps = IntegerArgument(200)

    @Option(name: .customLong("record-every"), parsing: .unconditional, help: "Record every this many steps (and at the end).")
    var recordEvery = IntegerArgument(10)

    @Option(help: "gd (full-batch gradient descent) or adam.")
    var optimizer: TrainingOptimizer = .gd

    @Option(name: .customLong("learning-rate"), parsing: .unconditional, help: "Absolute learning rate η (default 1e-2 for gd, 1e-3 for adam).")
    var learningRate: RationalArgument?

    @Option(name: .customLong("learning-rate-scale"), parsing: .unconditional, help: "Learning rate relative to the initial kernel: η = c/mean Θ_0(x_a, x_a).")
    var learningRateScale: RationalArgument?

    @Option(name: .customLong("max-seconds"), parsing: .unconditional,
            help: "Stop training after this many seconds in all, shared among the σ² values (at most one year).")
    var maxSeconds = RationalArgument(600)

    @OptionGroup var seed: SeedOption

    @OptionGroup var output: OutputOptions<TableFormat>

    @Option(help: "Also write an SVG chart of the relative NTK change against the step, one line per σ², to FILE.")
    var chart: String?

    func validate() throws {
        try width.check("--width", TrainRequest.widthRange)
        try depth.check("--depth", TrainRequest.depthRange)
        try inputDim?.check("--input-dim", TrainRequest.inputDimensionRange)
        try trainSize?.check("--train-size", TrainRequest.trainSizeRange)
        try track.check("--track", TrainRequest.trackRange)
        try steps.check("--steps", TrainRequest.stepsRange)
        try recordEvery.check("--record-every", TrainRequest.recordEveryRange)
        guard sigma2.elements.count <= 12 else { throw ValidationError("--sigma2: at most 12 values") }
        for s in sigma2.elements { try s.checkPositive("--sigma2", maximum: BigRational(1000), maximumMagnitudeDigits: 30) }
        if learningRate != nil && learningRateScale != nil {
            throw ValidationError("give --learning-rate (absolute η) or --learning-rate-scale (η = c/mean Θ_0), not both")
        }
        try learningRate?.checkPositive("--learning-rate", maximum: BigRational(1_000_000), maximumMagnitudeDigits: 30)
        try learningRateScale?.checkPositive("--learning-rate-scale", maximum: BigRational(1_000_000), maximumMagnitudeDigits: 30)
        if data != nil && inputDim != nil { throw ValidationError("--input-dim is fixed by the columns of --data") }
        try maxSeconds.checkMaxSeconds()
    }

    /// The examples of --data (the file read and parsed here), or the built-in set.
    func trainDataset() throws -> TrainDataset {
        guard let path = data else { return dataset.dataset }
        guard let bytes = FileManager.default.contents(atPath: path) else { throw UsageError("--data \(Arguments.quoted(path)): cannot read the file") }
        guard let text = String(data: bytes, encoding: .utf8) else { throw UsageError("--data \(Arguments.quoted(path)): not UTF-8 text") }
        do { return .examples(try TrainingSet.parseCSV(text)) } catch let e as TrainingDataError {
            throw UsageError("--data \(Arguments.quoted(path)): \(e.description)")
        }
    }

    /// The typed request these options describe.
    func request() throws -> TrainRequest {
        TrainRequest(width: width.value, depth: depth.value, inputDimension: inputDim?.value, trainableBiases: !noBias,
                     sigma2: sigma2.elements.map(\.value), dataset: try trainDataset(), trainSize: trainSize?.value, track: track.value,
                     steps: steps.value, recordEvery: recordEvery.value, optimizer: optimizer, learningRate: learningRate?.doubleValue,
                     learningRateScale: learningRateScale?.doubleValue, maxSeconds: maxSeconds.doubleValue, seed: seed.value)
    }

    func execute(_ io: CommandIO) throws {
        try validate()
        let experiment = try TrainExperiment(try request())
        if let note = try experiment.costNote() { io.writeError("ntk: note: \(note)\n") }
        // Both files are opened before the work, so that a bad path is refused up front, and
        // stdout is written last, so that a refusal never follows partial output.
        InterruptCleanup.install()
        var writer: AtomicFileWriter? = nil, chartWriter: AtomicFileWriter? = nil
        if let path = output.file {
            do { writer = try AtomicFileWriter(path: path) } catch { throw UsageError("--output \(Arguments.quoted(path)): \(error)") }
        }
        if let path = chart {
            do { chartWriter = try AtomicFileWriter(path: path) } catch { throw UsageError("--chart \(Arguments.quoted(path)): \(error)") }
        }
        let result = try io.withContext { try experiment.run($0) }
        let report = TrainReport(result: result)
        let table: String
        // JSON is the result document (schema ntk.train); the other formats, its table of records.
        do {
            table = output.format == .json ? try JSONValueEncoder().encode(result).serialized(pretty: true) + "\n"
                : try report.table(output.format)
        } catch { throw UsageError("train output failed: \(error)") }
        if let chartWriter {
            do {
                try chartWriter.append(try report.chart().svg())
                try chartWriter.commit()
            } catch { throw UsageError("--chart \(Arguments.quoted(chart ?? "")): \(error)") }
        }
        if let writer {
            do {
                try writer.append(table)
                try writer.commit()
            } catch { throw UsageError("--output \(Arguments.quoted(output.file ?? "")): \(error)") }
        } else {
            io.write(table)
        }
        io.writeError(report.notes)
    }
}
