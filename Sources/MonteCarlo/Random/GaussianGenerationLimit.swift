/// The Gaussian-generation limit of the network samplers, for benchmarks: draws `rows` rows of
/// `rowLength` standard normals exactly as `NetworkThetaSampler` draws weight rows (one
/// xoshiro256++ stream keyed per row, ziggurat variates into a buffer) and does nothing else.
/// A sampler that needs G Gaussians per sample can run at most (this rate)/G samples per
/// second per thread. Returns the sum of the variates, so the work cannot be optimised away.
public func drawGaussianRows(rows: Int, rowLength: Int, seed: UInt64) -> Double {
    let gaussian = ZigguratGaussian.shared
    let buffer = UnsafeMutableBufferPointer<Double>.allocate(capacity: rowLength)
    defer { buffer.deallocate() }
    var total = 0.0
    for row in 0..<rows {
        var generator = Xoshiro256PlusPlus(key: StreamKey.weightRow(seed: seed, sample: 0, layer: 1, row: row))
        gaussian.fill(buffer, using: &generator)
        total += buffer[0]
    }
    return total
}
