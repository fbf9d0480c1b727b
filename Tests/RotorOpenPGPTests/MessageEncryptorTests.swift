import Crypto
import Testing
@testable import RotorOpenPGP

/// Self-consistency of the messages (gpg itself checks them in RotorCryptoTests).
@Suite struct MessageEncryptorTests {
    private func recipient(kdf: [UInt8] = [3, 1, 8, 7]) throws -> (Curve25519.KeyAgreement.PrivateKey, CV25519Recipient) {
        let key = Curve25519.KeyAgreement.PrivateKey()
        let packet = Fixtures.ecdhSubkeyPacket(publicKey: Array(key.publicKey.rawRepresentation), kdf: kdf)
        return (key, try CV25519Recipient(try PublicKeyPacket(packet)))
    }

    @Test(arguments: [0, 1, 15, 16, 17, 191, 192, 8383, 8384, 70_000])
    func roundTripsEverySize(size: Int) throws {
        // Given two recipients and a value of `size` bytes
        let (keyA, a) = try recipient()
        let (keyB, b) = try recipient(kdf: [3, 1, 10, 9])  // SHA-512 / AES-256 KDF parameters
        let value = (0..<size).map { _ in UInt8.random(in: 0...255) }
        // When it is encrypted
        let message = try value.withUnsafeBytes { try OpenPGPMessageEncryptor.encryptBinary($0, to: [a, b]) }
        // Then two new-format PKESKs and one SEIPD follow each other, and each recipient reads the value
        #expect(try OpenPGPPacket.parse(message).map(\.tag) == [1, 1, 18])
        #expect(message.first == 0xC1)
        #expect(try TestDecryptor.decrypt(message, privateKey: keyA, recipient: a) == value)
        #expect(try TestDecryptor.decrypt(message, privateKey: keyB, recipient: b) == value)
    }

    @Test func everyMessageIsFresh() throws {
        let (_, a) = try recipient()
        let value: [UInt8] = Array("same value".utf8)
        let first = try value.withUnsafeBytes { try OpenPGPMessageEncryptor.encryptBinary($0, to: [a]) }
        let second = try value.withUnsafeBytes { try OpenPGPMessageEncryptor.encryptBinary($0, to: [a]) }
        #expect(first != second)
        // The ephemeral keys differ (bytes 13..<45 of the PKESK body, after a 2-byte header)
        #expect(first[15..<47] != second[15..<47])
    }

    @Test func refusesNoRecipientsAndLowOrderPoints() throws {
        #expect(throws: OpenPGPError.noRecipients) {
            try [UInt8]([1]).withUnsafeBytes { try OpenPGPMessageEncryptor.encryptBinary($0, to: []) }
        }
        // Low-order points give an all-zero shared secret, which swift-crypto does not refuse:
        // reading such a key is refused (so rotor falls back to gpg) ...
        let lowOrder: [[UInt8]] = [[UInt8](repeating: 0, count: 32), [1] + [UInt8](repeating: 0, count: 31)]
        for point in lowOrder {
            let error = #expect(throws: OpenPGPError.self) { try CV25519Recipient(try PublicKeyPacket(Fixtures.ecdhSubkeyPacket(publicKey: point))) }
            if case .unsupportedKey(_, let reason)? = error { #expect(reason.contains("low-order")) } else { Issue.record("\(String(describing: error))") }
            // ... and so is encrypting to one that got past it
            let unchecked = CV25519Recipient(fingerprint: [UInt8](repeating: 7, count: 20), publicKey: point,
                                             kdf: ECDHKDFParameters(hash: .sha256, keyWrap: .aes128))
            let encryptError = #expect(throws: OpenPGPError.self) {
                try [UInt8]([1]).withUnsafeBytes { try OpenPGPMessageEncryptor.encryptBinary($0, to: [unchecked]) }
            }
            if case .cryptoFailure(let step, let reason)? = encryptError {
                #expect(step.hasPrefix("X25519") && reason.contains("low-order"))
            } else {
                Issue.record("\(String(describing: encryptError))")
            }
        }
    }

    @Test func armoredOutputDecodesToTheBinaryMessage() throws {
        let (key, a) = try recipient()
        let value = Array("armored".utf8)
        let text = try value.withUnsafeBytes { try OpenPGPMessageEncryptor.encrypt($0, to: [a]) }
        let body = text.split(separator: "\n").dropFirst().dropLast(2).joined()
        let binary = Array(Fixtures.base64(body))
        #expect(try TestDecryptor.decrypt(binary, privateKey: key, recipient: a) == value)
    }
}
