import Experiments
import MonteCarlo
import NTKOutput

/// How `ntk validate run`/`merge` print a `ValidateResult`: the text report or the result's
/// document, then the exit code its verdict asks for.
struct ValidateReport {
    let result: ValidateResult
    /// The worker threads of the run (nil for a merge, whose shards may have used any).
    let threads: Int?

    /// A standard error in text: "undefined" when there is none (fewer than 2 samples).
    func seText(_ se: Double) -> String { se.isFinite ? estimateText(se, 2) : "undefined" }

    var verdictText: String {
        let giText: String
        switch result.giVerdict {
        case .pass: giText = "the GI model is not rejected"
        case .fail: giText = "the GI model is rejected"
        case .inconclusive: giText = "the GI model is neither rejected nor confirmed"
        }
        switch result.verdict {
        case .pass: return "PASS: |z| ≤ \(estimateText(result.zMax, 3)) against the exact recursion; \(giText)"
        case .fail: return "FAIL: |z| > \(estimateText(result.zMax, 3)) against the exact recursion; \(giText)"
        case .inconclusive: return "INCONCLUSIVE: \(result.inconclusiveReason ?? "")"
        }
    }

    var text: String {
        let r = result, m = r.mean, m2 = r.secondMoment
        var out = runHeader(r.network.architecture, samples: "\(r.samples)", stop: "stopped by \(r.stoppedBy.label)", seconds: r.seconds,
                            threads: threads, seeds: r.seeds)
        let zKind = r.usesExactStandardErrors ? "z on the exact s.e." : "z on the sample s.e."
        out += "              Monte Carlo estimate ± sample s.e. | exact recursion (\(zKind)) | gradient independence (z on the sample s.e.)\n"
        out += "E[Θ]          \(estimateText(m.estimate)) ± \(seText(m.standardError)) | \(estimateText(m.exact, 8)) (\(zScoreText(m.z))) | \(estimateText(m.gi, 8)) (\(zScoreText(m.zGI)))\n"
        out += "E[Θ²]         \(estimateText(m2.estimate)) ± \(seText(m2.standardError)) | \(estimateText(m2.exact, 8)) (\(zScoreText(m2.z))) | \(estimateText(m2.gi, 8)) (\(zScoreText(m2.zGI)))\n"
        out += "dispersion    plug-in \(estimateText(r.dispersion)) ± \(seText(r.dispersionStandardError)) (delta method; biased low and optimistic for heavy tails) | exact \(estimateText(r.exactDispersion ?? .nan, 8)) | GI \(estimateText(r.giDispersion ?? .nan, 8))\n"
        if let seMean = m.exactStandardError, let seSecond = m2.exactStandardError {
            func count(_ x: Double?) -> String { x.map { $0 < 1e15 ? "\(Int($0))" : estimateText($0, 3) } ?? "never" }
            out += "exact s.e.    E[Θ] ± \(estimateText(seMean, 2)), E[Θ²] ± \(estimateText(seSecond, 2)) for \(r.samples) samples (from the exact E[Θ²], E[Θ⁴])\n"
            out += "power         samples to tell the exact model from GI at |z| = \(estimateText(r.zMax, 3)): \(count(r.samplesToSeparateByMean)) by E[Θ], \(count(r.samplesToSeparateBySecondMoment)) by E[Θ²]\n"
        }
        out += "verdict       \(verdictText)\n"
        return out
    }

    /// Writes the report, then signals a failed (exit 1) or inconclusive (exit 3) verdict.
    func emit(_ io: CommandIO, format: ReportFormat) throws {
        if format == .json { try io.writeDocument(result) } else { io.write(text) }
        switch result.verdict {
        case .pass: return
        case .fail:
            throw ValidationFailure(description: "z-scores \(zScoreText(result.mean.z)) (E[Θ]) and \(zScoreText(result.secondMoment.z)) (E[Θ²]) against the exact recursion: |z| > \(estimateText(result.zMax, 3))")
        case .inconclusive:
            throw ValidationInconclusive(description: result.inconclusiveReason ?? "")
        }
    }
}
