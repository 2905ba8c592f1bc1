import Experiments
import Foundation
import NTKOutput

/// `ntk step` output in text or JSON, shared by `run` and `merge`: formatting of a
/// `StepResult`, nothing computed here.
struct StepReport {
    let result: StepResult
    /// Worker threads of a run (nil for merged shards), named in the text header.
    let threads: Int?

    func pm(_ e: MonteCarloEstimate) -> String { "\(estimateText(e.mean)) ± \(estimateText(e.standardError, 2))" }

    var text: String {
        let r = result, seeds = r.seeds
        var out = runHeader(r.network, samples: "\(r.samples)", stop: "stopped by \(r.stoppedBy)", seconds: r.seconds, threads: threads, seeds: seeds)
        out += "step          θ' = θ − η(f − y)∇f on ½(f(x) − y)², y = \(estimateText(r.target)); Monte Carlo estimates ± standard errors\n"
        out += "E[Θ]          \(pm(r.theta)) | exact \(estimateText(r.exactMeanTheta, 8))\n"
        out += "E[fQ]         \(pm(r.fQ)) | exact \(estimateText(r.exactFQ, 8)) (z = \(zScoreText(r.zFQ))); smooth part of E[ΔΘ]/η = −E[fQ]\n"
        for rate in r.rates {
            let scale = rate.scale.map { " (c = \($0))" } ?? ""
            out += "η = \(estimateText(rate.learningRate, 4))\(scale)\n"
            out += "  E[ΔΘ]/η            \(pm(rate.deltaOverEta))   smooth −E[fQ] = \(estimateText(r.exactSmoothDeltaOverEta, 8))\n"
            out += "  kink part          \(pm(rate.kink))\n"
            out += "  E[ΔΘ]/E[Θ]         \(pm(rate.deltaOverMeanTheta))\n"
            out += "  E[|ΔΘ|/Θ]          \(pm(rate.relativeAbsoluteChange))\n"
            out += "  networks crossing  \(pm(rate.crossingFraction)) (fraction with some unit changing sign)\n"
            if let delta = rate.offDiagonalDeltaOverEta, let kink = rate.offDiagonalKink {
                out += "  E[ΔΘ(x,x′)]/η      \(pm(delta)); kink part \(pm(kink))\n"
            }
        }
        if let rho = r.correlation, let theta = r.offDiagonalTheta, let fQ = r.offDiagonalFQ {
            out += "off-diagonal  x′ at correlation ρ = \(estimateText(rho)): E[Θ(x,x′)] = \(pm(theta)); E[fQ′] = \(pm(fQ)) (Q′ = ⟨∇Θ(x,x′), ∇f(x)⟩)\n"
        }
        out += "note          \(StepResult.kinkNote)\n"
        return out
    }

    func emit(_ io: CommandIO, format: ReportFormat) throws {
        if format == .json { io.writeJSON(try JSONValueEncoder().encode(result)) } else { io.write(text) }
    }
}
