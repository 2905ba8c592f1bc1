import MonteCarlo

/// The data `ntk train` fits: a built-in synthetic set, drawn from the run's seed, or given
/// examples (a CSV file's rows).
public enum TrainDataset: Sendable, Hashable {
    /// `SphereTeacherDataset` on the unit sphere.
    case sphereTeacher
    /// Three Gaussian classes with targets −1, 0, 1 (`TrainingSet.gaussianMixture`).
    case gaussianMixture
    /// Given examples.
    case examples(TrainingSet)

    /// Examples drawn when no size is asked for.
    public static let defaultSyntheticCount = 100

    /// The training set: `count` synthetic inputs of `dimension` (default 100), or the first
    /// `count` given examples (default all).
    /// - Throws: `TrainingDataError` for a set that cannot be drawn.
    public func trainingSet(count: Int?, dimension: Int, seed: UInt64) throws -> TrainingSet {
        switch self {
        case .sphereTeacher:
            return try SphereTeacherDataset.make(count: count ?? Self.defaultSyntheticCount, dimension: dimension, seed: seed)
        case .gaussianMixture:
            return try TrainingSet.gaussianMixture(count: count ?? Self.defaultSyntheticCount, dimension: dimension, seed: seed)
        case .examples(let set):
            return count.map { set.prefix($0) } ?? set
        }
    }
}

/// A built-in set by its command-line name (`"sphere-teacher"`, `"gaussian-mixture"`); given
/// examples as `{"dimension": n0, "inputs": [[…], …], "targets": […]}`.
extension TrainDataset: Codable {
    public static let syntheticNames: [(name: String, dataset: TrainDataset)] = [("sphere-teacher", .sphereTeacher),
                                                                                ("gaussian-mixture", .gaussianMixture)]

    private enum CodingKeys: String, CodingKey { case dimension, inputs, targets }

    public func encode(to encoder: any Encoder) throws {
        if case .examples(let set) = self {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(set.dimension, forKey: .dimension)
            try c.encode((0..<set.count).map(set.input), forKey: .inputs)
            try c.encode(set.targets, forKey: .targets)
        } else {
            var c = encoder.singleValueContainer()
            try c.encode(Self.syntheticNames.first { $0.dataset == self }!.name)
        }
    }

    public init(from decoder: any Decoder) throws {
        if let name = try? decoder.singleValueContainer().decode(String.self) {
            guard let known = Self.syntheticNames.first(where: { $0.name == name }) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown dataset \(name)"))
            }
            self = known.dataset
            return
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let dimension = try c.decode(Int.self, forKey: .dimension)
        do {
            self = .examples(try TrainingSet(dimension: dimension, inputs: try c.decode([[Double]].self, forKey: .inputs).flatMap { $0 },
                                             targets: try c.decode([Double].self, forKey: .targets)))
        } catch let e as TrainingDataError {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: e.description))
        }
    }
}
