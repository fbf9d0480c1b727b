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
                          sourceDigest: nil, recipients: ["0123456789ABCDEF0123456789ABCDEF01234567"], valueEncrypted: Self.armored),
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
                          valueEncrypted: Self.armored),
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

    @Test func bothReadersAgreeWhenTheFastOneDeclines() {
        // A hand-edited but valid file: the YAML path still reads it, with the same meaning.
        let text = file().canonicalText().replacingOccurrences(of: "createdBy: \"rotor\"", with: "createdBy: rotor")
        let (parsed, diagnostics) = VersionFileParser.parse(files: [SourceFile(path: "versions/p/n.yaml", bytes: Array(text.utf8))])
        #expect(diagnostics.isEmpty)
        #expect(parsed[SecretID(project: "p", name: "n")] == file())
    }
}
