import Testing
import NTKOutput

/// A hand-driven clock and a record of everything the progress line emits.
final class ProgressHarness {
    let start = ContinuousClock.now
    var elapsed = Duration.zero
    var emitted: [String] = []

    func makeLine(isTerminal: Bool = true) -> ProgressLine {
        ProgressLine(
            isTerminal: isTerminal, initialDelay: .seconds(1), minimumInterval: .milliseconds(100),
            now: { self.start + self.elapsed }, emit: { self.emitted.append($0) })
    }
}

@Suite struct ProgressLineTests {
    @Test func staysSilentDuringTheInitialDelay() {
        let harness = ProgressHarness()
        let line = harness.makeLine()
        harness.elapsed = .milliseconds(999)
        line.update("early")
        line.finish()
        #expect(harness.emitted.isEmpty)
    }

    @Test func drawsWithCarriageReturnAndEraseAfterTheDelay() {
        let harness = ProgressHarness()
        let line = harness.makeLine()
        harness.elapsed = .seconds(1)
        line.update("depth 3/10")
        #expect(harness.emitted == ["\rdepth 3/10\u{1B}[K"])
    }

    @Test func throttlesToOneRedrawPerInterval() {
        let harness = ProgressHarness()
        let line = harness.makeLine()
        var evaluated = 0
        func status(_ text: String) -> String {
            evaluated += 1
            return text
        }
        harness.elapsed = .milliseconds(1000); line.update(status("a"))
        harness.elapsed = .milliseconds(1050); line.update(status("b"))
        harness.elapsed = .milliseconds(1099); line.update(status("c"))
        harness.elapsed = .milliseconds(1100); line.update(status("d"))
        harness.elapsed = .milliseconds(1150); line.update(status("e"))
        #expect(harness.emitted == ["\ra\u{1B}[K", "\rd\u{1B}[K"])
        // Dropped updates should not even pay for formatting their text.
        #expect(evaluated == 2)
    }

    @Test func finishErasesTheLineOnlyIfSomethingWasDrawn() {
        let harness = ProgressHarness()
        let line = harness.makeLine()
        harness.elapsed = .seconds(2)
        line.update("x")
        line.finish()
        line.finish()
        #expect(harness.emitted == ["\rx\u{1B}[K", "\r\u{1B}[K"])
    }

    @Test func writesNothingWhenStderrIsNotATerminal() {
        let harness = ProgressHarness()
        let line = harness.makeLine(isTerminal: false)
        harness.elapsed = .seconds(5)
        line.update("x")
        line.finish()
        #expect(harness.emitted.isEmpty)
    }
}
