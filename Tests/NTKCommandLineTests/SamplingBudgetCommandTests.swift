import Foundation
import Testing
@testable import NTKCommandLine

/// Cost estimates before a Monte Carlo run: refusals happen before any network is allocated or
/// any reference computed, with exit 2 and one line naming the flag that raises the limit.
@Suite("Monte Carlo commands refuse runs that cannot fit their budget")
struct SamplingBudgetCommandTests {
    @Test("validate at width 100000, depth 1000 with --max-seconds 5 is refused at once, naming --max-seconds")
    func hugeValidateIsRefused() {
        let r = ntk("validate --width 100000 --depth 1000 --sigma2 2 --samples 10 --max-seconds 5")
        #expect(r.isCleanRefusal, "\(r.code) \(r.stderr)")
        #expect(r.stderr.contains("one network would take about"))
        #expect(r.stderr.contains("raise --max-seconds"))
    }

    @Test("offdiag, step and distribution refuse a single sample longer than --max-seconds", arguments: [
        "offdiag --width 2000 --depth 8 --sigma2 2 --correlation 0.5 --max-seconds 0.01",
        "step --width 1000 --depth 40 --sigma2 2 --learning-rate 0.01 --max-seconds 0.01",
        "distribution --width 10 --depth 1000000 --sigma2 2 --max-seconds 0.01",
        "train --width 300 --depth 20 --train-size 100 --steps 10 --max-seconds 0.01",
    ])
    func singleSampleBeyondBudget(line: String) {
        expectCleanRefusal(line, mentioning: "--max-seconds 0.01; raise --max-seconds")
    }

    @Test("limit, table and kernel refuse, before any work, extrapolations or kernels estimated past --max-seconds", arguments: [
        "limit --max-moment 8 --sigma2 2 --lambda 1 --max-seconds 5",
        "table --moment 8 --max-seconds 30",
        "kernel --width 3 --depth 1000000 --correlation 0.5 --sigma2 2 --max-seconds 0.5",
    ])
    func estimatedExactWorkBeyondBudget(line: String) {
        expectCleanRefusal(line, mentioning: "; raise --max-seconds")
    }

    @Test("a quick run prints no estimate")
    func quickRunsStayQuiet() {
        let r = ntk("validate --width 3 --depth 2 --samples 100 --max-seconds 100000")
        #expect(!r.stderr.contains("estimated"))
    }
}
