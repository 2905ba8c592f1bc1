import Foundation

/// A regression dataset for `ntk train`: `count` inputs of dimension `dimension`, stored
/// row-major in `inputs` (input `a` is `inputs[a·dimension ..< (a+1)·dimension]`), and one
/// scalar target per input (the network has one output).
public struct TrainingSet: Sendable, Hashable {
    public let dimension: Int
    public let inputs: [Double]
    public let targets: [Double]

    public var count: Int { targets.count }

    /// Precondition-free: throws unless there is at least one input, the dimension is ≥ 1,
    /// the sizes agree and every number is finite.
    public init(dimension: Int, inputs: [Double], targets: [Double]) throws {
        guard dimension >= 1 else { throw TrainingDataError("the input dimension must be at least 1") }
        guard !targets.isEmpty else { throw TrainingDataError("the dataset is empty") }
        guard inputs.count == dimension * targets.count else {
            throw TrainingDataError("\(inputs.count) input numbers do not make \(targets.count) inputs of dimension \(dimension)")
        }
        guard inputs.allSatisfy(\.isFinite), targets.allSatisfy(\.isFinite) else {
            throw TrainingDataError("every input and target must be a finite number")
        }
        self.dimension = dimension
        self.inputs = inputs
        self.targets = targets
    }

    /// Input `a` as an array.
    public func input(_ a: Int) -> [Double] { Array(inputs[(a * dimension)..<((a + 1) * dimension)]) }

    /// The first `n` examples (all of them when `n ≥ count`).
    public func prefix(_ n: Int) -> TrainingSet {
        let k = max(1, min(n, count))
        return try! TrainingSet(dimension: dimension, inputs: Array(inputs[0..<(k * dimension)]), targets: Array(targets[0..<k]))
    }

    // MARK: CSV

    /// Reads a dataset from CSV text: one example per line, fields separated by commas, the
    /// **last field is the target** and the others are the input coordinates. Blank lines and
    /// lines starting with `#` are skipped; a first line none of whose fields is a number is
    /// taken as a header and skipped. Every other line must have the same number of fields
    /// (at least 2) and every field must be a finite decimal number. Violations throw one
    /// `TrainingDataError` naming the line (and field) at fault.
    public static func parseCSV(_ text: String) throws -> TrainingSet {
        var inputs: [Double] = [], targets: [Double] = []
        var fieldCount: Int? = nil
        var sawData = false
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)  // also strips \r of CRLF files
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            let numbers = fields.map(parseNumber)
            if !sawData && fieldCount == nil && numbers.allSatisfy({ $0 == nil }) {
                fieldCount = fields.count  // header
                guard fields.count >= 2 else {
                    throw TrainingDataError("line \(lineNumber): a header needs at least two columns (inputs, then the target)")
                }
                continue
            }
            guard fields.count >= 2 else {
                throw TrainingDataError("line \(lineNumber): \(fields.count) field; each row needs at least one input and the target (last column)")
            }
            if let expected = fieldCount, expected != fields.count {
                throw TrainingDataError("line \(lineNumber): \(fields.count) fields where the earlier rows have \(expected)")
            }
            fieldCount = fields.count
            for (column, value) in numbers.enumerated() {
                guard let value else {
                    let shown = fields[column].count > 30 ? String(fields[column].prefix(27)) + "..." : fields[column]
                    throw TrainingDataError("line \(lineNumber), column \(column + 1): '\(shown)' is not a finite number")
                }
                if column == fields.count - 1 { targets.append(value) } else { inputs.append(value) }
            }
            sawData = true
        }
        guard sawData, let fieldCount else { throw TrainingDataError("no data rows (an empty file, or only comments and a header)") }
        return try TrainingSet(dimension: fieldCount - 1, inputs: inputs, targets: targets)
    }

    /// A finite decimal number (`1`, `-2.5`, `1e-3`), or nil.
    private static func parseNumber(_ field: String) -> Double? {
        guard !field.isEmpty, field.count <= 64,
              field.range(of: #"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$"#, options: .regularExpression) != nil,
              let value = Double(field), value.isFinite else { return nil }
        return value
    }

    // MARK: Synthetic sets

    /// `count` inputs drawn uniformly on the sphere `‖x‖² = inputNorm2` in `dimension`
    /// dimensions (normalised Gaussian vectors), with targets `teacher(x)`. Input `a` uses
    /// only the stream keyed by `(seed, a)`, so a larger set extends a smaller one.
    public static func sphere(
        count: Int, dimension: Int, inputNorm2: Double = 1, seed: UInt64, teacher: ([Double]) -> Double
    ) throws -> TrainingSet {
        guard count >= 1, dimension >= 1 else { throw TrainingDataError("a synthetic set needs at least one input of dimension ≥ 1") }
        guard inputNorm2.isFinite, inputNorm2 > 0 else { throw TrainingDataError("the squared input norm must be positive and finite") }
        var inputs: [Double] = [], targets: [Double] = []
        inputs.reserveCapacity(count * dimension)
        for a in 0..<count {
            var variates = RandomVariates(key: StreamKey.child(of: StreamKey.child(of: splitMix64Finalize(seed), index: 0x5EED), index: UInt64(a)))
            var x = (0..<dimension).map { _ in variates.normal() }
            let norm2 = x.reduce(0) { $0 + $1 * $1 }
            let scale = norm2 > 0 ? (inputNorm2 / norm2).squareRoot() : 0
            x = x.map { $0 * scale }
            if norm2 == 0 { x[0] = inputNorm2.squareRoot() }
            inputs += x
            targets.append(teacher(x))
        }
        return try TrainingSet(dimension: dimension, inputs: inputs, targets: targets)
    }

    /// A `classes`-class Gaussian mixture: class means `μ_c` are independent standard normal
    /// vectors scaled to `‖μ_c‖² = inputNorm2`; input `a` belongs to class `a mod classes`
    /// and is `μ_c + s·g` with `g` standard normal and `s² = spread²·inputNorm2/dimension`
    /// (so `spread` is the noise-to-signal ratio of norms); its target is the class label
    /// mapped evenly onto [−1, 1] (`2c/(classes − 1) − 1`). Seeded like `sphere`.
    public static func gaussianMixture(
        count: Int, dimension: Int, classes: Int = 3, spread: Double = 0.5, inputNorm2: Double = 1, seed: UInt64
    ) throws -> TrainingSet {
        guard count >= 1, dimension >= 1 else { throw TrainingDataError("a synthetic set needs at least one input of dimension ≥ 1") }
        guard classes >= 2 else { throw TrainingDataError("a mixture needs at least two classes") }
        guard spread.isFinite, spread >= 0, inputNorm2.isFinite, inputNorm2 > 0 else {
            throw TrainingDataError("the spread must be ≥ 0 and the squared norm positive, both finite")
        }
        let family = StreamKey.child(of: splitMix64Finalize(seed), index: 0x313C)
        let means: [[Double]] = (0..<classes).map { c in
            var variates = RandomVariates(key: StreamKey.child(of: family, index: UInt64(c)))
            let m = (0..<dimension).map { _ in variates.normal() }
            let n2 = m.reduce(0) { $0 + $1 * $1 }
            return n2 > 0 ? m.map { $0 * (inputNorm2 / n2).squareRoot() } : m
        }
        let noise = spread * (inputNorm2 / Double(dimension)).squareRoot()
        var inputs: [Double] = [], targets: [Double] = []
        for a in 0..<count {
            let c = a % classes
            var variates = RandomVariates(key: StreamKey.child(of: family, index: UInt64(classes + a)))
            inputs += means[c].map { $0 + noise * variates.normal() }
            targets.append(2 * Double(c) / Double(classes - 1) - 1)
        }
        return try TrainingSet(dimension: dimension, inputs: inputs, targets: targets)
    }
}

/// A dataset that cannot be used, with one line saying why.
public struct TrainingDataError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
