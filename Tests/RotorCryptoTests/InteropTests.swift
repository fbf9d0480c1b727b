import Foundation
import Testing
@testable import RotorCrypto

/// rotor and the gpg command line must read each other's messages byte for byte.
@Suite struct InteropTests {
    @Test func rotorEncryptionDecryptsWithGPGCommandLine() throws {
        // Given a home with a key and a random value
        let (home, context, fingerprint) = try homeWithKey()
        defer { home.remove() }
        let plaintext = canaryBytes(300)
        // When rotor encrypts it
        let armored = try plaintext.withUnsafeBytes { try context.encrypt($0, to: [fingerprint]) }
        // Then gpg decrypts it to the exact bytes, and the canary is not visible in the message
        #expect(armored.hasPrefix("-----BEGIN PGP MESSAGE-----"))
        #expect(!armored.contains("ROTOR-CANARY"))
        let result = try GPGCLI.decrypt(home: home.path, armored)
        #expect(result.status == 0, "gpg: \(result.stderr)")
        #expect(result.stdout == plaintext)
    }

    @Test func gpgCommandLineEncryptionDecryptsWithRotor() throws {
        // Given a value encrypted by the gpg command line (plaintext on stdin)
        let (home, context, fingerprint) = try homeWithKey()
        defer { home.remove() }
        let plaintext = canaryBytes(64)
        let result = try GPGCLI.run(home: home.path, ["--trust-model", "always", "--encrypt", "--armor", "-r", fingerprint],
                                    stdin: plaintext)
        #expect(result.status == 0, "gpg: \(result.stderr)")
        // When rotor decrypts it
        let decrypted = try context.decrypt(result.stdoutText)
        // Then the bytes match
        #expect(decrypted.withUnsafeBytes { Array($0) } == plaintext)
    }

    @Test func emptyAndSecretBytesValuesRoundTrip() throws {
        let (home, context, fingerprint) = try homeWithKey()
        defer { home.remove() }
        for value in [[], Array("p@ssw0rd ünïcode\n".utf8)] as [[UInt8]] {
            let armored = try context.encrypt(SecretBytes(value), to: [fingerprint])
            #expect(try context.decrypt(armored).withUnsafeBytes { Array($0) } == value)
            #expect(try GPGCLI.decrypt(home: home.path, armored).stdout == value)
        }
    }

    @Test func spacedLowercaseFingerprintIsAccepted() throws {
        let (home, context, fingerprint) = try homeWithKey()
        defer { home.remove() }
        let spaced = stride(from: 0, to: 40, by: 4).map { i -> String in
            let start = fingerprint.index(fingerprint.startIndex, offsetBy: i)
            return String(fingerprint[start..<fingerprint.index(start, offsetBy: 4)])
        }.joined(separator: " ").lowercased()
        let armored = try context.encrypt(SecretBytes([1, 2, 3]), to: [spaced])
        #expect(try context.decrypt(armored).withUnsafeBytes { Array($0) } == [1, 2, 3])
    }
}
