import CGPGME
import Foundation
import Testing
@testable import RotorCrypto
import RotorOpenPGP

/// Which path encrypts: native for usable cv25519 keys only, gpgme for everything else.
@Suite struct EncryptorRoutingTests {
    /// Runs gpg in `home` with an empty passphrase (test keys have none).
    @discardableResult
    private func gpg(_ home: String, _ arguments: [String], stdin: String = "") throws -> GPGCLI.Result {
        let result = try GPGCLI.run(home: home, ["--passphrase", "", "--pinentry-mode", "loopback"] + arguments, stdin: Array(stdin.utf8))
        #expect(result.status == 0, "gpg \(arguments.joined(separator: " ")): \(result.stderr)")
        return result
    }

    private func subkeyRows(_ home: String) throws -> [(validity: String, keyID: String)] {
        try GPGCLI.run(home: home, ["--with-colons", "--list-keys"]).stdoutText.split(separator: "\n")
            .filter { $0.hasPrefix("sub:") }
            .map { line in
                let fields = line.split(separator: ":", omittingEmptySubsequences: false)
                return (String(fields[1]), String(fields[4]))
            }
    }

    @Test func rsaRecipientsGoThroughGpgmeAndStillDecrypt() throws {
        // Given a cv25519 person (the sender's home) and an RSA-only person
        let homes = try NativeSupport.homes(1)
        let rsaHome = try TemporaryGPGHome()
        defer { homes[0].home.remove(); rsaHome.remove() }
        try gpg(rsaHome.path, ["--quick-generate-key", "rsa <rsa@rotor.test>", "rsa2048", "encr", "never"])
        let rsa = try NativeSupport.firstFingerprint(home: rsaHome.path)
        _ = try GPGContext(homeDirectory: homes[0].home.path).importKeys(armored: try GPGContext(homeDirectory: rsaHome.path).exportPublicKey(fingerprint: rsa))
        let encryptor = Encryptor(homeDirectory: homes[0].home.path, native: true)
        let value = canaryBytes(33)
        for recipients in [[rsa], [homes[0].fingerprint, rsa]] {
            // When values are encrypted to a set holding the RSA key
            let route = try encryptor.route(for: recipients)
            #expect(route == .gpgme(reason: "key \(rsa) encrypts with RSA"))
            let message = try #require(try encryptor.encrypt([SecretBytes(value)], to: recipients).first)
            // Then gpg wrote it, and every recipient decrypts it
            #expect(!NativeSupport.isNative(message))
            let homesToCheck = recipients.count == 1 ? [rsaHome.path] : [homes[0].home.path, rsaHome.path]
            for home in homesToCheck {
                let decrypted = try NativeSupport.gpgDecrypt(home: home, message)
                #expect(decrypted.ok, "\(decrypted.statusLines)")
                #expect(decrypted.plaintext == value)
            }
        }
        // And a cv25519-only set in the same home is still native
        #expect(try encryptor.route(for: [homes[0].fingerprint]) == .native)
    }

    @Test func revokedAndExpiredSubkeysAreNeverUsed() throws {
        // Given a key whose oldest cv25519 subkey is valid, a newer one expired and the newest revoked
        let home = try TemporaryGPGHome()
        defer { home.remove() }
        try gpg(home.path, ["--faked-system-time", "20200101T000000", "--quick-generate-key", "subkeys <s@rotor.test>", "ed25519", "cert", "never"])
        let fingerprint = try NativeSupport.firstFingerprint(home: home.path)
        try gpg(home.path, ["--faked-system-time", "20210101T000000", "--quick-add-key", fingerprint, "cv25519", "encr", "never"])
        try gpg(home.path, ["--faked-system-time", "20220101T000000", "--quick-add-key", fingerprint, "cv25519", "encr", "1d"])
        try gpg(home.path, ["--quick-add-key", fingerprint, "cv25519", "encr", "never"])
        try gpg(home.path, ["--command-fd", "0", "--edit-key", fingerprint], stdin: "key 3\nrevkey\ny\n0\n\ny\nsave\n")
        let rows = try subkeyRows(home.path)
        #expect(rows.map(\.validity) == ["u", "e", "r"])
        let valid = try #require(rows.first).keyID
        // When rotor encrypts to the key
        let encryptor = Encryptor(homeDirectory: home.path, native: true)
        #expect(try encryptor.route(for: [fingerprint]) == .native)
        let value = canaryBytes(24)
        let message = try #require(try encryptor.encrypt([SecretBytes(value)], to: [fingerprint]).first)
        // Then the only session key is for the valid subkey (the one gpg picks too), and gpg decrypts it
        #expect(try NativeSupport.sessionKeyIDs(message) == [valid])
        let byGpg = try gpg(home.path, ["--trust-model", "always", "--encrypt", "--armor", "-r", fingerprint], stdin: "x").stdoutText
        #expect(try NativeSupport.sessionKeyIDs(byGpg) == [valid])
        let decrypted = try NativeSupport.gpgDecrypt(home: home.path, message)
        #expect(decrypted.ok && decrypted.plaintext == value, "\(decrypted.statusLines)")

        // When the last valid subkey is revoked too (after the first route was cached)
        try gpg(home.path, ["--command-fd", "0", "--edit-key", fingerprint], stdin: "key 1\nrevkey\ny\n0\n\ny\nsave\n")
        // Then the cached decision is dropped: no native message, and gpgme refuses the key
        #expect(try encryptor.route(for: [fingerprint]) == .gpgme(reason: "key \(fingerprint) has no usable encryption key"))
        #expect(throws: GPGError.self) { try encryptor.encrypt([SecretBytes(value)], to: [fingerprint]) }
    }

    @Test func computedFingerprintsMatchGpgmesListing() throws {
        // Given a key made by gpgme, When rotor parses gpg's export of it
        let (home, context, fingerprint) = try homeWithKey()
        defer { home.remove() }
        let listing = try #require(try context.keyListing(fingerprint))
        let block = try #require(OpenPGPMessageArmor.dearmor(try context.exportPublicKey(fingerprint: fingerprint),
                                                              begin: "-----BEGIN PGP PUBLIC KEY BLOCK-----", end: "-----END PGP PUBLIC KEY BLOCK-----"))
        // Then every v4 fingerprint rotor computes is the one gpgme lists, in order
        let computed = try PublicKeyPacket.all(in: block).map(\.fingerprintHex)
        #expect(computed == listing.subkeys.map(\.fingerprint))
        #expect(listing.encryptionSubkey?.isCV25519 == true)
        #expect(listing.encryptionSubkey?.fingerprint == computed.last ?? nil)
    }

    @Test func unknownRecipientsAreReportedByGpgme() throws {
        let (home, _, fingerprint) = try homeWithKey()
        defer { home.remove() }
        let unknown = String(repeating: "E", count: 40)
        let encryptor = Encryptor(homeDirectory: home.path, native: true)
        #expect(try encryptor.route(for: [fingerprint, unknown]) == .gpgme(reason: "no public key \(unknown)"))
        let error = #expect(throws: GPGError.self) { try encryptor.encrypt([SecretBytes([1])], to: [fingerprint, unknown]) }
        #expect(error?.message.contains("no public key for recipient \(unknown)") == true)
        #expect(try encryptor.encrypt([], to: [unknown]).isEmpty)
    }

    @Test func environmentSwitchForcesGpgme() throws {
        // ROTOR_NATIVE_PGP=0 (and its spellings) turns the native path off; anything else leaves it on
        for value in ["0", "false", "NO", " off "] {
            #expect(!Encryptor.nativeAllowed(by: ["ROTOR_NATIVE_PGP": value]))
        }
        for environment in [[:], ["ROTOR_NATIVE_PGP": "1"], ["ROTOR_NATIVE_PGP": ""], ["OTHER": "0"]] {
            #expect(Encryptor.nativeAllowed(by: environment))
        }
        // And a switched-off encryptor writes gpg's messages, which still decrypt
        let (home, _, fingerprint) = try homeWithKey()
        defer { home.remove() }
        let encryptor = Encryptor(homeDirectory: home.path, native: false)
        #expect(try encryptor.route(for: [fingerprint]) == .gpgme(reason: "ROTOR_NATIVE_PGP=0"))
        let value = canaryBytes(30)
        let message = try #require(try encryptor.encrypt([SecretBytes(value)], to: [fingerprint]).first)
        #expect(!NativeSupport.isNative(message))
        #expect(try NativeSupport.gpgDecrypt(home: home.path, message).plaintext == value)
    }
}
