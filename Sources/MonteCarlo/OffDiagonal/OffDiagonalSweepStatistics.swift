/// The statistics of an `offdiag` depth sweep: one `OffDiagonalStatistics` per depth, with
/// the seconds each took. Merged depth by depth.
public struct OffDiagonalSweepStatistics: ShardStatistic, Hashable {
    public private(set) var depths: [OffDiagonalStatistics]
    public private(set) var seconds: [Double]

    public init() {
        depths = []
        seconds = []
    }

    public init(depths: [OffDiagonalStatistics], seconds: [Double]) {
        precondition(depths.count == seconds.count, "one time per depth")
        self.depths = depths
        self.seconds = seconds
    }

    /// The most samples of any depth (a time budget may stop later depths earlier).
    public var count: Int { depths.map(\.count).max() ?? 0 }

    public mutating func merge(_ other: OffDiagonalSweepStatistics) {
        if depths.isEmpty {
            self = other
            return
        }
        precondition(depths.count == other.depths.count, "sweeps of different depths")
        for i in depths.indices {
            depths[i].merge(other.depths[i])
            seconds[i] += other.seconds[i]
        }
    }

    public func isMergeable(with other: OffDiagonalSweepStatistics) -> Bool {
        depths.isEmpty || (depths.count == other.depths.count && zip(depths, other.depths).allSatisfy { a, b in
            a.correlations == b.correlations || (a.count == 0 && a.correlations.isEmpty) || (b.count == 0 && b.correlations.isEmpty)
        })
    }

    public var isWellFormed: Bool {
        depths.count == seconds.count && seconds.allSatisfy { $0.isFinite && $0 >= 0 }
            && depths.allSatisfy { $0.isFinite && $0.count >= 0 }
    }

    enum CodingKeys: String, CodingKey { case depths, seconds }
}
