/// The statistics of the sampling commands as shard contents (`ShardStatistic`); the depth
/// sweep of `offdiag` conforms where it is declared (`OffDiagonalSweepStatistics`).

extension ThetaMoments: ShardStatistic {
    public func isMergeable(with other: ThetaMoments) -> Bool { true }

    public var isWellFormed: Bool {
        count >= 0 && [sumTheta, sumTheta2, sumTheta3, sumTheta4].allSatisfy(\.isFinite)
    }
}

extension ThetaDistribution: ShardStatistic {
    public func isMergeable(with other: ThetaDistribution) -> Bool {
        thresholds == other.thresholds || other.count == 0 || (count == 0 && thresholds.isEmpty)
    }

    public var isWellFormed: Bool {
        count >= 0 && zeros >= 0 && below >= 0 && above >= 0 && zeros <= count
            && powerSums.count == 8 && (powerSums + [sumLog, sumLogSquared]).allSatisfy(\.isFinite)
            && exceedances.count == thresholds.count && exceedances.allSatisfy { $0 >= 0 && $0 <= count }
            && thresholds.allSatisfy(\.isFinite) && histogram.values.allSatisfy { $0 >= 0 && $0 <= count }
    }
}

extension GradientStepStatistics: ShardStatistic {
    public func isMergeable(with other: GradientStepStatistics) -> Bool {
        means.dimension == other.means.dimension || other.means.count == 0 || means.dimension == 0
    }

    public var isWellFormed: Bool {
        means.count >= 0 && means.sums.count == means.squares.count && (means.sums + means.squares).allSatisfy(\.isFinite)
    }
}
