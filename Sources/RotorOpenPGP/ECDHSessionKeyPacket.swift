import Crypto

/// Builds a version 3 Public-Key Encrypted Session Key packet (tag 1) for a cv25519 recipient
/// (RFC 4880 section 5.1, RFC 6637 section 8).
///
/// An ephemeral X25519 key agrees a shared secret with the recipient's key; the KDF turns it
/// into a key-encryption key; AES key wrap (RFC 3394) encrypts the session key, framed as
/// `algorithm || key || checksum` and PKCS#5-padded to a multiple of 8 bytes.
enum ECDHSessionKeyPacket {
    /// The packet for one recipient.
    ///
    /// - Parameters:
    ///   - sessionKey: The message's session key.
    ///   - algorithm: The symmetric algorithm id the session key is for (9 = AES-256).
    ///   - recipient: The recipient's ECDH key.
    /// - Throws: `OpenPGPError.cryptoFailure` when the key agreement fails or gives the all-zero
    ///   secret (a low-order recipient point), or when the key wrap fails.
    static func make(sessionKey: SymmetricKey, algorithm: UInt8, for recipient: CV25519Recipient) throws -> [UInt8] {
        let ephemeral = Curve25519.KeyAgreement.PrivateKey()
        let kek: SymmetricKey
        do {
            let recipientKey = try Curve25519.KeyAgreement.PublicKey(rawRepresentation: recipient.publicKey)
            let shared = try ephemeral.sharedSecretFromKeyAgreement(with: recipientKey)
            // swift-crypto does not reject the all-zero secret a low-order point yields (it would
            // make the KEK public), so check here, without an early exit over secret bytes.
            guard shared.withUnsafeBytes({ $0.reduce(0, |) }) != 0 else {
                throw OpenPGPError.cryptoFailure(step: "X25519 key agreement with \(recipient.fingerprintHex)",
                                                 reason: "the recipient's public key is a low-order point")
            }
            kek = shared.withUnsafeBytes { recipient.kdf.deriveKEK(sharedSecret: $0, param: recipient.kdfParam) }
        } catch let error as OpenPGPError {
            throw error
        } catch {
            throw OpenPGPError.cryptoFailure(step: "X25519 key agreement with \(recipient.fingerprintHex)", reason: "\(error)")
        }
        let wrapped = try wrap(sessionKey, algorithm: algorithm, with: kek)
        guard wrapped.count < 256 else {
            throw OpenPGPError.cryptoFailure(step: "AES key wrap", reason: "wrapped key of \(wrapped.count) bytes does not fit its length octet")
        }
        var body: [UInt8] = [3]
        body += recipient.keyID
        body.append(CV25519Recipient.algorithmECDH)
        body += PacketEncoding.mpi([0x40] + Array(ephemeral.publicKey.rawRepresentation))
        body.append(UInt8(wrapped.count))
        body += wrapped
        return PacketEncoding.header(tag: 1, length: body.count) + body
    }

    /// Wraps `algorithm || key || two-byte checksum || PKCS#5 padding` with `kek`.
    ///
    /// The framed key lives only in a wiped scratch buffer and swift-crypto's own zeroing
    /// `SymmetricKey` storage.
    private static func wrap(_ sessionKey: SymmetricKey, algorithm: UInt8, with kek: SymmetricKey) throws -> [UInt8] {
        let keyLength = sessionKey.bitCount / 8
        let framedLength = 1 + keyLength + 2
        let padding = 8 - framedLength % 8
        return try ScratchBuffer.with(count: framedLength + padding) { frame in
            frame[0] = algorithm
            var checksum: UInt16 = 0
            sessionKey.withUnsafeBytes { key in
                for (index, byte) in key.enumerated() {
                    frame[1 + index] = byte
                    checksum &+= UInt16(byte)
                }
            }
            frame[1 + keyLength] = UInt8(checksum >> 8)
            frame[2 + keyLength] = UInt8(checksum & 0xFF)
            for index in framedLength..<(framedLength + padding) {
                frame[index] = UInt8(padding)
            }
            do {
                return Array(try AES.KeyWrap.wrap(SymmetricKey(data: UnsafeRawBufferPointer(frame)), using: kek))
            } catch {
                throw OpenPGPError.cryptoFailure(step: "AES key wrap", reason: "\(error)")
            }
        }
    }
}
