import NTKMoments

/// The first two lines of every Monte Carlo report: the architecture, then the samples with what
/// stopped them, the time, the threads (of a run; nil for merged shards) and the random seeds.
func runHeader(_ a: Architecture, samples: String, stop: String, seconds: Double, threads: Int?, seeds: [UInt64]) -> String {
    let seedText = seeds.count == 1 ? "seed \(seeds[0])"
        : "\(seeds.count) shards, seeds \(Set(seeds).sorted().map(String.init).joined(separator: ","))"
    return "architecture  \(describe(a))\n"
        + "samples       \(samples) (\(stop)) in \(String(format: "%.2f", seconds)) s"
        + (threads.map { " with \($0) thread\($0 == 1 ? "" : "s")" } ?? "") + ", \(seedText)\n"
}
