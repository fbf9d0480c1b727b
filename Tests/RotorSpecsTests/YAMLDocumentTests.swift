import RotorCore
import Testing
@testable import RotorSpecs

/// rotor's YAML composer over libyaml's events: what it builds, and every way a file is refused.
@Suite("YAML documents")
struct YAMLDocumentTests {
    func parse(_ text: String) -> Result<Node, Diagnostic> {
        YAMLDocument.parse(SourceFile(path: "f.yaml", bytes: Array(text.utf8)))
    }

    func failure(_ text: String) -> String? {
        if case .failure(let diagnostic) = parse(text) { return diagnostic.description }
        return nil
    }

    @Test func buildsScalarsWithStylesAndMarks() throws {
        guard case .mapping(let root) = try parse("a: plain\nb: 'single'\nc: \"dou\\tble\"\nd: |\n  lit\n  eral\ne: [x, y]\n").get() else {
            Issue.record("not a mapping")
            return
        }
        let pairs = root.pairs.map { pair -> (String, Node) in
            guard case .scalar(let key) = pair.key else { return ("?", pair.value) }
            return (key.string, pair.value)
        }
        #expect(pairs.map(\.0) == ["a", "b", "c", "d", "e"])
        guard case .scalar(let c) = pairs[2].1, case .scalar(let d) = pairs[3].1, case .sequence(let e) = pairs[4].1 else {
            Issue.record("wrong kinds")
            return
        }
        #expect(c.string == "dou\tble" && c.style == .doubleQuoted && c.mark == Node.Mark(line: 3, column: 4))
        #expect(d.string == "lit\neral\n" && d.style == .literal)
        #expect(e.items.count == 2 && e.mark == Node.Mark(line: 7, column: 4))
    }

    @Test func aliasesShareTheAnchoredNode() throws {
        guard case .mapping(let root) = try parse("a: &shared [x, y]\nb: *shared\n").get(),
              case .sequence(let b) = root.pairs[1].value else {
            Issue.record("wrong kinds")
            return
        }
        #expect(b.items.count == 2)
    }

    @Test(arguments: [
        ("a: *nope\n", "f.yaml:1:4: error: invalid YAML: found undefined alias \"nope\""),
        ("a: 1\n---\nb: 2\n", "f.yaml:3:1: error: one YAML document per file, found a second one"),
        ("a: [1, 2\n", "f.yaml:2:1: error: invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence at 1:4)"),
        ("", "f.yaml:1:1: error: file is empty"),
        ("# only a comment\n", "f.yaml:1:1: error: file is empty"),
        ("a: \u{7}\n", "f.yaml:1:1: error: cannot read YAML: control characters are not allowed at byte 3"),
    ])
    func refusals(_ text: String, _ expected: String) {
        #expect(failure(text) == expected)
    }

    @Test func notUTF8() {
        if case .failure(let diagnostic) = YAMLDocument.parse(SourceFile(path: "f.yaml", bytes: [0x61, 0x3A, 0x20, 0xFF, 0x0A])) {
            #expect(diagnostic.message == "file is not valid UTF-8")
        } else {
            Issue.record("accepted")
        }
    }

    @Test func deepNestingIsRefusedNotACrash() {
        // A megabyte of "[" would recurse half a million times.
        let deep = String(repeating: "[", count: 500_000) + String(repeating: "]", count: 500_000)
        #expect(failure(deep) == "f.yaml:1:65: error: lists and mappings nested more than 64 deep; refusing to read it")
        let fine = "a: " + String(repeating: "[", count: 63) + String(repeating: "]", count: 63)
        #expect(failure(fine) == nil)
    }
}

