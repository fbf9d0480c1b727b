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
