import MonteCarlo

/// The built-in regression set `sphere-teacher`: inputs uniform on the sphere ‖x‖² = r², targets
/// from a random ReLU teacher with one hidden layer of 64 units (σ² = 2, no biases, drawn from
/// its own stream of `seed`), scaled to unit mean square so that every size and dimension
/// starts from a loss of about ½.
public enum SphereTeacherDataset {
    public static let teacherWidth = 64
    /// Mixed into the set's seed for the teacher's weights, so that teacher and inputs never
    /// share a stream.
    static let teacherSeedMask: UInt64 = 0x7EAC_4E12

    /// - Parameter inputNorm2: r², the squared norm of every input.
    public static func make(count: Int, dimension: Int, seed: UInt64, inputNorm2: Double = 1) throws -> TrainingSet {
        let teacher = try ExplicitNetwork(inputDimension: dimension, hiddenWidths: [teacherWidth], sigma2: 2, trainableBiases: false,
                                          seed: seed ^ teacherSeedMask, sample: 0)
        let raw = try TrainingSet.sphere(count: count, dimension: dimension, inputNorm2: inputNorm2, seed: seed) { _ in 0 }
        let outputs = try teacher.outputs((0..<raw.count).map(raw.input))
        let rms = (outputs.reduce(0) { $0 + $1 * $1 } / Double(outputs.count)).squareRoot()
        return try TrainingSet(dimension: dimension, inputs: raw.inputs, targets: outputs.map { rms > 0 ? $0 / rms : 0 })
    }
}
