import Foundation
import Testing
@testable import RotorCrypto

/// Key creation, import, export and lookup.
@Suite struct KeyTests {
    @Test func createdKeyHasSigningPrimaryAndEncryptionSubkey() throws {
        let (home, context, fingerprint) = try homeWithKey()
        defer { home.remove() }
        #expect(fingerprint.count == 40)
        #expect(OpenPGPMessageArmor.normalizeFingerprint(fingerprint) == fingerprint)
        #expect(try context.secretKeyFingerprints() == [fingerprint])
        let listing = try GPGCLI.run(home: home.path, ["--with-colons", "--list-keys", fingerprint]).stdoutText
        let keyLines = listing.split(separator: "\n").filter { $0.hasPrefix("pub:") || $0.hasPrefix("sub:") }
        #expect(keyLines.count == 2)
        #expect(keyLines.first?.split(separator: ":", omittingEmptySubsequences: false)[3] == "22")  // EdDSA
        #expect(keyLines.last?.split(separator: ":", omittingEmptySubsequences: false)[3] == "18")   // ECDH
        #expect(keyLines.last?.split(separator: ":", omittingEmptySubsequences: false)[11] == "e")
    }

    @Test func publicKeyRoundTripsBetweenHomes() throws {
        // Given A's public key exported
        let (homeA, a, fingerprintA) = try homeWithKey("Alice")
        defer { homeA.remove() }
        let home = try TemporaryGPGHome()
        defer { home.remove() }
        let b = try GPGContext(homeDirectory: home.path)
        let exported = try a.exportPublicKey(fingerprint: fingerprintA)
        #expect(exported.hasPrefix("-----BEGIN PGP PUBLIC KEY BLOCK-----"))
        // When B imports it (twice: the second import is "unchanged")
        #expect(!b.hasPublicKey(fingerprint: fingerprintA))
        #expect(try b.importKeys(armored: exported) == [fingerprintA])
        #expect(try b.importKeys(armored: exported) == [fingerprintA])
        // Then B has the public key but not the secret key, and re-exports the same key
        #expect(b.hasPublicKey(fingerprint: fingerprintA))
        #expect(!b.hasSecretKey(fingerprint: fingerprintA))
        #expect(a.hasSecretKey(fingerprint: fingerprintA))
        #expect(a.hasSecretKey(fingerprint: fingerprintA.lowercased()))
        #expect(try b.secretKeyFingerprints().isEmpty)
        #expect(try b.importKeys(armored: try b.exportPublicKey(fingerprint: fingerprintA)) == [fingerprintA])
    }

    @Test func importedSecretKeyDecrypts() throws {
        // Given A's secret key exported by the gpg command line (as an operator would put it in the environment)
        let (homeA, a, fingerprintA) = try homeWithKey("Alice")
        defer { homeA.remove() }
        let secret = try GPGCLI.run(home: homeA.path, ["--armor", "--export-secret-keys", fingerprintA])
        #expect(secret.status == 0, "gpg: \(secret.stderr)")
        let armored = try a.encrypt(SecretBytes(canaryBytes(40)), to: [fingerprintA])
        // When a fresh home imports it
        let home = try TemporaryGPGHome()
        defer { home.remove() }
        let c = try GPGContext(homeDirectory: home.path)
        #expect(try c.importKeys(armored: secret.stdoutText) == [fingerprintA])
        // Then it has the secret key and decrypts
        #expect(c.hasSecretKey(fingerprint: fingerprintA))
        #expect(try c.secretKeyFingerprints() == [fingerprintA])
        #expect(try c.decrypt(armored).count == 40)
    }

    @Test func badInputsFailClearly() throws {
        let (home, context, _) = try homeWithKey()
        defer { home.remove() }
        let unknown = String(repeating: "0", count: 40)
        let exportError = #expect(throws: GPGError.self) { try context.exportPublicKey(fingerprint: unknown) }
        #expect(exportError?.message == "no public key \(unknown) in \(home.path)")
        #expect(throws: GPGError.self) { try context.exportPublicKey(fingerprint: "not-a-fingerprint") }
        #expect(throws: GPGError.self) { try context.importKeys(armored: "hello") }
        #expect(!context.hasPublicKey(fingerprint: unknown))
        #expect(!context.hasSecretKey(fingerprint: "nonsense"))
    }
}
