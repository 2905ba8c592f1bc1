import Foundation
import Testing

// Keeps the derivations in `derivations/*.md` and the test suite in step.
//
// A claim in a derivation that some test verifies carries a label `[check: some-label]`.
// A test verifies the claim when its `@Test("…")` display string contains `check: some-label`.
// These tests read both sides as plain text (no module of the package is imported), and fail
//   * for every derivation label without a test,
//   * for every test label that no derivation uses (a stale test name),
//   * if `derivations/` holds fewer than six derivation files, or
//   * if `derivations/README.md` lists a file that does not exist (or omits one that does).

/// The repository root: the nearest ancestor of this source file (symbolic links resolved,
/// so that packages which link the test directory in still find the real tree) that holds
/// both `Package.swift` and `Tests/`.
private func repositoryRoot() throws -> URL {
    var directory = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
    let fileManager = FileManager.default
    while directory.path != "/" {
        let hasManifest = fileManager.fileExists(atPath: directory.appendingPathComponent("Package.swift").path)
        var isDirectory: ObjCBool = false
        let hasTests = fileManager.fileExists(atPath: directory.appendingPathComponent("Tests").path, isDirectory: &isDirectory)
            && isDirectory.boolValue
        if hasManifest && hasTests { return directory }
        directory = directory.deletingLastPathComponent()
    }
    throw LabelScanError(description: "no ancestor of \(#filePath) holds Package.swift and Tests/")
}

private struct LabelScanError: Error, CustomStringConvertible {
    let description: String
}

/// Every match of capture group 1 of `pattern` in `text`.
private func captures(of pattern: String, in text: String) -> [String] {
    let regex = try! NSRegularExpression(pattern: pattern)
    let range = NSRange(text.startIndex..<text.endIndex, in: text)
    return regex.matches(in: text, range: range).compactMap { match in
        Range(match.range(at: 1), in: text).map { String(text[$0]) }
    }
}

/// Label syntax: lowercase letters and digits in hyphen-separated words.
private let labelPattern = "[a-z0-9]+(?:-[a-z0-9]+)*"

/// The Markdown files of `derivations/`, sorted by name.
private func derivationFiles(root: URL) throws -> [URL] {
    let directory = root.appendingPathComponent("derivations")
    let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
    return names.filter { $0.hasSuffix(".md") }.sorted().map { directory.appendingPathComponent($0) }
}

/// label → the derivation files that use it.
private func derivationLabels(root: URL) throws -> [String: [String]] {
    var labels: [String: [String]] = [:]
    for file in try derivationFiles(root: root) {
        let text = try String(contentsOf: file, encoding: .utf8)
        for label in captures(of: "\\[check: (\(labelPattern))\\]", in: text) {
            labels[label, default: []].append(file.lastPathComponent)
        }
    }
    return labels
}

/// Every `[check:` in the derivations that is not a well-formed `[check: label]`.
private func malformedDerivationLabels(root: URL) throws -> [String] {
    var malformed: [String] = []
    for file in try derivationFiles(root: root) {
        let text = try String(contentsOf: file, encoding: .utf8)
        let all = captures(of: "(\\[check:[^\\]\\n]*\\]?)", in: text)
        let wellFormed = Set(captures(of: "(\\[check: \(labelPattern)\\])", in: text))
        malformed += all.filter { !wellFormed.contains($0) }.map { "\(file.lastPathComponent): \($0)" }
    }
    return malformed
}

/// Every Swift file under `Tests/`, recursively.
private func testSources(root: URL) -> [URL] {
    let tests = root.appendingPathComponent("Tests")
    guard let enumerator = FileManager.default.enumerator(at: tests, includingPropertiesForKeys: nil) else { return [] }
    var files: [URL] = []
    for case let url as URL in enumerator where url.pathExtension == "swift" {
        files.append(url)
    }
    return files.sorted { $0.path < $1.path }
}

/// The display strings of the `@Test("…")` attributes of a Swift source text: the string
/// literal that opens the attribute's argument list (escaped quotes are honoured).
func testDisplayNames(in source: String) -> [String] {
    var names: [String] = []
    let characters = Array(source)
    let marker = Array("@Test(")
    var index = 0
    while index + marker.count <= characters.count {
        guard Array(characters[index..<index + marker.count]) == marker else {
            index += 1
            continue
        }
        var cursor = index + marker.count
        while cursor < characters.count, characters[cursor].isWhitespace { cursor += 1 }
        guard cursor < characters.count, characters[cursor] == "\"" else {
            index = cursor
            continue
        }
        cursor += 1
        var name = ""
        while cursor < characters.count, characters[cursor] != "\"" {
            if characters[cursor] == "\\", cursor + 1 < characters.count {
                name.append(characters[cursor + 1])
                cursor += 2
            } else {
                name.append(characters[cursor])
                cursor += 1
            }
        }
        names.append(name)
        index = cursor
    }
    return names
}

/// label → the test files whose `@Test` display strings name it.
private func testLabels(root: URL) throws -> [String: [String]] {
    var labels: [String: [String]] = [:]
    for file in testSources(root: root) {
        let source = try String(contentsOf: file, encoding: .utf8)
        for name in testDisplayNames(in: source) {
            for label in captures(of: "check: (\(labelPattern))", in: name) {
                labels[label, default: []].append(file.lastPathComponent)
            }
        }
    }
    return labels
}

@Suite("Derivations and their tests stay in step")
struct DerivationLabelTests {
    @Test("the scanner reads @Test display strings, escapes included, and ignores other strings")
    func scannerSelfCheck() {
        // The attribute is spelled through `at` so that this file's own text holds no
        // labelled @Test for the scan of Tests/ to pick up.
        let at = "@"
        let source = """
            let decoy = "check: not-a-test"
            \(at)Test("check: first-label — a \\"quoted\\" word") func a() {}
            \(at)Test(
                "check: second-label — split line", arguments: [1]) func b(_ x: Int) {}
            \(at)Test func c() {}
            """
        let names = testDisplayNames(in: source)
        #expect(names == ["check: first-label — a \"quoted\" word", "check: second-label — split line"])
    }

    @Test("derivations/ holds at least six derivation files besides README.md")
    func enoughFiles() throws {
        let root = try repositoryRoot()
        let files = try derivationFiles(root: root).map(\.lastPathComponent).filter { $0 != "README.md" }
        #expect(files.count >= 6, "derivations/ has only \(files.count) derivation files: \(files)")
    }

    @Test("every [check: …] in the derivations is well formed")
    func labelsAreWellFormed() throws {
        let malformed = try malformedDerivationLabels(root: try repositoryRoot())
        #expect(malformed.isEmpty, "malformed labels (expected [check: lowercase-words]): \(malformed)")
    }

    @Test("every labelled claim of the derivations has a test naming its label")
    func everyClaimIsTested() throws {
        let root = try repositoryRoot()
        let claimed = try derivationLabels(root: root)
        let tested = try testLabels(root: root)
        #expect(!claimed.isEmpty, "no [check: …] label found in derivations/")
        let untested = claimed.keys.filter { tested[$0] == nil }.sorted()
        let listing = untested.map { "\($0) (in \(claimed[$0]!.joined(separator: ", ")))" }
        #expect(untested.isEmpty, "derivation labels without a test: \(listing.joined(separator: "; "))")
    }

    @Test("every label in a test name is used by some derivation (no stale tests)")
    func noStaleTestLabels() throws {
        let root = try repositoryRoot()
        let claimed = try derivationLabels(root: root)
        let tested = try testLabels(root: root)
        let stale = tested.keys.filter { claimed[$0] == nil }.sorted()
        let listing = stale.map { "\($0) (in \(tested[$0]!.joined(separator: ", ")))" }
        #expect(stale.isEmpty, "test labels no derivation uses: \(listing.joined(separator: "; "))")
    }

    @Test("derivations/README.md lists existing files, and every derivation file")
    func readmeIndexIsComplete() throws {
        let root = try repositoryRoot()
        let directory = root.appendingPathComponent("derivations")
        let readme = try String(contentsOf: directory.appendingPathComponent("README.md"), encoding: .utf8)
        // Relative Markdown link targets, without any #fragment.
        let targets = captures(of: "\\]\\(([^)#\\s]+)(?:#[^)]*)?\\)", in: readme)
            .filter { !$0.contains("://") }
        #expect(!targets.isEmpty, "README.md links to no file")
        for target in targets {
            let path = directory.appendingPathComponent(target).standardizedFileURL.path
            #expect(FileManager.default.fileExists(atPath: path), "README.md lists \(target), which does not exist")
        }
        let listed = Set(targets.map { URL(fileURLWithPath: $0).lastPathComponent })
        for file in try derivationFiles(root: root).map(\.lastPathComponent) where file != "README.md" {
            #expect(listed.contains(file), "README.md does not list \(file)")
        }
    }
}
