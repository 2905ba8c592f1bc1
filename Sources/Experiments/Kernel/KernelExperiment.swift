import Multiprecision
import NTKMoments

extension KernelRequest {
    /// The estimated run time in seconds (`KernelCostModel`).
    public var estimatedSeconds: Double {
        KernelCostModel.seconds(pairs: pairCount, depth: network.architecture.depth, arithmetic: arithmetic, precision: workingPrecision)
    }

    /// Refuses (`ExperimentError.tooExpensive`) a kernel estimated to take longer than
    /// `maximumSeconds`; otherwise the note a front end prints when the estimate exceeds a few
    /// seconds (nil: stay quiet).
    public func costNote() throws -> String? {
        try RunTimeLimit.note(estimate: estimatedSeconds, limit: maximumSeconds,
                              for: "this kernel (\(pairCount) pair(s), depth \(network.architecture.depth))",
                              alternatives: " or use fewer inputs, a smaller depth\(arithmetic == .double ? "" : ", --digits or --double")")
    }

    /// Checks the request, refuses it when its estimated cost exceeds `maximumSeconds`, and
    /// evaluates every pair in the chosen arithmetic.
    public func run(_ context: ExperimentContext) throws -> KernelResult {
        try check()
        _ = try costNote()
        let a = network.architecture
        let p = workingPrecision
        let d = outputDigits
        var result = KernelResult(network: network, arithmetic: arithmetic, arithmeticDescription: "", digitsRequested: d,
                                  precisionBits: arithmetic == .double ? nil : p)
        switch arithmetic {
        case .double:
            guard DoubleArithmetic.supportedRange.contains(a.sigma2) else {
                throw ExperimentError.invalidRequest("--double handles σ² from 1e-30 to 1e30 (got --sigma2 \(a.sigma2.displayText)); omit --double")
            }
            let kernel = try InfiniteWidthKernel(architecture: a)
            let shown = min(d, InfiniteWidthKernel.conservativeDigits(depth: a.depth))
            // A conservative estimate of the rounding error: 64(L + 1)·2⁻⁵³ relative.
            let bound = BigFloat(64 * Double(a.depth + 1), precision: 64).timesPowerOfTwo(-53)
            try evaluate(kernel.recursion, into: &result, context) { v in
                guard v.isFinite else { throw ExperimentError.invalidRequest("a kernel value overflows double precision; omit --double") }
                let f = BigFloat(v, precision: 53)
                let delta = BigFloat.product(f.magnitude(), bound, precision: 64, rounding: .up)
                let e = Enclosure(lower: .difference(f, delta, precision: 64, rounding: .down), upper: .sum(f, delta, precision: 64, rounding: .up))
                return ReportedReal(value: .rounded(f, enclosure: e), digits: shown)
            }
            result.arithmeticDescription = "IEEE double; at most \(shown) significant digits shown, by a conservative estimate of the rounding error (64(L+1)·2^-53 relative; not certified)"
        case .mpfr:
            let kernel = InfiniteWidthKernelRecursion(architecture: a, arithmetic: try EnclosureKernelArithmetic(precision: p))
            try evaluate(kernel, into: &result, context) { ReportedReal(value: .rounded($0.lower, enclosure: $0), digits: d) }
            result.arithmeticDescription = "MPFR \(p)-bit intervals (outward rounding); at most \(d) significant digits shown, each guaranteed by the interval"
        case .certified:
            let kernel = InfiniteWidthKernelRecursion(architecture: a, arithmetic: try EnclosureKernelArithmetic(precision: p))
            try evaluate(kernel, into: &result, context) { ReportedReal(value: .enclosure($0), digits: d) }
            result.arithmeticDescription = "certified enclosures (MPFR intervals, \(p)-bit, outward rounding); digits shown are shared by every point of the enclosure"
        }
        return result
    }

    public static let precisionRange = BigFloat.minimumPrecision...100_000
    public static let digitsRange = 1...10_000

    /// Range and consistency checks (the command line's parser checks syntax only).
    public func check() throws {
        try RequestRange.positive("--max-seconds", maximumSeconds, maximum: BigRational(exactly: RunTimeLimit.maximumSeconds))
        let given = [correlation != nil, gram != nil, vectors != nil].filter { $0 }.count
        if given > 1 { throw ExperimentError.invalidRequest("give at most one of --correlation, --gram, --inputs") }
        try RequestRange.integer("--precision", precision, Self.precisionRange)
        if precision != nil && arithmetic == .double {
            throw ExperimentError.invalidRequest("--precision applies to MPFR and --certified arithmetic, not to --double")
        }
        try RequestRange.integer("--digits", digits, Self.digitsRange)
        for r in correlation ?? [] where r < BigRational(-1) || BigRational(1) < r {
            throw ExperimentError.invalidRequest("--correlation \(r.displayText) is out of range: a correlation lies in [-1, 1]")
        }
        if let g = gram {
            let text = "\(g.q1.displayText),\(g.q2.displayText),\(g.c.displayText)"
            guard g.q1.signum >= 0, g.q2.signum >= 0 else {
                throw ExperimentError.invalidRequest("--gram \(text) is out of range: squared norms q1, q2 must not be negative")
            }
            guard g.c * g.c <= g.q1 * g.q2 else {
                throw ExperimentError.invalidRequest("--gram \(text) is not a Gram matrix: c² > q1·q2 (it is not positive semidefinite)")
            }
        }
        if let v = vectors {
            let n0 = network.architecture.inputDimension
            guard !v.isEmpty else { throw ExperimentError.invalidRequest("--inputs: no input vectors") }
            guard v.count <= Self.maximumInputs else { throw ExperimentError.invalidRequest("--inputs: more than \(Self.maximumInputs) inputs") }
            if let bad = v.firstIndex(where: { $0.count != n0 }) {
                throw ExperimentError.invalidRequest("--inputs: input \(bad + 1) has \(v[bad].count) entries, but the network's input dimension n0 is \(n0)")
            }
        }
    }

    private func evaluate<A: KernelArithmetic>(_ kernel: InfiniteWidthKernelRecursion<A>, into result: inout KernelResult,
                                               _ context: ExperimentContext,
                                               report: (A.Scalar) throws -> ReportedReal) throws {
        func pair(_ v: KernelValues<A.Scalar>) throws -> KernelResult.Pair {
            KernelResult.Pair(ntk: try report(v.ntk), nngp: try report(v.nngp), ntkNormalized: try report(v.normalized),
                              ntkDiagonal1: try report(v.ntkDiagonal1), ntkDiagonal2: try report(v.ntkDiagonal2))
        }
        if let g = gram {
            var p = try pair(kernel.evaluate(q1: g.q1, q2: g.q2, c: g.c))
            (p.q1, p.q2, p.c) = (.exact(g.q1), .exact(g.q2), .exact(g.c))
            result.pairs = [p]
        } else if let vectors {
            let a = kernel.arithmetic
            let gram: KernelGram<A.Scalar>
            // Double: angles from the unit vectors' differences, not from the cancelling defect.
            if A.Scalar.self == Double.self,
               let g = InfiniteWidthKernel.gram(vectors.map { $0.map { BigFloat($0, precision: 53).doubleValue() } }) as? KernelGram<A.Scalar> {
                gram = g
            } else {
                gram = KernelGram(vectors: vectors.map { $0.map { a.constant($0) } }, zero: a.constant(0))
            }
            let m = kernel.matrix(gram: gram, threads: 2)
            func matrix(_ entries: [[A.Scalar]]) throws -> ReportedRealMatrix { ReportedRealMatrix(try entries.map { try $0.map(report) }) }
            result.inputs = vectors.count
            (result.ntk, result.nngp, result.ntkNormalized) = (try matrix(m.ntk), try matrix(m.nngp), try matrix(m.normalized))
        } else {
            let q = network.architecture.inputNorm2
            let rhos = correlation ?? Self.defaultCorrelations
            result.pairs = try rhos.enumerated().map { i, rho in
                try context.checkCancellation()
                context.report(.init("kernel: correlation \(i + 1)/\(rhos.count)", done: i, total: rhos.count))
                var p = try pair(kernel.evaluate(q1: q, q2: q, c: rho * q))
                p.correlation = .exact(rho)
                return p
            }
        }
    }
}
