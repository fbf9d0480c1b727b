import Foundation
import Testing
@testable import RotorCrypto

/// Multiple recipients, and what happens when a key is missing.
@Suite struct RecipientTests {
    @Test func everyRecipientHomeCanDecrypt() throws {
        // Given two homes that each own a key, and A knows B's public key
        let (homeA, a, fingerprintA) = try homeWithKey("Alice")
        defer { homeA.remove() }
        let (homeB, b, fingerprintB) = try homeWithKey("Bob")
        defer { homeB.remove() }
        let imported = try a.importKeys(armored: try b.exportPublicKey(fingerprint: fingerprintB))
        #expect(imported == [fingerprintB])
        // When A encrypts to both
        let plaintext = canaryBytes(100)
        let armored = try a.encrypt(SecretBytes(plaintext), to: [fingerprintA, fingerprintB])
        // Then both homes decrypt it, with rotor and with gpg
        #expect(try a.decrypt(armored).withUnsafeBytes { Array($0) } == plaintext)
        #expect(try b.decrypt(armored).withUnsafeBytes { Array($0) } == plaintext)
        #expect(try GPGCLI.decrypt(home: homeA.path, armored).stdout == plaintext)
        #expect(try GPGCLI.decrypt(home: homeB.path, armored).stdout == plaintext)
    }

    @Test func decryptingWithoutTheSecretKeyIsNoSecretKey() throws {
        // Given a value encrypted only to B, in A's home
        let (homeA, a, _) = try homeWithKey("Alice")
        defer { homeA.remove() }
        let (homeB, b, fingerprintB) = try homeWithKey("Bob")
        defer { homeB.remove() }
        _ = try a.importKeys(armored: try b.exportPublicKey(fingerprint: fingerprintB))
        let armored = try a.encrypt(SecretBytes(canaryBytes(20)), to: [fingerprintB])
        // When A tries to decrypt it
        let error = #expect(throws: GPGError.self) { try a.decrypt(armored) }
        // Then the error says there is no secret key and lists the key id it was encrypted to
        #expect(error?.isNoSecretKey == true)
        #expect(error?.function == "gpgme_op_decrypt")
        #expect(error?.description.contains("no secret key for this value (encrypted to key ids: ") == true)
        let keyIDs = try encryptionKeyIDs(armored, home: b)
        for keyID in keyIDs {
            #expect(error?.message.contains(keyID) == true)
        }
        #expect(error?.description.contains("ROTOR-CANARY") == false)
    }

    @Test func unknownRecipientIsNamed() throws {
        let (home, context, fingerprint) = try homeWithKey()
        defer { home.remove() }
        let unknown = String(repeating: "AB12", count: 10)
        let error = #expect(throws: GPGError.self) {
            try context.encrypt(SecretBytes(canaryBytes(8)), to: [fingerprint, unknown])
        }
        #expect(error?.message == "no public key for recipient \(unknown) in \(home.path)")
        #expect(error?.function == "gpgme_get_key")
        #expect(error?.description.hasPrefix("gpg: no public key for recipient") == true)
    }

    @Test func malformedFingerprintAndNoRecipientsAreRejected() throws {
        let (home, context, _) = try homeWithKey()
        defer { home.remove() }
        #expect(throws: GPGError.self) { try context.encrypt(SecretBytes([1]), to: ["alice@example.org"]) }
        #expect(throws: GPGError.self) { try context.encrypt(SecretBytes([1]), to: []) }
    }

    @Test func tamperedCiphertextFailsWithoutPlaintext() throws {
        // Given a message whose encrypted data packet has one flipped byte (armored again without CRC)
        let (home, context, fingerprint) = try homeWithKey()
        defer { home.remove() }
        let armored = try context.encrypt(SecretBytes(canaryBytes(200)), to: [fingerprint])
        var body = try #require(OpenPGPMessageArmor.dearmor(armored, begin: OpenPGPMessageArmor.beginMessage, end: OpenPGPMessageArmor.endMessage))
        body[body.count - 30] ^= 0x01
        let tampered = "-----BEGIN PGP MESSAGE-----\n\n" + Data(body).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed]) + "\n-----END PGP MESSAGE-----\n"
        #expect(OpenPGPMessageArmor.isEncryptedMessage(tampered))
        // When it is decrypted, Then it fails (integrity check) and the error holds no plaintext
        let error = #expect(throws: GPGError.self) { try context.decrypt(tampered) }
        #expect(error?.isNoSecretKey == false)
        #expect(error?.isDecryptionFailed == true)
        #expect(error?.message.hasPrefix("decryption failed, the value is corrupt or was modified") == true)
        #expect(error?.description.contains("ROTOR-CANARY") == false)
    }

    @Test func nonEncryptedInputIsRefused() throws {
        let (home, context, fingerprint) = try homeWithKey()
        defer { home.remove() }
        let signed = try GPGCLI.run(home: home.path, ["--sign", "--armor", "-u", fingerprint], stdin: Array("visible".utf8))
        #expect(signed.status == 0, "gpg: \(signed.stderr)")
        for input in ["plain text", signed.stdoutText, ""] {
            let error = #expect(throws: GPGError.self) { try context.decrypt(input) }
            #expect(error?.message.contains("not an ASCII-armored OpenPGP encrypted message") == true)
            #expect(error?.isDecryptionFailed == true)
        }
    }

    @Test func protectedKeyIsExplainedNotMisreported() throws {
        // Given a passphrase-protected key made by the gpg command line (test-only passphrase in a file)
        // and no ROTOR_GPG_PASSPHRASE in the environment
        try #require(ProcessInfo.processInfo.environment["ROTOR_GPG_PASSPHRASE"] == nil)
        let home = try TemporaryGPGHome()
        defer { home.remove() }
        let passphraseFile = home.path + "/test-passphrase"
        try Data("test-only-passphrase".utf8).write(to: URL(fileURLWithPath: passphraseFile))
        let unlock = ["--pinentry-mode", "loopback", "--passphrase-file", passphraseFile]
        #expect(try GPGCLI.run(home: home.path, unlock + ["--quick-gen-key", "P <p@rotor.test>", "ed25519", "default", "never"]).status == 0)
        let context = try GPGContext(homeDirectory: home.path)
        let fingerprint = try #require(try context.secretKeyFingerprints().first)
        #expect(try GPGCLI.run(home: home.path, unlock + ["--quick-add-key", fingerprint, "cv25519", "encr", "never"]).status == 0)
        let armored = try context.encrypt(SecretBytes([1, 2, 3]), to: [fingerprint])
        // When rotor decrypts or signs, Then it fails at once and says why
        let error = #expect(throws: GPGError.self) { try context.decrypt(armored) }
        #expect(error?.isNoSecretKey == false)
        #expect(error?.message.contains("passphrase-protected") == true)
        #expect(error?.message.contains("ROTOR_GPG_PASSPHRASE") == true)
        let signError = #expect(throws: GPGError.self) { try context.signDetached([1], signer: fingerprint) }
        #expect(signError?.message.contains("passphrase-protected") == true)
    }

    @Test func tooLongHomeIsExplained() throws {
        // Given a home path too long for gpg-agent's socket (and no /run/user on this machine)
        try #require(!FileManager.default.fileExists(atPath: "/run/user/\(getuid())"))
        let scratch = try TemporaryGPGHome()
        defer { scratch.remove() }
        let long = scratch.path + "/" + String(repeating: "h", count: 90)
        try FileManager.default.createDirectory(atPath: long, withIntermediateDirectories: false,
                                                attributes: [.posixPermissions: 0o700])
        // When a key is created there, Then the error names the path length instead of gpg's "No agent running"
        let context = try GPGContext(homeDirectory: long)
        let error = #expect(throws: GPGError.self) { try context.createKey(userID: "Long <long@rotor.test>") }
        #expect(error?.message.contains("too long for gpg-agent's socket") == true)
    }

    /// Key ids of the session-key packets, as listed by `gpg --list-packets`.
    private func encryptionKeyIDs(_ armored: String, home context: GPGContext) throws -> [String] {
        let home = try #require(context.homeDirectory)
        let result = try GPGCLI.run(home: home, ["--list-packets"], stdin: Array(armored.utf8))
        return result.stdoutText.split(separator: "\n").compactMap { line in
            guard let range = line.range(of: "keyid ") else { return nil }
            return String(line[range.upperBound...].prefix(16)).uppercased()
        }
    }
}
