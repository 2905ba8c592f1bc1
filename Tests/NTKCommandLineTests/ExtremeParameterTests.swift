import Foundation
import Testing
@testable import NTKCommandLine

/// Extreme but valid parameters: a correct result (checked against hand-derived values) or a
/// clean refusal that names the limit — never nan, inf or a wrong number.
@Suite("Extreme parameters")
struct ExtremeParameterTests {

    /// A decimal as printed by ntk, as (mantissa in [1, 10), power of ten): exponents beyond
    /// Double's range stay exact.
    struct Decimal10: CustomStringConvertible {
        var mantissa: Double
        var exponent: Int
        init?(_ text: String) {
            let parts = text.lowercased().split(separator: "e", omittingEmptySubsequences: false)
            guard parts.count <= 2, let m = Double(parts[0]), m.isFinite else { return nil }
            var e = parts.count == 2 ? (Int(parts[1].replacingOccurrences(of: "+", with: "")) ?? Int.min) : 0
            guard e != Int.min else { return nil }
            var mm = m
            while abs(mm) >= 10 { mm /= 10; e += 1 }
            while mm != 0 && abs(mm) < 1 { mm *= 10; e -= 1 }
            mantissa = mm
            exponent = e
        }
        init(_ value: Double) {
            precondition(value.isFinite, "reference values must be finite")
            self.init("\(value)")!
        }
        var description: String { "\(mantissa)e\(exponent)" }

        /// |a/b − 1| ≤ tolerance.
        func agrees(with b: Decimal10, to tolerance: Double) -> Bool {
            if mantissa == 0 || b.mantissa == 0 { return mantissa == b.mantissa }
            let shift = exponent - b.exponent
            guard abs(shift) <= 1 else { return false }
            let ratio = mantissa / b.mantissa * pow(10, Double(shift))
            return abs(ratio - 1) <= tolerance
        }
    }

    /// Runs `moments … --format json` and returns the parsed object (exit 0), or nil after
    /// checking that the run was a clean refusal mentioning `limitHint`.
    func moments(_ args: [String], refusalMentions limitHint: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) -> [String: Any]? {
        let r = ntk(["moments"] + args + ["--format", "json"])
        if r.code == 2 {
            #expect(r.isCleanRefusal, "\(args): \(r)", sourceLocation: sourceLocation)
            if let limitHint { #expect(r.stderr.contains(limitHint), "\(args): \(r.stderr)", sourceLocation: sourceLocation) }
            #expect(limitHint != nil, "unexpected refusal of \(args): \(r.stderr)", sourceLocation: sourceLocation)
            return nil
        }
        #expect(r.code == 0, "\(args): \(r)", sourceLocation: sourceLocation)
        #expect(r.stderr.isEmpty, sourceLocation: sourceLocation)
        #expect(!r.stdout.contains("nan") && !r.stdout.contains("inf"), "\(args): \(r.stdout)", sourceLocation: sourceLocation)
        let json = try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        #expect(json != nil, "\(args): output is not JSON", sourceLocation: sourceLocation)
        return json
    }

    /// A real under the JSON contract (docs/json.md): its guaranteed digits when the double
    /// does not hold them, else the double.
    func number(_ json: [String: Any]?, _ key: String) -> Decimal10? {
        if let digits = (json?[key + "_decimal"] ?? json?[key]) as? String { return Decimal10(digits) }
        return (json?[key] as? NSNumber).flatMap { Decimal10("\($0.doubleValue)") }
    }

    static let modes: [[String]] = [[], ["--double"], ["--certified"], ["--exact"]]

    /// Widths n0 = 1, n1 = 1 (L = 2), worked by hand from the network (derivations/03):
    /// Θ = φ(h)² + β + (X + β)·w₂²·1{h > 0} with h = w₁√X, w₁, w₂ ~ N(0, s). Hence
    /// E[Θ] = sX/2 + β + (X+β)s/2 and, with c = X + β,
    /// E[Θ²] = 3s²X²/2 + β² + 3c²s²/2 + βsX + c·s²X + βcs.
    static func widthOne(s: Double, x: Double, beta: Double) -> (Double, Double) {
        let c = x + beta
        let mean = s * x / 2 + beta + c * s / 2
        let second = 3 * s * s * x * x / 2 + beta * beta + 3 * c * c * s * s / 2 + beta * s * x + c * s * s * x + beta * c * s
        return (mean, second)
    }

    @Test("width-one hidden layer matches the hand calculation for σ² from 1e-100 to 1e100",
          arguments: ["1e-100", "1e-30", "1e-3", "5/2", "1e3", "1e30", "1e100"])
    func widthOneNetwork(sigma2: String) throws {
        let s = try #require(Double(sigma2.contains("/") ? "2.5" : sigma2))
        for (x, xText) in [(1.0, "1"), (3.0, "3"), (0.0, "0")] {
            for biases in [true, false] {
                let (mean, second) = Self.widthOne(s: s, x: x, beta: biases ? 1 : 0)
                for mode in Self.modes {
                    let args = ["--widths", "1,1", "--sigma2", sigma2, "--input-norm2", xText] + (biases ? [] : ["--no-bias"]) + mode
                    // ‖x‖² = 0: ReLU'(0) = 0 kills the network, Θ = β.
                    let expectedMean = x == 0 ? (biases ? 1.0 : 0) : mean
                    let expectedSecond = x == 0 ? (biases ? 1.0 : 0) : second
                    guard let json = moments(args, refusalMentions: mode == ["--double"] ? "1e-30 to 1e30" : nil) else { continue }
                    let tolerance = 1e-14  // the reference itself is evaluated in Double
                    for (key, value) in [("E_theta", expectedMean), ("E_theta2", expectedSecond)] {
                        let got = try #require(number(json, key), "\(args) \(key)")
                        #expect(got.agrees(with: Decimal10(value), to: tolerance), "\(args) \(key): \(got) vs \(value)")
                    }
                    if expectedMean == 0 { #expect(json["ratio"] is NSNull, "\(args)") }
                }
            }
        }
    }

    @Test("exact mode gives the hand-computed fractions for widths 1,1")
    func widthOneExact() {
        // s = 5/2, X = 3, β = 1: E[Θ] = 15/4 + 1 + 5 = 39/4;
        // E[Θ²] = 675/8 + 1 + 150 + 15/2 + 75 + 10 = 2623/8.
        let json = moments(["--widths", "1,1", "--sigma2", "5/2", "--input-norm2", "3", "--exact"])
        #expect(json?["E_theta_exact"] as? String == "39/4")
        #expect(json?["E_theta2_exact"] as? String == "2623/8")
        #expect(json?["p_dead_exact"] as? String == "1/2")
    }

    @Test("depth 1: Θ = ‖x‖² + β exactly, for extreme σ² and ‖x‖²",
          arguments: ["1e-100", "1", "1e100"])
    func depthOne(sigma2: String) throws {
        // (‖x‖² + β)² = 1e600 for ‖x‖² = 1e300 is beyond Double: given as text.
        for (x, xText, squareText) in [(0.0, "0", "1"), (1.0, "1", "4"), (1e300, "1e300", "1e600")] {
            for mode in Self.modes {
                let args = ["--width", "7", "--depth", "1", "--sigma2", sigma2, "--input-norm2", xText] + mode
                guard let json = moments(args, refusalMentions: mode == ["--double"] ? "1e-30 to 1e30" : nil) else { continue }
                let got = try #require(number(json, "E_theta"))
                #expect(got.agrees(with: Decimal10(x + 1), to: 1e-15), "\(args): \(got)")
                let second = try #require(number(json, "E_theta2"))
                #expect(second.agrees(with: Decimal10(squareText)!, to: 1e-15), "\(args): \(second)")
                if mode == ["--certified"] {
                    // E[Θ²] − E[Θ]² cancels completely; the enclosure must still contain 0.
                    let lower = try #require(number(json, "variance_lower")), upper = try #require(number(json, "variance_upper"))
                    #expect(lower.mantissa <= 0 && upper.mantissa >= 0, "\(args): [\(lower), \(upper)]")
                } else {
                    #expect(number(json, "variance")?.mantissa == 0, "\(args)")
                }
                #expect(number(json, "ratio").map { $0.agrees(with: Decimal10(1.0), to: 1e-15) } == true, "\(args)")
            }
        }
    }

    @Test("‖x‖² = 0 with depth ≥ 2: Θ = β")
    func zeroInput() {
        for mode in Self.modes {
            for sigma2 in ["1e-100", "2", "1e100"] {
                let json = moments(["--width", "5", "--depth", "4", "--sigma2", sigma2, "--input-norm2", "0"] + mode,
                                   refusalMentions: mode == ["--double"] ? "1e-30 to 1e30" : nil)
                guard let json else { continue }
                #expect(number(json, "E_theta").map { $0.agrees(with: Decimal10(1.0), to: 1e-15) } == true)
                #expect(number(json, "E_theta2").map { $0.agrees(with: Decimal10(1.0), to: 1e-15) } == true)
            }
        }
    }

    @Test("width 10^12: the mean is the mean-field value and the dispersion is 1 + O(L/M)")
    func hugeWidth() throws {
        // derivations/03, mean in closed form, with n_j = n0 = M and 2^{−M} = 0:
        // E[Θ] = X·L·(σ²/2)^{L−1} + β·Σ_{k<L} (σ²/2)^k; at σ² = 2, X = 1: 2L.
        for mode in [[], ["--double"], ["--certified"]] {
            for (depth, sigma2, expected) in [(3, "2", 6.0), (5, "2", 10.0), (4, "3", 4 * 1.5 * 1.5 * 1.5 + (1 + 1.5 + 2.25 + 3.375))] {
                let json = try #require(moments(["--width", "1000000000000", "--depth", "\(depth)", "--sigma2", sigma2] + mode))
                let mean = try #require(number(json, "E_theta"))
                #expect(mean.agrees(with: Decimal10(expected), to: 1e-14), "\(mode) L=\(depth): \(mean)")
                let ratio = try #require(number(json, "ratio"))
                let excess = ratio.mantissa * pow(10, Double(ratio.exponent)) - 1
                #expect(excess > 0 && excess < 1e-9, "\(mode) L=\(depth): ratio \(ratio)")
            }
        }
        let exact = ntk(["moments", "--width", "1000000000000", "--depth", "3", "--sigma2", "2", "--exact"])
        #expect(exact.isCleanRefusal && exact.stderr.contains("limit 200000") && exact.stderr.contains("--max-digits"))
    }

    @Test("σ² = 1e100 against 1e99: E[Θ] scales as (σ²)^{L−1}", arguments: [2, 3, 6])
    func sigmaScaling(depth: Int) throws {
        for mode in [[], ["--certified"]] {
            let big = try #require(moments(["--width", "3", "--depth", "\(depth)", "--sigma2", "1e100"] + mode))
            let small = try #require(moments(["--width", "3", "--depth", "\(depth)", "--sigma2", "1e99"] + mode))
            let a = try #require(number(big, "E_theta")), b = try #require(number(small, "E_theta"))
            // Lower powers of σ² (biases) contribute relatively 1e-99.
            #expect(a.exponent - b.exponent == depth - 1, "\(a) vs \(b)")
            #expect(abs(a.mantissa / b.mantissa - 1) < 1e-10, "\(a) vs \(b)")
        }
        let double = ntk(["moments", "--width", "3", "--depth", "\(depth)", "--sigma2", "1e100", "--double"])
        #expect(double.isCleanRefusal && double.stderr.contains("--sigma2") && double.stderr.contains("1e30"), "\(double)")
    }

    @Test("depth 10^9 at constant width: finite, correct mean, every digit --double prints agrees with MPFR")
    func billionLayers() throws {
        let L = 1_000_000_000.0
        // σ² = 2, M = 100: E[Θ] = L·X + β·Σ_l Π_{j<l}(1 − 2^{−100}) + β·P(dead) = 2L up to L²·2^{−100}.
        // σ² = 3/2: E[Θ] = β·Σ_k (3/4)^k + (negligible) = 4.
        for (sigma2, expectedMean) in [("2", 2 * L), ("1.5", 4.0), ("2.5", nil as Double?)] {
            let args = ["--width", "100", "--depth", "1000000000", "--sigma2", sigma2]
            let mpfr = try #require(moments(args))
            let double = try #require(moments(args + ["--double"]))
            let certified = try #require(moments(args + ["--certified"]))
            for key in ["E_theta", "E_theta2", "ratio"] {
                let m = try #require(number(mpfr, key)), d = try #require(number(double, key)), c = try #require(number(certified, key))
                // The a-priori bound at L = 10⁹ guarantees 4–5 digits; those must be MPFR's, rounded.
                let shown = try #require((double[key + "_digits"] as? NSNumber)?.intValue)
                #expect(shown >= 4, "σ²=\(sigma2) \(key): \(shown) digits")
                #expect(d.agrees(with: m, to: 0.5 * pow(10, Double(1 - shown))), "σ²=\(sigma2) \(key): double \(d) vs MPFR \(m)")
                #expect(c.agrees(with: m, to: 1e-15), "σ²=\(sigma2) \(key): certified \(c) vs MPFR \(m)")
            }
            if let expectedMean {
                #expect(try #require(number(mpfr, "E_theta")).agrees(with: Decimal10(expectedMean), to: 1e-15), "σ²=\(sigma2)")
            }
            let exact = ntk(["moments"] + args + ["--exact"])
            #expect(exact.isCleanRefusal && exact.stderr.contains("--max-digits"))
        }
        // Width 1: dead with probability 1 − 2^{−(L−1)}, so E[Θ] = β up to 2^{−10⁹}·(…).
        for mode in [[], ["--double"]] {
            let json = try #require(moments(["--width", "1", "--depth", "1000000000", "--sigma2", "1.5"] + mode))
            #expect(try #require(number(json, "E_theta")).agrees(with: Decimal10(1.0), to: 1e-15), "\(mode)")
        }
    }

    @Test("--exact estimates the size of its rationals and refuses beyond --max-digits")
    func exactRefusal() {
        let big = ntk(["moments", "--width", "1000", "--depth", "1000", "--sigma2", "2", "--exact"])
        #expect(big.isCleanRefusal && big.stderr.contains("limit 200000"))
        let small = ntk(["moments", "--widths", "1,1", "--sigma2", "2", "--exact", "--max-digits", "10"])
        #expect(small.isCleanRefusal && small.stderr.contains("limit 10"), "\(small)")
        let raised = ntk(["moments", "--widths", "1,1", "--sigma2", "2", "--exact", "--max-digits", "1000"])
        #expect(raised.code == 0)
    }

    // MARK: ntk limit

    func limit(_ lambda: String, _ sigma2: String, _ extra: [String] = []) throws -> [String: Any] {
        let r = ntk(["limit", "--lambda", lambda, "--sigma2", sigma2, "--format", "json"] + extra)
        #expect(r.code == 0 && r.stderr.isEmpty, "\(lambda), \(sigma2): \(r)")
        #expect(!r.stdout.contains("nan") && !r.stdout.contains("inf"), "\(r.stdout)")
        return try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    }

    @Test("limit: λ from 1e-30 to 50 in every phase gives finite values ≥ 1",
          arguments: ["1e-30", "1e-10", "0.5", "1", "50"])
    func limitRange(lambda: String) throws {
        for sigma2 in ["1e-100", "1.5", "2", "2.5", "1e100"] {
            let json = try limit(lambda, sigma2)
            for key in ["exact", "gi", "published"] {
                let v = try #require(number(json, key), "\(lambda) \(sigma2) \(key)")
                #expect(v.exponent >= 0 && v.mantissa >= 1, "R ≥ 1: \(lambda) \(sigma2) \(key) = \(v)")
                if lambda == "1e-30" { #expect(v.agrees(with: Decimal10(1.0), to: 1e-25), "λ → 0 gives R → 1: \(v)") }
            }
        }
    }

    @Test("limit: chaotic-phase closed forms at λ = 1 and λ = 50, computed by hand in Double")
    func limitValues() throws {
        // F_ww(λ) = [(9λ² + 6λ − 1)e^{5λ} + e^{−λ}]/(27λ²) and F_pub(λ) = e^{5λ}/(2λ)·(1 − (1 − e^{−4λ})/(4λ))
        // (derivations/04 and 05).
        func fww(_ l: Double) -> Double { ((9 * l * l + 6 * l - 1) * exp(5 * l) + exp(-l)) / (27 * l * l) }
        func fpub(_ l: Double) -> Double { exp(5 * l) / (2 * l) * (1 - (1 - exp(-4 * l)) / (4 * l)) }
        for l in [1.0, 50.0] {
            let json = try limit(l == 1 ? "1" : "50", "2.5")
            #expect(try #require(number(json, "exact")).agrees(with: Decimal10(fww(l)), to: 1e-12))
            #expect(try #require(number(json, "published")).agrees(with: Decimal10(fpub(l)), to: 1e-12))
        }
        for bad in ["1e-31", "50.000001", "0", "-1", "nan", "1e999"] {
            let r = ntk(["limit", "--lambda", bad, "--sigma2", "2"])
            #expect(r.isCleanRefusal && r.stderr.contains("--lambda"), "\(bad): \(r)")
        }
    }
}
