import Foundation
import Testing
@testable import RotorCore
@testable import RotorSpecs

@Suite("Version files")
struct VersionFileParserTests {
    static let armored = "-----BEGIN PGP MESSAGE-----\nComment: test\n\nhF4DAAAAAAAAAAA=\n-----END PGP MESSAGE-----\n"

    @Test func canonicalTextParsesBackToTheSameVersions() throws {
        let secret = SecretID(project: "payments", name: "db")
        let t0 = RFC3339.parse("2027-01-01T00:00:00Z")!
        let versions = [
            SecretVersion(id: "b", version: 2, state: .active, createdAt: t0, createdBy: "alice <a@x>", rotatedFrom: 1,
                          rotationReason: "leaked: \"quotes\" and \\ back\nslash", graceExpiresAt: nil, source: .generated,
                          sourceDigest: nil, recipients: ["0123456789ABCDEF0123456789ABCDEF01234567"], valueEncrypted: Self.armored,
                          rolledBackTo: 1),
            SecretVersion(id: "a", version: 1, state: .grace, createdAt: t0.addingTimeInterval(-86_400), createdBy: "rotor", rotatedFrom: nil,
                          rotationReason: "new secret", graceExpiresAt: t0.addingTimeInterval(86_400), source: .external,
                          sourceDigest: "sha256:abc", recipients: ["0123456789ABCDEF0123456789ABCDEF01234567"], valueEncrypted: Self.armored),
        ]
        let file = VersionFile(secret: secret, versions: versions)
        let text = file.canonicalText()
        let (parsed, diagnostics) = VersionFileParser.parse(files: [SourceFile(path: "versions/payments/db.yaml", bytes: Array(text.utf8))])
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        #expect(parsed[secret] == file)
        // Same input, same bytes.
        #expect(parsed[secret]?.canonicalText() == text)
    }

    @Test func handEditedGarbageIsReported() {
        let (_, diagnostics) = VersionFileParser.parse(files: [
            SourceFile(path: "versions/payments/db.yaml", bytes: Array("apiVersion: rotor.dev/v1\nkind: SecretVersions\nmetadata: {project: payments, name: db}\nversions:\n  - id: x\n    version: 1\n    state: active\n    createdAt: \"2027-01-01T00:00:00Z\"\n    source: generated\n    value: plaintext\n".utf8)),
            SourceFile(path: "versions/../evil.yaml", bytes: []),
        ])
        #expect(diagnostics.contains { $0.description.hasPrefix("versions/payments/db.yaml:10:12: error: value must be an ASCII-armored PGP message") })
        #expect(diagnostics.contains { $0.message.contains("unexpected file under versions/") })
    }

    @Test func aRollbackNamesAnEarlierVersion() {
        // Given a version that says it carries the value of itself (only a hand could write it)
        let t0 = RFC3339.parse("2027-01-01T00:00:00Z")!
        let file = VersionFile(secret: SecretID(project: "payments", name: "db"), versions: [
            SecretVersion(id: "b", version: 2, state: .active, createdAt: t0, createdBy: "alice", rotatedFrom: 1,
                          rotationReason: "rollback to v1: bad deploy", graceExpiresAt: nil, source: .generated, sourceDigest: nil,
                          recipients: [], valueEncrypted: Self.armored, rolledBackTo: 2),
        ])
        // When it is read, then the fast reader declines it and the YAML path says where
        #expect(CanonicalVersionFile.parse(file.canonicalBytes()) == nil)
        let (_, diagnostics) = VersionFileParser.parse(files: [SourceFile(path: "versions/payments/db.yaml", bytes: file.canonicalBytes())])
        #expect(diagnostics.map(\.description).contains { $0.hasPrefix("versions/payments/db.yaml:15:19: error: rolledBackTo must name an earlier version than 2") }, "\(diagnostics)")
    }
}

@Suite("Version files: the canonical fast reader")
struct CanonicalVersionFileTests {
    static let armored = "-----BEGIN PGP MESSAGE-----\n\nhF4DAAAAAAAAAAA=\n-----END PGP MESSAGE-----\n"

    func file() -> VersionFile {
        let t0 = RFC3339.parse("2027-01-01T00:00:00Z")!
        return VersionFile(secret: SecretID(project: "p", name: "n"), versions: [
            SecretVersion(id: "b", version: 2, state: .active, createdAt: t0, createdBy: "a \"q\" \\ é\u{1}", rotatedFrom: 1,
                          rotationReason: "line\nbreak\ttab", graceExpiresAt: nil, source: .external, sourceDigest: "sha256:x",
                          recipients: ["0123456789ABCDEF0123456789ABCDEF01234567", "1123456789ABCDEF0123456789ABCDEF01234567"],
                          valueEncrypted: Self.armored, rolledBackTo: 1),
            SecretVersion(id: "a", version: 1, state: .grace, createdAt: t0, createdBy: "rotor", rotatedFrom: nil, rotationReason: "new",
                          graceExpiresAt: t0, source: .generated, sourceDigest: nil, recipients: [], valueEncrypted: Self.armored),
        ])
    }

    @Test func readsWhatRotorWrites() {
        let expected = file()
        #expect(CanonicalVersionFile.parse(Array(expected.canonicalText().utf8)) == expected)
    }

    @Test(arguments: [("# edited\n", "\n"), ("state: active", "state:  active"), ("version: 2", "version: 02"),
                      ("    value: |", "    value: |-"), ("\"rotor\"", "rotor")])
    func anythingElseFallsBackToYAML(_ from: String, _ to: String) {
        var text = file().canonicalText()
        if from == "# edited\n" { text = from + text } else { text = text.replacingOccurrences(of: from, with: to) }
        #expect(CanonicalVersionFile.parse(Array(text.utf8)) == nil)
    }

    @Test(arguments: ["\t", " ", "\t "])
    func anArmorWhoseFirstLineStartsWithWhitespaceIsLeftToYAML(_ lead: String) {
        // (Found by the random test below: libyaml refuses a tab where a block's indentation is read.)
        var versions = file().versions
        versions[0].valueEncrypted = lead + Self.armored
        let text = VersionFile(secret: SecretID(project: "p", name: "n"), versions: versions).canonicalText()
        #expect(CanonicalVersionFile.parse(Array(text.utf8)) == nil)
    }

    @Test func bothReadersAgreeWhenTheFastOneDeclines() {
        // A hand-edited but valid file: the YAML path still reads it, with the same meaning.
        let text = file().canonicalText().replacingOccurrences(of: "createdBy: \"rotor\"", with: "createdBy: rotor")
        let (parsed, diagnostics) = VersionFileParser.parse(files: [SourceFile(path: "versions/p/n.yaml", bytes: Array(text.utf8))])
        #expect(diagnostics.isEmpty)
        #expect(parsed[SecretID(project: "p", name: "n")] == file())
    }

    /// Random files: the fast reader reads back exactly what was rendered; and after a random
    /// edit it either declines or agrees with the YAML reader (it must never read a meaning
    /// the YAML reader would not).
    @Test func randomFilesAndRandomEditsNeverDisagreeWithYAML() {
        var random = SystemRandomNumberGenerator()
        let alphabet = Array("ab \"\\\n\t\r\u{1}\u{7F}é✓🙂:,[]#-'{}|>&*!%@`")
        func text() -> String { String((0..<Int.random(in: 0...8, using: &random)).map { _ in alphabet.randomElement(using: &random)! }) }
        // Mostly what rotor writes, sometimes what only a hand could (the fast reader must decline those).
        func recipient() -> String {
            let fingerprint = String((0..<40).map { _ in "0123456789ABCDEF".randomElement(using: &random)! })
            return Int.random(in: 0..<10, using: &random) == 0 ? [text(), fingerprint.lowercased()].randomElement(using: &random)! : fingerprint
        }
        var declined = 0
        for round in 0..<1_000 {
            let t0 = Date(timeIntervalSince1970: Double(Int.random(in: 0...4_000_000_000, using: &random)))
            let versions = (1...Int.random(in: 1...3, using: &random)).map { number in
                SecretVersion(id: text(), version: number, state: number == 1 ? .active : .grace, createdAt: t0, createdBy: text(),
                              rotatedFrom: Bool.random(using: &random) ? number - 1 : nil, rotationReason: text(),
                              graceExpiresAt: number > 1 || Bool.random(using: &random) ? t0.addingTimeInterval(86_400) : nil,
                              source: Bool.random(using: &random) ? .generated : .external,
                              sourceDigest: Bool.random(using: &random) ? text() : nil,
                              recipients: (0..<Int.random(in: 0...3, using: &random)).map { _ in recipient() }, valueEncrypted: Self.armored,
                              rolledBackTo: number > 1 && Bool.random(using: &random) ? Int.random(in: 1...number, using: &random) : nil)
            }
            let file = VersionFile(secret: SecretID(project: "p", name: "n"), versions: versions)
            var bytes = file.canonicalBytes()
            let valid = file.versions.allSatisfy { version in
                version.rotatedFrom != 0 && version.rolledBackTo.map { $0 < version.version } != false
                    && version.recipients.allSatisfy { OpenPGPArmor.normalizeFingerprint($0) == $0 }
            }
            #expect(CanonicalVersionFile.parse(bytes) == (valid ? file : nil), "round \(round)")
            // One random edit: a changed, inserted or deleted byte.
            let index = Int.random(in: 0..<bytes.count, using: &random)
            switch Int.random(in: 0..<3, using: &random) {
            case 0: bytes[index] = Array(" \"\\n:-#\t0a".utf8).randomElement(using: &random)!
            case 1: bytes.insert(Array(" \"\\n:-#\t0a".utf8).randomElement(using: &random)!, at: index)
            default: bytes.remove(at: index)
            }
            guard let fast = CanonicalVersionFile.parse(bytes) else {
                declined += 1
                continue
            }
            let sink = DiagnosticSink()
            #expect(VersionFileParser.parse(SourceFile(path: "versions/p/n.yaml", bytes: bytes), sink: sink) == fast, "round \(round)")
            #expect(sink.diagnostics.isEmpty, "round \(round): \(sink.diagnostics)")
        }
        #expect(declined > 500)
    }
}

