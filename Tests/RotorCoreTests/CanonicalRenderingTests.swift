import Foundation
import Testing
@testable import RotorCore

/// The exact bytes rotor writes for version files. Existing repositories hold these bytes: a
/// renderer that changed a single one would rewrite every file on the next apply.
@Suite("Canonical version files: exact bytes")
struct CanonicalRenderingTests {
    static let armored = "-----BEGIN PGP MESSAGE-----\r\n\r\nhF4DAAAAAAAAAAA=\r\n-----END PGP MESSAGE-----\r\n\r\n\r\n"
    static let t0 = RFC3339.parse("2027-01-01T00:00:00Z")!

    @Test func secretVersionFile() {
        let file = VersionFile(secret: SecretID(project: "p", name: "n"), versions: [
            SecretVersion(id: "a", version: 1, state: .grace, createdAt: Self.t0.addingTimeInterval(-86_400 * 365 * 60), createdBy: "rotor",
                          rotatedFrom: nil, rotationReason: "new", graceExpiresAt: Self.t0.addingTimeInterval(3_723.9), source: .generated,
                          sourceDigest: nil, recipients: [], valueEncrypted: Self.armored),
            SecretVersion(id: "b", version: 12, state: .active, createdAt: Self.t0, createdBy: "a \"q\" \\ é\u{1}\u{7F}", rotatedFrom: 1,
                          rotationReason: "line\nbreak\ttab\r", graceExpiresAt: nil, source: .external, sourceDigest: "sha256:x",
                          recipients: ["0123456789ABCDEF0123456789ABCDEF01234567", "1, \"2\""], valueEncrypted: Self.armored),
        ])
        let expected = #"""
        # Written by rotor: do not edit. Each value is a PGP message; `rotor history` explains the fields.
        apiVersion: rotor.dev/v1
        kind: SecretVersions
        metadata:
          project: "p"
          name: "n"
        versions:
          - id: "b"
            version: 12
            state: active
            createdAt: "2027-01-01T00:00:00Z"
            createdBy: "a \"q\" \\ é\u0001\u007F"
            rotatedFrom: 1
            rotationReason: "line\nbreak\ttab\r"
            source: external
            sourceDigest: "sha256:x"
            recipients: ["0123456789ABCDEF0123456789ABCDEF01234567", "1, \"2\""]
            value: |
              -----BEGIN PGP MESSAGE-----

              hF4DAAAAAAAAAAA=
              -----END PGP MESSAGE-----
          - id: "a"
            version: 1
            state: grace
            createdAt: "1967-01-16T00:00:00Z"
            createdBy: "rotor"
            rotationReason: "new"
            graceExpiresAt: "2027-01-01T01:02:03Z"
            source: generated
            recipients: []
            value: |
              -----BEGIN PGP MESSAGE-----

              hF4DAAAAAAAAAAA=
              -----END PGP MESSAGE-----

        """#
        #expect(file.canonicalText() == expected)
        #expect(file.canonicalBytes() == Array(expected.utf8))
    }

    @Test func apiKeyVersionFile() {
        let file = KeyVersionFile(key: SecretID(project: "p", name: "k"), versions: [
            KeyVersion(id: "a", version: 1, state: .revoked, type: .serviceRole, scopes: [], createdAt: Self.t0, createdBy: "rotor",
                       rotatedFrom: nil, rotatedTo: "b", rotationReason: "new", expiresAt: Self.t0, endedAt: Self.t0.addingTimeInterval(60),
                       revokeReason: "leaked \"here\"", hash: "sha256:h1", hint: "rk_…1", recipients: ["F1"], valueEncrypted: nil),
            KeyVersion(id: "b", version: 2, state: .active, type: .public, scopes: ["read", "write:all"], createdAt: Self.t0, createdBy: "alice",
                       rotatedFrom: 1, rotatedTo: nil, rotationReason: "schedule", expiresAt: nil, endedAt: nil, revokeReason: nil,
                       hash: "sha256:h2", hint: "pk_…2", recipients: ["F1", "F2"], valueEncrypted: Self.armored),
        ])
        let expected = #"""
        # Written by rotor: do not edit. Each value is a PGP message; `rotor history` explains the fields.
        apiVersion: rotor.dev/v1
        kind: ApiKeyVersions
        metadata:
          project: "p"
          name: "k"
        versions:
          - id: "b"
            version: 2
            state: active
            type: public
            scopes: ["read", "write:all"]
            createdAt: "2027-01-01T00:00:00Z"
            createdBy: "alice"
            rotatedFrom: 1
            rotationReason: "schedule"
            hash: "sha256:h2"
            hint: "pk_…2"
            recipients: ["F1", "F2"]
            value: |
              -----BEGIN PGP MESSAGE-----

              hF4DAAAAAAAAAAA=
              -----END PGP MESSAGE-----
          - id: "a"
            version: 1
            state: revoked
            type: service_role
            scopes: []
            createdAt: "2027-01-01T00:00:00Z"
            createdBy: "rotor"
            rotatedTo: "b"
            rotationReason: "new"
            expiresAt: "2027-01-01T00:00:00Z"
            endedAt: "2027-01-01T00:01:00Z"
            revokeReason: "leaked \"here\""
            hash: "sha256:h1"
            hint: "rk_…1"
            recipients: ["F1"]

        """#
        #expect(file.canonicalText() == expected)
    }

    @Test func quotingEscapesExactlyTheControlCharactersQuotesAndBackslashes() {
        #expect(YAMLQuoting.doubleQuoted("") == "\"\"")
        #expect(YAMLQuoting.doubleQuoted("plain é ✓ 🙂") == "\"plain é ✓ 🙂\"")
        #expect(YAMLQuoting.doubleQuoted("\u{0}\u{1F}\u{20}\u{7F}\u{80}") == "\"\\u0000\\u001F \\u007F\u{80}\"")
        #expect(RFC3339.format(Date(timeIntervalSince1970: -1)) == "1969-12-31T23:59:59Z")
        #expect(VersionFile.canonicalArmor(Self.armored) == "-----BEGIN PGP MESSAGE-----\n\nhF4DAAAAAAAAAAA=\n-----END PGP MESSAGE-----\n")
        #expect(VersionFile.canonicalArmor("a\r\n\r\nb") == "a\n\nb\n")
        #expect(VersionFile.canonicalArmor("\n\n") == "\n")
    }
}
