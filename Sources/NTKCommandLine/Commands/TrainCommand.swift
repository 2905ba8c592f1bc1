import ArgumentParser
import Foundation
import MonteCarlo
import Multiprecision
import NTKMoments
import NTKOutput

extension TrainingOptimizer: ExpressibleByArgument {}

/// The built-in synthetic datasets of `ntk train`.
enum SyntheticDataset: String, ExpressibleByArgument, CaseIterable {
    case sphereTeacher = "sphere-teacher"
    case gaussianMixture = "gaussian-mixture"
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

    @Option(parsing: .unconditional, help: "Random seed of the networks and the synthetic data.")
    var seed = IntegerArgument(1)

    @Option(help: "Output format: text, csv, json, markdown or latex.")
    var format: TableFormat = .text

    @Option(help: "Write the table to FILE instead of standard output.")
    var output: String?

    @Option(help: "Also write an SVG chart of the relative NTK change against the step, one line per σ², to FILE.")
    var chart: String?

    static let maximumParameters = 20_000_000
    static let maximumWork = 1e13

    var seedValue: UInt64? {
        guard seed.exact.signum >= 0, seed.exact.bitSize <= 128 else { return nil }
        return UInt64(seed.exact.numeratorString)
    }

    func validate() throws {
        try width.check("--width", 1...100_000)
        try depth.check("--depth", 1...10_000)
        try inputDim?.check("--input-dim", 1...100_000)
        try trainSize?.check("--train-size", 1...100_000)
        try track.check("--track", 1...2_000)
        try steps.check("--steps", 0...10_000_000)
        try recordEvery.check("--record-every", 1...10_000_000)
        guard seedValue != nil else {
            throw ValidationError("--seed \(Arguments.quoted(seed.text)) is out of range: an integer from 0 to \(UInt64.max)")
        }
        guard sigma2.elements.count <= 12 else { throw ValidationError("--sigma2: at most 12 values") }
        for s in sigma2.elements { try s.checkPositive("--sigma2", maximum: BigRational(1000), maximumMagnitudeDigits: 30) }
        if learningRate != nil && learningRateScale != nil {
            throw ValidationError("give --learning-rate (absolute η) or --learning-rate-scale (η = c/mean Θ_0), not both")
        }
        try learningRate?.checkPositive("--learning-rate", maximum: BigRational(1_000_000), maximumMagnitudeDigits: 30)
        try learningRateScale?.checkPositive("--learning-rate-scale", maximum: BigRational(1_000_000), maximumMagnitudeDigits: 30)
        if data != nil && inputDim != nil { throw ValidationError("--input-dim is fixed by the columns of --data") }
        try maxSeconds.checkPositive("--max-seconds", maximum: BigRational(31_536_000), maximumMagnitudeDigits: 12)
    }

    /// The training set: the CSV file or the synthetic set, `n0` the synthetic input dimension.
    func trainingSet(n0: Int, seed: UInt64) throws -> TrainingSet {
        if let path = data {
            guard let bytes = FileManager.default.contents(atPath: path) else { throw UsageError("--data \(Arguments.quoted(path)): cannot read the file") }
            guard let text = String(data: bytes, encoding: .utf8) else { throw UsageError("--data \(Arguments.quoted(path)): not UTF-8 text") }
            do {
                let set = try TrainingSet.parseCSV(text)
                return trainSize.map { set.prefix($0.value) } ?? set
            } catch let e as TrainingDataError { throw UsageError("--data \(Arguments.quoted(path)): \(e.description)") }
        }
        let count = trainSize?.value ?? 100
        do {
            switch dataset {
            case .gaussianMixture:
                return try TrainingSet.gaussianMixture(count: count, dimension: n0, seed: seed)
            case .sphereTeacher:
                let teacher = try ExplicitNetwork(inputDimension: n0, hiddenWidths: [64], sigma2: 2, trainableBiases: false,
                                                  seed: seed ^ 0x7EAC_4E12, sample: 0)
                let raw = try TrainingSet.sphere(count: count, dimension: n0, seed: seed) { _ in 0 }
                let outputs = try teacher.outputs((0..<raw.count).map(raw.input))
                let rms = (outputs.reduce(0) { $0 + $1 * $1 } / Double(outputs.count)).squareRoot()
                return try TrainingSet(dimension: n0, inputs: raw.inputs, targets: outputs.map { rms > 0 ? $0 / rms : 0 })
            }
        } catch let e as TrainingDataError { throw UsageError(e.description) }
    }

    func execute(_ io: CommandIO) throws {
        try validate()
        let seed = seedValue!
        let m = width.value, l = depth.value
        let set = try trainingSet(n0: inputDim?.value ?? m, seed: seed)
        let n0 = set.dimension
        let parameters = Double(n0) * Double(m) + Double(max(0, l - 2)) * Double(m) * Double(m) + Double(m) + Double(l) * Double(m)
        guard parameters <= Double(Self.maximumParameters) else {
            throw UsageError("train stores every weight: at most \(Self.maximumParameters) parameters (this network has about \(Int(parameters)))")
        }
        guard parameters * Double(set.count) * Double(steps.value + 1) * Double(sigma2.elements.count) <= Self.maximumWork else {
            throw UsageError("the run is too large (parameters × inputs × steps × σ² values above 1e13); reduce --steps, --train-size or the width")
        }
        let hidden = l > 1 ? Array(repeating: m, count: l - 1) : []
        // One "sample" of the estimate is one step of every σ²'s network.
        let stepCost = SamplingCostModel.training(SimulatedArchitecture(inputDimension: n0, hiddenWidths: hidden, sigma2: 2, inputNorm2: 1,
                                                                        trainableBiases: !noBias),
                                                  inputs: set.count, tracked: min(track.value, set.count), recordEvery: recordEvery.value,
                                                  adam: optimizer == .adam)
        let budget = maxSeconds.doubleValue
        try checkSamplingBudget(SamplingCost(secondsPerSample: stepCost.secondsPerSample * Double(sigma2.elements.count), parallelism: 1,
                                             bytes: stepCost.bytes),
                                samples: steps.value + 1, maxSeconds: budget, io: io, what: "training step",
                                reduce: "a smaller width, depth or --train-size")
        let rate: TrainingLearningRate
        if let eta = learningRate {
            rate = .absolute(eta.doubleValue)
        } else if let c = learningRateScale {
            rate = .relativeToKernel(c.doubleValue)
        } else {
            rate = .absolute(optimizer == .adam ? 1e-3 : 1e-2)
        }
        // Both files are opened before the work, so that a bad path is refused up front, and
        // stdout is written last, so that a refusal never follows partial output.
        InterruptCleanup.install()
        var writer: AtomicFileWriter? = nil, chartWriter: AtomicFileWriter? = nil
        if let path = output {
            do { writer = try AtomicFileWriter(path: path) } catch { throw UsageError("--output \(Arguments.quoted(path)): \(error)") }
        }
        if let path = chart {
            do { chartWriter = try AtomicFileWriter(path: path) } catch { throw UsageError("--chart \(Arguments.quoted(path)): \(error)") }
        }
        var results: [(sigma2: RationalArgument, result: TrainingResult)] = []
        let progress = io.progressLine()
        let clock = ContinuousClock(), start = clock.now
        for (index, s) in sigma2.elements.enumerated() {
            // The remaining budget, shared evenly among the remaining σ² values.
            let elapsed = start.duration(to: clock.now)
            let used = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            let share = max(0, budget - used) / Double(sigma2.elements.count - index)
            let architecture = SimulatedArchitecture(inputDimension: n0, hiddenWidths: hidden, sigma2: s.doubleValue, inputNorm2: 1,
                                                     trainableBiases: !noBias)
            do {
                let result = try trainNetwork(architecture, data: set, optimizer: optimizer, learningRate: rate, steps: steps.value,
                                              recordEvery: recordEvery.value, track: track.value, seed: seed, maxSeconds: share) { step in
                    progress?.update("ntk train: σ² = \(s.text), step \(step)/\(steps.value)")
                }
                results.append((s, result))
            } catch let e as TrainingDataError {
                throw UsageError(e.description)
            } catch {
                throw UsageError("\(error)")
            }
        }
        progress?.finish()
        var table = ""
        do {
            let sink = format.makeSink { table += $0 }
            try sink.begin(columns: [.number("sigma2", widthHint: 6), .number("step", widthHint: 6), .number("loss", widthHint: 12),
                                     .number("ntk_rel_change", widthHint: 14), .number("alignment", widthHint: 10),
                                     .number("learning_rate", widthHint: 13)])
            for (s, r) in results {
                for record in r.records {
                    try sink.row([decimalNumber(s.value), "\(record.step)", number(record.loss), number(record.relativeKernelChange),
                                  number(record.alignment), number(r.learningRate)])
                }
            }
            try sink.end()
        } catch { throw UsageError("train output failed: \(error)") }
        if let chartWriter {
            let series = results.map { s, r in
                ChartSeries(name: "σ² = \(s.text)", points: r.records.map { (Double($0.step), $0.relativeKernelChange) }.filter { $0.1.isFinite })
            }
            let title = "Relative NTK change in training: width \(m), depth \(l), \(set.count) inputs, \(optimizer.rawValue)"
            do {
                let svg = try LineChart(title: title, xLabel: "step", yLabel: "‖Θ_t − Θ_0‖_F / ‖Θ_0‖_F", series: series).svg()
                try chartWriter.append(svg)
                try chartWriter.commit()
            } catch { throw UsageError("--chart \(Arguments.quoted(chart ?? "")): \(error)") }
        }
        if let writer {
            do {
                try writer.append(table)
                try writer.commit()
            } catch { throw UsageError("--output \(Arguments.quoted(output ?? "")): \(error)") }
        } else {
            io.write(table)
        }
        let stopped = results.filter { $0.result.stoppedBy == .timeBudget }
        if !stopped.isEmpty {
            io.writeError("ntk: note: --max-seconds stopped training for σ² = \(stopped.map(\.sigma2.text).joined(separator: ", ")) before step \(steps.value); its rows stop at the last recorded step\n")
        }
        if results.contains(where: \.result.diverged) {
            io.writeError("ntk: note: training diverged for σ² = \(results.filter(\.result.diverged).map(\.sigma2.text).joined(separator: ", ")) (loss or kernel not finite); its rows stop there\n")
        }
    }

    /// A JSON number for a double (null when not finite), as cell text.
    func number(_ x: Double) -> String? {
        guard x.isFinite else { return nil }
        return BigFloat(x, precision: 53).formatted(significantDigits: 6).replacingOccurrences(of: "e+", with: "e")
    }
}
