import Testing
import Multiprecision
@testable import NTKMoments

// An independent check of the transfer-matrix recursion: a brute-force evaluator written
// from derivations/01-model.md and 02-reduction.md alone, without reading or reusing the recursion's code.
//
// For every activity pattern (k_1 … k_{L−1}), k_j ∈ 0…n_j, with probability
// Π_j C(n_j, k_j)/2^{n_j}:
//   * some k_j = 0 (dead network), or ‖x‖² = 0 with L ≥ 2: Θ = β exactly;
//   * otherwise Θ is a polynomial in independent chi-square variables
//       A_j ~ χ²_{k_j}, B_j ~ χ²_{k_j−1}, B'_j ~ χ²_{k_j} (GI only), Z ~ χ²_1,
//     built literally from the scalar recursion of derivations/02, and E[Θ | k], E[Θ² | k] follow from
//     E[(χ²_m)^p] = m(m+2)⋯(m+2p−2).

// MARK: - Sparse multivariate polynomials with exact rational coefficients

/// A polynomial in the variables of one network: a map from exponent vectors to coefficients.
private struct EnumPoly {
    var terms: [[Int]: BigRational] = [:]
    let variableCount: Int

    init(variableCount: Int) { self.variableCount = variableCount }

    static func constant(_ c: BigRational, variableCount: Int) -> EnumPoly {
        var p = EnumPoly(variableCount: variableCount)
        if !c.isZero { p.terms[Array(repeating: 0, count: variableCount)] = c }
        return p
    }

    /// c · v (one variable to the first power).
    static func variable(_ v: Int, coefficient c: BigRational, variableCount: Int) -> EnumPoly {
        var p = EnumPoly(variableCount: variableCount)
        var e = Array(repeating: 0, count: variableCount)
        e[v] = 1
        p.terms[e] = c
        return p
    }

    static func + (x: EnumPoly, y: EnumPoly) -> EnumPoly {
        var r = x
        for (e, c) in y.terms {
            let s = (r.terms[e] ?? BigRational(0)) + c
            r.terms[e] = s.isZero ? nil : s
        }
        return r
    }

    static func * (x: EnumPoly, y: EnumPoly) -> EnumPoly {
        var r = EnumPoly(variableCount: x.variableCount)
        for (ex, cx) in x.terms {
            for (ey, cy) in y.terms {
                var e = ex
                for i in 0..<e.count { e[i] += ey[i] }
                let s = (r.terms[e] ?? BigRational(0)) + cx * cy
                r.terms[e] = s.isZero ? nil : s
            }
        }
        return r
    }
}

// MARK: - The brute-force evaluator

private enum EnumModel { case exact, gradientIndependence }

private struct EnumResult {
    var mean: BigRational
    var second: BigRational
    /// Total probability of the patterns with some k_j = 0 (1 when ‖x‖² = 0 and L ≥ 2).
    var probabilityDead: BigRational
}

private func enumBinomial(_ n: Int, _ k: Int) -> Int {
    if k < 0 || k > n { return 0 }
    var r = 1
    for i in 0..<k { r = r * (n - i) / (i + 1) }
    return r
}

/// E[(χ²_m)^p] = m(m+2)(m+4)⋯(m+2p−2); 1 for p = 0; 0 for m = 0 and p ≥ 1.
private func enumChiSquareMoment(dof m: Int, power p: Int) -> Int {
    if p == 0 { return 1 }
    if m == 0 { return 0 }
    var r = 1
    for i in 0..<p { r *= m + 2 * i }
    return r
}

/// Θ on the alive event as a polynomial in the chi-square variables, the number of variables,
/// and each variable's degrees of freedom given an activity pattern k.
private func enumThetaPolynomial(widths: [Int], sigma2: BigRational, inputNorm2 x0: BigRational,
                                 beta: Int, model: EnumModel) -> (theta: EnumPoly, variables: Int, dof: (Int, [Int]) -> Int) {
    let L = widths.count          // depth = number of weight layers
    let H = L - 1                 // hidden layers 1 … H
    let betaQ = BigRational(beta)

    // Variable indices: A_j → 3(j−1), B_j → 3(j−1)+1, B'_j → 3(j−1)+2 (j = 1…H), Z → 3H.
    let V = 3 * H + 1
    func idxA(_ j: Int) -> Int { 3 * (j - 1) }
    func idxB(_ j: Int) -> Int { 3 * (j - 1) + 1 }
    func idxBp(_ j: Int) -> Int { 3 * (j - 1) + 2 }
    let idxZ = 3 * H

    // Degrees of freedom of each variable given the pattern k (k[j] for j = 1…H; k[0] unused).
    func dof(_ v: Int, _ k: [Int]) -> Int {
        if v == idxZ { return 1 }
        let j = v / 3 + 1
        switch v % 3 {
        case 0: return k[j]          // A_j ~ χ²_{k_j}
        case 1: return k[j] - 1      // B_j ~ χ²_{k_j − 1}
        default: return k[j]         // B'_j ~ χ²_{k_j}
        }
    }

    // Θ on the alive event, as a polynomial (independent of k: k only enters the laws).
    func const(_ c: BigRational) -> EnumPoly { .constant(c, variableCount: V) }
    func a(_ j: Int) -> EnumPoly { .variable(idxA(j), coefficient: sigma2 / BigRational(widths[j - 1]), variableCount: V) }
    func b(_ j: Int) -> EnumPoly { .variable(idxB(j), coefficient: sigma2 / BigRational(widths[j]), variableCount: V) }
    func bp(_ j: Int) -> EnumPoly { .variable(idxBp(j), coefficient: sigma2 / BigRational(widths[j]), variableCount: V) }
    let z = EnumPoly.variable(idxZ, coefficient: sigma2 / BigRational(widths[L - 1]), variableCount: V)

    // X_l = X0 · a_1 ⋯ a_l, l = 0 … L−1.
    var X: [EnumPoly] = [const(x0)]
    if H >= 1 { for l in 1...H { X.append(X[l - 1] * a(l)) } }

    // Δ_l, l = 1 … L (index l).
    var Delta = Array(repeating: const(BigRational(0)), count: L + 1)
    Delta[L] = const(BigRational(1))
    if H >= 1 {
        for l in stride(from: H, through: 1, by: -1) {
            switch model {
            case .exact:
                // f²/X_l = z · a_{l+1} ⋯ a_{L−1}
                var injection = z
                if l + 1 <= H { for j in (l + 1)...H { injection = injection * a(j) } }
                Delta[l] = injection + b(l) * Delta[l + 1]
            case .gradientIndependence:
                Delta[l] = bp(l) * Delta[l + 1]
            }
        }
    }

    var theta = const(BigRational(0))
    for l in 1...L { theta = theta + (X[l - 1] + const(betaQ)) * Delta[l] }
    return (theta, V, dof)
}

/// Brute-force E[Θ] and E[Θ²] for widths n0, n1 … n_{L−1}.
private func enumerateMoments(widths: [Int], sigma2: BigRational, inputNorm2 x0: BigRational,
                              beta: Int, model: EnumModel) -> EnumResult {
    let L = widths.count
    let H = L - 1
    let betaQ = BigRational(beta)
    let (theta, V, dof) = enumThetaPolynomial(widths: widths, sigma2: sigma2, inputNorm2: x0, beta: beta, model: model)
    let thetaSquared = theta * theta

    // Enumerate every activity pattern. Integer accumulation per monomial:
    // S_m = Σ_{alive k} Π_j C(n_j,k_j) · E[monomial m | k]; then divide by 2^{Σ n_j}.
    let hiddenWidths = Array(widths.dropFirst())
    let totalBits = hiddenWidths.reduce(0, +)
    let meanTerms = Array(theta.terms)
    let secondTerms = Array(thetaSquared.terms)
    var meanSums = Array(repeating: 0, count: meanTerms.count)
    var secondSums = Array(repeating: 0, count: secondTerms.count)
    var deadWeight = 0
    var aliveWeight = 0

    var k = Array(repeating: 0, count: H + 1)
    func monomialExpectation(_ e: [Int]) -> Int {
        var r = 1
        for v in 0..<V where e[v] != 0 {
            r *= enumChiSquareMoment(dof: dof(v, k), power: e[v])
            if r == 0 { return 0 }
        }
        return r
    }
    func visit(_ j: Int, _ weight: Int) {
        if j > H {
            // The GI model (the bookkeeping of derivations/05) has no dead-network rule: a pattern with some
            // k_j = 0 is evaluated by the same product formula (χ²₀ = 0 zeroes a_j and b'_j).
            if model == .exact && k.dropFirst().contains(0) {
                deadWeight += weight
                return
            }
            aliveWeight += weight
            for (i, term) in meanTerms.enumerated() { meanSums[i] += weight * monomialExpectation(term.key) }
            for (i, term) in secondTerms.enumerated() { secondSums[i] += weight * monomialExpectation(term.key) }
            return
        }
        for kj in 0...hiddenWidths[j - 1] {
            k[j] = kj
            visit(j + 1, weight * enumBinomial(hiddenWidths[j - 1], kj))
        }
    }
    visit(1, 1)
    precondition(deadWeight + aliveWeight == 1 << totalBits)
    if model == .gradientIndependence {
        // P(dead) is still the real network's: count the patterns with some k_j = 0.
        deadWeight = 0
        var pattern = Array(repeating: 0, count: H + 1)
        func countDead(_ j: Int, _ weight: Int) {
            if j > H { if pattern.dropFirst().contains(0) { deadWeight += weight }; return }
            for kj in 0...hiddenWidths[j - 1] { pattern[j] = kj; countDead(j + 1, weight * enumBinomial(hiddenWidths[j - 1], kj)) }
        }
        countDead(1, 1)
    }

    let scale = BigRational(1).timesPowerOfTwo(-totalBits)
    let pDead = BigRational(deadWeight) * scale

    if H >= 1 && x0.isZero {
        // Layer 1 is dead with probability 1 (every pre-activation is 0 and ReLU'(0) = 0):
        // Θ = β exactly, and the network is dead with probability 1 whatever the pattern law.
        return EnumResult(mean: betaQ, second: betaQ * betaQ, probabilityDead: BigRational(1))
    }

    var mean = BigRational(0)
    for (i, term) in meanTerms.enumerated() { mean += term.value * BigRational(meanSums[i]) }
    var second = BigRational(0)
    for (i, term) in secondTerms.enumerated() { second += term.value * BigRational(secondSums[i]) }
    let deadTerm = model == .exact ? pDead : BigRational(0)
    mean = mean * scale + deadTerm * betaQ
    second = second * scale + deadTerm * betaQ * betaQ
    return EnumResult(mean: mean, second: second, probabilityDead: pDead)
}

// MARK: - Cases

private struct EnumGolden: CustomStringConvertible, Sendable {
    let widths: [Int]
    let sigma2: String
    let inputNorm2: String
    let biases: Bool
    let mean: String
    let second: String
    var description: String { "widths \(widths) σ²=\(sigma2) ‖x‖²=\(inputNorm2) biases=\(biases)" }
}

/// The golden values of derivations/03-recursion.md, written out here (not taken from the other test file).
private let enumGoldenTable: [EnumGolden] = [
    EnumGolden(widths: [3, 2, 2], sigma2: "2", inputNorm2: "1", biases: true, mean: "61/12", second: "8809/72"),
    EnumGolden(widths: [3, 2, 2], sigma2: "2", inputNorm2: "1", biases: false, mean: "7/3", second: "1457/36"),
    EnumGolden(widths: [1, 1], sigma2: "2", inputNorm2: "1", biases: true, mean: "4", second: "45"),
    EnumGolden(widths: [2], sigma2: "3/2", inputNorm2: "1/2", biases: true, mean: "3/2", second: "9/4"),
    EnumGolden(widths: [4, 3, 5], sigma2: "5/2", inputNorm2: "2", biases: true, mean: "417/32", second: "95587/192"),
    EnumGolden(widths: [5, 5, 5, 5], sigma2: "2", inputNorm2: "1", biases: true, mean: "8097/1024", second: "6486829/32000"),
]

/// Every width list with `count` entries, each width in 1…maxWidth.
private func enumAllWidthLists(count: Int, maxWidth: Int) -> [[Int]] {
    var lists: [[Int]] = [[]]
    for _ in 0..<count {
        lists = lists.flatMap { prefix in (1...maxWidth).map { prefix + [$0] } }
    }
    return lists
}

/// Fixed pseudo-random subset (SplitMix64 with a fixed seed, so the selection never changes).
private func enumFixedSample<T>(_ items: [T], keep: Int, seed: UInt64) -> [T] {
    var state = seed
    func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    var pool = items
    var chosen: [T] = []
    while chosen.count < keep && !pool.isEmpty {
        let i = Int(next() % UInt64(pool.count))
        chosen.append(pool.remove(at: i))
    }
    return chosen
}

/// The networks checked against the engine: every width list n0, n1 … n_{L−1} with 1 to 4
/// entries (depth 1 to 4, up to 3 hidden layers), each width in 1…4: 4 + 16 + 64 + 256 = 340.
private let enumNetworks: [[Int]] = (1...4).flatMap { enumAllWidthLists(count: $0, maxWidth: 4) }

/// The GI model is checked on a subset: every list with ≤ 2 entries, all 3- and 4-entry lists
/// with widths ≤ 3, and a fixed pseudo-random selection of the lists containing a width 4.
private let enumGINetworks: [[Int]] = {
    var lists = enumAllWidthLists(count: 1, maxWidth: 4) + enumAllWidthLists(count: 2, maxWidth: 4)
    lists += enumAllWidthLists(count: 3, maxWidth: 3) + enumAllWidthLists(count: 4, maxWidth: 3)
    let rest3 = enumAllWidthLists(count: 3, maxWidth: 4).filter { $0.contains(4) }   // 37 lists
    let rest4 = enumAllWidthLists(count: 4, maxWidth: 4).filter { $0.contains(4) }   // 175 lists
    lists += enumFixedSample(rest3, keep: 15, seed: 0x5EED_0003)
    lists += enumFixedSample(rest4, keep: 30, seed: 0x5EED_0004)
    return lists
}()

private let enumSigma2s = ["1/2", "2", "7/3"]
private let enumInputNorms = ["1", "3/2"]

/// Networks also checked at ‖x‖² = 0 (the value jumps to β there).
private let enumZeroInputNetworks: [[Int]] = [[1], [3], [1, 1], [2, 3], [3, 2, 2], [2, 1, 3], [1, 2, 2, 1], [4, 3, 2, 4]]

private func enumEngine(_ widths: [Int], sigma2: BigRational, inputNorm2: BigRational, biases: Bool,
                        model: MomentModel) throws -> (mean: BigRational, second: BigRational, dead: BigRational) {
    let arch = try Architecture(widths: widths, sigma2: sigma2, inputNorm2: inputNorm2, trainableBiases: biases)
    let m = MomentRecursion(arithmetic: RationalArithmetic(sigma2: arch.sigma2, inputNorm2: arch.inputNorm2),
                            model: model).moments(of: arch)
    return (m.mean.mantissa.timesPowerOfTwo(m.mean.binaryScale),
            m.secondMoment.mantissa.timesPowerOfTwo(m.secondMoment.binaryScale),
            m.probabilityDead)
}

/// 1 − Π_j (1 − 2^{−n_j}) over the hidden widths.
private func enumDeadProbabilityFormula(_ widths: [Int]) -> BigRational {
    var alive = BigRational(1)
    for n in widths.dropFirst() { alive = alive * (BigRational(1) - BigRational(1).timesPowerOfTwo(-n)) }
    return BigRational(1) - alive
}

private func enumCheck(_ widths: [Int], sigma2 s: String, inputNorm2 x: String, biases: Bool,
                       model: MomentModel) throws {
    let sigma2 = try BigRational(parsing: s)
    let x0 = try BigRational(parsing: x)
    let brute = enumerateMoments(widths: widths, sigma2: sigma2, inputNorm2: x0, beta: biases ? 1 : 0,
                                 model: model == .exact ? .exact : .gradientIndependence)
    let engine = try enumEngine(widths, sigma2: sigma2, inputNorm2: x0, biases: biases, model: model)
    let label = "widths \(widths) σ²=\(s) ‖x‖²=\(x) biases=\(biases) model=\(model)"
    #expect(engine.mean == brute.mean, "E[Θ]: engine \(engine.mean) vs enumeration \(brute.mean) — \(label)")
    #expect(engine.second == brute.second, "E[Θ²]: engine \(engine.second) vs enumeration \(brute.second) — \(label)")
    #expect(engine.dead == brute.probabilityDead,
            "P(dead): engine \(engine.dead) vs enumeration \(brute.probabilityDead) — \(label)")
}

// MARK: - Tests

@Suite("Independent brute-force enumeration over activity patterns (derivations/02)")
struct EnumerationCheckTests {
    @Test("enumeration evaluator reproduces the golden values of derivations/03", arguments: enumGoldenTable)
    fileprivate func evaluatorMatchesGolden(_ c: EnumGolden) throws {
        let r = enumerateMoments(widths: c.widths, sigma2: try BigRational(parsing: c.sigma2),
                                 inputNorm2: try BigRational(parsing: c.inputNorm2),
                                 beta: c.biases ? 1 : 0, model: .exact)
        #expect(r.mean == (try BigRational(parsing: c.mean)), "E[Θ] = \(r.mean), golden \(c.mean)")
        #expect(r.second == (try BigRational(parsing: c.second)), "E[Θ²] = \(r.second), golden \(c.second)")
    }

    @Test("enumeration's dead-pattern probability equals 1 − Π(1 − 2^{−n_j})", arguments: enumNetworks)
    func evaluatorDeadProbability(_ widths: [Int]) {
        let r = enumerateMoments(widths: widths, sigma2: BigRational(2), inputNorm2: BigRational(1), beta: 1, model: .exact)
        #expect(r.probabilityDead == enumDeadProbabilityFormula(widths))
    }

    @Test("exact engine equals brute-force enumeration over activity patterns (σ² ∈ {1/2, 2, 7/3}, ‖x‖² ∈ {1, 3/2}, β ∈ {0, 1})",
          arguments: enumNetworks)
    func exactEngineEqualsEnumeration(_ widths: [Int]) throws {
        for biases in [false, true] {
            for s in enumSigma2s {
                for x in enumInputNorms {
                    try enumCheck(widths, sigma2: s, inputNorm2: x, biases: biases, model: .exact)
                }
            }
        }
    }

    @Test("engine's P(some hidden layer dead) equals 1 − Π(1 − 2^{−n_j})", arguments: enumNetworks)
    func engineDeadProbability(_ widths: [Int]) throws {
        let e = try enumEngine(widths, sigma2: BigRational(2), inputNorm2: BigRational(1), biases: true, model: .exact)
        #expect(e.dead == enumDeadProbabilityFormula(widths), "engine \(e.dead) for widths \(widths)")
    }

    @Test("exact engine equals enumeration at ‖x‖² = 0 (Θ = β for L ≥ 2, ‖x‖²+β for L = 1)",
          arguments: enumZeroInputNetworks)
    func exactEngineAtZeroInput(_ widths: [Int]) throws {
        for biases in [false, true] {
            for s in ["1/2", "2"] {
                try enumCheck(widths, sigma2: s, inputNorm2: "0", biases: biases, model: .exact)
            }
        }
    }

    @Test("gradient-independence engine equals brute-force enumeration of the GI model (Δ_l = b'_l Δ_{l+1})",
          arguments: enumGINetworks)
    func giEngineEqualsEnumeration(_ widths: [Int]) throws {
        for biases in [false, true] {
            for s in enumSigma2s {
                for x in enumInputNorms {
                    try enumCheck(widths, sigma2: s, inputNorm2: x, biases: biases, model: .gradientIndependence)
                }
            }
        }
    }

    @Test("gradient-independence engine equals enumeration at ‖x‖² = 0", arguments: enumZeroInputNetworks)
    func giEngineAtZeroInput(_ widths: [Int]) throws {
        for biases in [false, true] {
            try enumCheck(widths, sigma2: "2", inputNorm2: "0", biases: biases, model: .gradientIndependence)
        }
    }

    @Test("exact and GI enumerations are genuinely different models (sanity of the evaluator)")
    func evaluatorModelsDiffer() {
        let exact = enumerateMoments(widths: [3, 2, 2], sigma2: BigRational(2), inputNorm2: BigRational(1), beta: 1, model: .exact)
        let gi = enumerateMoments(widths: [3, 2, 2], sigma2: BigRational(2), inputNorm2: BigRational(1), beta: 1,
                                  model: .gradientIndependence)
        #expect(exact.second != gi.second)
    }
}

// MARK: - Higher moments by the same brute force

/// Brute-force E[Θ^p]: Θ^p expanded as a polynomial, each monomial's conditional expectation
/// from the chi-square moments, summed over every activity pattern (exact rationals).
private func enumerateMomentPower(widths: [Int], sigma2: BigRational, inputNorm2 x0: BigRational,
                                  beta: Int, model: EnumModel, power p: Int) -> BigRational {
    let H = widths.count - 1
    let betaQ = BigRational(beta)
    var betaPower = BigRational(1)
    for _ in 0..<p { betaPower *= betaQ }
    if H >= 1 && x0.isZero { return betaPower }
    let (theta, V, dof) = enumThetaPolynomial(widths: widths, sigma2: sigma2, inputNorm2: x0, beta: beta, model: model)
    var thetaPower = EnumPoly.constant(1, variableCount: V)
    for _ in 0..<p { thetaPower = thetaPower * theta }
    let terms = Array(thetaPower.terms)
    let hidden = Array(widths.dropFirst())
    var total = BigRational(0), dead = BigRational(0)
    var k = Array(repeating: 0, count: H + 1)
    func visit(_ j: Int, _ weight: BigRational) {
        if j > H {
            if model == .exact && k.dropFirst().contains(0) { dead += weight; return }
            for (e, c) in terms {
                var m = BigRational(1)
                for v in 0..<V where e[v] != 0 { m *= BigRational(enumChiSquareMoment(dof: dof(v, k), power: e[v])) }
                total += weight * c * m
            }
            return
        }
        for kj in 0...hidden[j - 1] {
            k[j] = kj
            visit(j + 1, weight * BigRational(enumBinomial(hidden[j - 1], kj)) / BigRational(1 << hidden[j - 1]))
        }
    }
    visit(1, 1)
    return total + (model == .exact ? dead * betaPower : 0)
}

@Suite("Higher moments against brute-force enumeration (derivations/08)")
struct HigherMomentEnumerationTests {
    static let cases: [([Int], String, String, Bool)] = [
        ([3, 2, 2], "2", "1", true), ([3, 2, 2], "2", "1", false), ([4, 3, 5], "5/2", "2", true),
        ([2, 1, 3], "1/2", "3/2", true), ([1, 1], "2", "1", true), ([2, 2, 1, 2], "7/3", "1", false), ([3], "3/2", "1/2", true),
    ]

    @Test("check: tuple-recursion-enumeration — E[Θ^p], p = 1…4, equals the brute-force enumeration (both models)",
          arguments: cases)
    func agreement(_ c: ([Int], String, String, Bool)) throws {
        let sigma2 = try BigRational(parsing: c.1), x = try BigRational(parsing: c.2)
        let a = try Architecture(widths: c.0, sigma2: sigma2, inputNorm2: x, trainableBiases: c.3)
        for model in [MomentModel.exact, .gradientIndependence] {
            for p in 1...4 {
                let engine = TupleMomentRecursion(arithmetic: RationalArithmetic(sigma2: sigma2, inputNorm2: x), model: model, order: p)
                let got = engine.moment(of: a).mantissa
                let expected = enumerateMomentPower(widths: c.0, sigma2: sigma2, inputNorm2: x, beta: c.3 ? 1 : 0,
                                                    model: model == .exact ? .exact : .gradientIndependence, power: p)
                #expect(got == expected, "\(c.0) \(model) p=\(p): \(got) vs \(expected)")
            }
        }
    }
}
