import Foundation
import Testing
import Multiprecision
@testable import NTKMoments

private func q(_ s: String) -> BigRational { try! BigRational(parsing: s) }

private func digitsOfAgreement(_ a: BigFloat, _ b: BigFloat) -> Double {
    let d = (a - b).magnitude()
    if d.isZero { return 1000 }
    return -((d / b.magnitude()).log10().doubleValue())
}

/// The closed-form limits of R_p = E[Θ^p]/E[Θ]^p, tied to the exact recursion extrapolated
/// to M = ∞ (no closed form involved), in every phase, biases on and off.
@Suite("Limits of the normalized moments (derivations/08)")
struct NormalizedMomentLimitTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let p: Int, sigma2: String, lambda: String, x0: String, biases: Bool
        var testDescription: String { "p=\(p) σ²=\(sigma2) λ=\(lambda) ‖x‖²=\(x0) \(biases ? "biases" : "no biases")" }
    }

    static let cases: [Case] = [
        Case(p: 3, sigma2: "5/2", lambda: "1/2", x0: "1", biases: true),
        Case(p: 3, sigma2: "1/2", lambda: "1/4", x0: "2", biases: false),
        Case(p: 3, sigma2: "2", lambda: "1/2", x0: "1", biases: true),
        Case(p: 3, sigma2: "2", lambda: "1/8", x0: "1/2", biases: true),
        Case(p: 3, sigma2: "3/2", lambda: "1/2", x0: "1", biases: true),
        Case(p: 4, sigma2: "4", lambda: "1/4", x0: "1", biases: true),
        Case(p: 4, sigma2: "2", lambda: "1/8", x0: "3", biases: false),
    ]

    @Test("check: normalized-moment-limits — closed forms of R3, R4 equal the extrapolated recursion", arguments: cases)
    func closedFormsAgree(_ c: Case) throws {
        let limit = try NormalizedMomentLimit(order: c.p, sigma2: q(c.sigma2), lambda: q(c.lambda), inputNorm2: q(c.x0),
                                              trainableBiases: c.biases, precision: 128)
        #expect(limit.source == .closedForm)
        let e = try FiniteWidthExpansion(family: .init(sigma2: q(c.sigma2), lambda: q(c.lambda), inputNorm2: q(c.x0), trainableBiases: c.biases),
                                         order: 1, digits: 20, points: 9, momentOrder: c.p)
        #expect(digitsOfAgreement(limit.value, e.normalizedMoment.coefficients[0]) > 15,
                "closed \(limit.value.formatted(significantDigits: 20)) vs extrapolated \(e.normalizedMoment.coefficients[0].formatted(significantDigits: 20))")
    }

    /// λ^{−p} × the top readout of e^{λG_p} from a start with `biasStarts` bias prefixes (derivations/08): ordered
    /// p-tuples of states P = 0, Q = 1, B = 2, U = 3; diagonal rate ϱ_ij = 5C(i,2) + 5C(j,2) + ij − 2j for i components
    /// on a (P, U) and j on b (B); rate 1 for each one-level move of one component (P, Q → B, B → U); top weight
    /// 2^u(2u − 1)!! on tuples with every component in B or U (u of them in U). Taylor series in Double.
    static func generatorLimit(order p: Int, biasStarts: Int, lambda: Double) -> Double {
        let count = Int(pow(4.0, Double(p)))
        func digits(_ index: Int) -> [Int] { (0..<p).map { index / Int(pow(4.0, Double($0))) % 4 } }
        func index(_ d: [Int]) -> Int { d.enumerated().reduce(0) { $0 + $1.element * Int(pow(4.0, Double($1.offset))) } }
        var rows: [[(Int, Double)]] = Array(repeating: [], count: count)
        for s in 0..<count {
            let d = digits(s)
            let i = d.filter { $0 == 0 || $0 == 3 }.count, j = d.filter { $0 == 2 }.count
            rows[s].append((s, Double(5 * i * (i - 1) / 2 + 5 * j * (j - 1) / 2 + i * j - 2 * j)))
            for c in 0..<p where d[c] != 3 {
                var e = d
                e[c] = d[c] <= 1 ? 2 : 3
                rows[s].append((index(e), 1))
            }
        }
        var v = Array(repeating: 0.0, count: count)
        v[index((0..<p).map { $0 < biasStarts ? 1 : 0 })] = 1
        var term = v
        for k in 1...400 {
            var next = Array(repeating: 0.0, count: count)
            for s in 0..<count where term[s] != 0 { for (t, g) in rows[s] { next[t] += term[s] * g * lambda / Double(k) } }
            term = next
            for s in 0..<count { v[s] += term[s] }
        }
        var total = 0.0
        for s in 0..<count {
            let d = digits(s)
            guard d.allSatisfy({ $0 >= 2 }) else { continue }
            let u = d.filter { $0 == 3 }.count
            total += v[s] * pow(2.0, Double(u)) * Double(stride(from: 1, through: max(2 * u - 1, 1), by: 2).reduce(1, *))
        }
        return total / pow(lambda, Double(p))
    }

    @Test("check: moment-generator — the generator G_p integrated by its Taylor series reproduces F_3, F_4 and the edge-of-chaos R_3 mixture")
    func generatorReproducesClosedForms() throws {
        for lambdaText in ["1/4", "1/2"] {
            let lambda = q(lambdaText).approximateDouble
            let f3 = try #require(NormalizedMomentLimit.weightComponent(order: 3, lambda: q(lambdaText), precision: 64)).doubleValue()
            let g3 = Self.generatorLimit(order: 3, biasStarts: 0, lambda: lambda)
            #expect(abs(g3 - f3) < 1e-9 * f3, "λ = \(lambdaText): F_3 \(f3) vs generator \(g3)")
            // α = 1/2: (F_www + 3αF_wwb + 3α²F_wbb + α³F_bbb)/(1 + α)³.
            let alpha = 0.5
            let mixture = try #require(NormalizedMomentLimit.edgeOfChaosThird(lambda: q(lambdaText), alpha: q("1/2"), precision: 64)).doubleValue()
            var generated = 0.0
            for b in 0...3 {
                let binomial = [1.0, 3, 3, 1][b]
                generated += binomial * pow(alpha, Double(b)) * Self.generatorLimit(order: 3, biasStarts: b, lambda: lambda)
            }
            generated /= pow(1 + alpha, 3)
            #expect(abs(generated - mixture) < 1e-9 * mixture, "λ = \(lambdaText): R_3 mixture \(mixture) vs generator \(generated)")
        }
        let f4 = try #require(NormalizedMomentLimit.weightComponent(order: 4, lambda: q("1/4"), precision: 64)).doubleValue()
        let g4 = Self.generatorLimit(order: 4, biasStarts: 0, lambda: 0.25)
        #expect(abs(g4 - f4) < 1e-9 * f4, "F_4 \(f4) vs generator \(g4)")
    }

    @Test("the edge of chaos at p = 4 has no closed form here: extrapolated, with an error estimate")
    func extrapolatedWhereNoClosedForm() throws {
        let limit = try NormalizedMomentLimit(order: 4, sigma2: 2, lambda: q("1/4"), precision: 64)
        guard case .extrapolated(let error) = limit.source else { Issue.record("expected an extrapolated limit"); return }
        #expect(error < limit.value * BigFloat(q("1e-12"), precision: 64))
        // Between the weights-only and bias-only extremes, as a mixture must be.
        #expect(limit.value > BigFloat(1, precision: 64))
    }

    /// `hasClosedForm` is what the cost estimates of `limit --max-moment` and `table --moment`
    /// use; it must make the same decision as the initializer. Extrapolations are only run
    /// for p = 3, 4 (cheap); at p ≥ 5 the closed cases are checked by constructing them.
    @Test("hasClosedForm agrees with the source the initializer reports, over phases, biases, r, models and p = 3…8")
    func closedFormPredicate() throws {
        var extrapolated = 0
        for p in 3...8 {
            for s in ["3/2", "2", "5/2"] {
                for biases in [true, false] {
                    for r in ["1", "2"] {
                        for model in [MomentModel.exact, .gradientIndependence] {
                            let closed = NormalizedMomentLimit.hasClosedForm(order: p, sigma2: q(s), inputRatio: q(r),
                                                                            trainableBiases: biases, model: model)
                            // Extrapolations in debug builds are slow: one of each kind is enough.
                            guard closed || (p <= 4 && model == .exact) || (p == 3 && model == .gradientIndependence && s == "5/2" && biases && r == "1")
                            else { continue }
                            let limit = try NormalizedMomentLimit(order: p, sigma2: q(s), lambda: q("1/2"), inputRatio: q(r),
                                                                  trainableBiases: biases, model: model, precision: 64)
                            #expect((limit.source == .closedForm) == closed, "p=\(p) σ²=\(s) biases=\(biases) r=\(r) \(model)")
                            if !closed { extrapolated += 1 }
                        }
                    }
                }
            }
        }
        #expect(extrapolated >= 3)
        // No closed form at the edge of chaos with biases for p ≥ 4, nor in the GI model.
        #expect(!NormalizedMomentLimit.hasClosedForm(order: 5, sigma2: 2))
        #expect(!NormalizedMomentLimit.hasClosedForm(order: 3, sigma2: q("5/2"), model: .gradientIndependence))
    }

    /// Above about 670 bits the expansion behind an extrapolated limit would need more than its
    /// 200 digits; `limit --max-moment 4 --precision 1024` used to fail with "digits must be
    /// between 1 and 200". It now extrapolates at 200 digits and agrees with the 128-bit value
    /// within the stated error.
    @Test("an extrapolated limit at 1024 bits is computed (the expansion's digits are capped) and agrees with 128 bits")
    func extrapolationAtHighPrecision() throws {
        let high = try NormalizedMomentLimit(order: 3, sigma2: 2, lambda: q("1/2"), inputRatio: 2, precision: 1024)
        let low = try NormalizedMomentLimit(order: 3, sigma2: 2, lambda: q("1/2"), inputRatio: 2, precision: 128)
        guard case .extrapolated(let errorHigh) = high.source, case .extrapolated(let errorLow) = low.source else {
            Issue.record("expected extrapolated limits")
            return
        }
        let difference = (BigFloat(high.value, precision: 1024) - BigFloat(low.value, precision: 1024)).magnitude()
        #expect(difference <= BigFloat(errorHigh, precision: 1024) + BigFloat(errorLow, precision: 1024))
    }

    @Test("the extrapolation cost model grows with the order and is zero where nothing is extrapolated")
    func extrapolationCost() {
        let costs = (3...8).map { NormalizedMomentLimit.extrapolationSeconds(order: $0, precision: 128) }
        #expect(zip(costs, costs.dropFirst()).allSatisfy { $0 < $1 })
        #expect(NormalizedMomentLimit.extrapolationSeconds(order: 8, precision: 1024) >= costs[5])
        #expect(NormalizedMomentLimit.extrapolationSeconds(order: 2, precision: 128) == 0)
    }
}
