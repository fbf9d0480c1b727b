import Crypto

/// Encrypts values to cv25519 recipients without gpg, producing what GnuPG 2.2 decrypts:
/// one v3 PKESK per recipient and a version 1 SEIPD packet with an MDC, AES-256.
///
/// Pure: no gpgme and no I/O besides the system random number generator. Stateless and
/// thread-safe; callers may encrypt many values concurrently.
public enum OpenPGPMessageEncryptor {
    /// The symmetric algorithm of every message: AES-256 (id 9), the first preference GnuPG
    /// writes into every key it creates and which every OpenPGP implementation in use reads.
    public static let symmetricAlgorithm: UInt8 = 9

    /// Encrypts `plaintext` to every recipient, as binary OpenPGP packets.
    ///
    /// A fresh random session key per message; a fresh ephemeral X25519 key per recipient.
    /// - Throws: `OpenPGPError.noRecipients`, `.messageTooLarge` or `.cryptoFailure`.
    public static func encryptBinary(_ plaintext: UnsafeRawBufferPointer, to recipients: [CV25519Recipient]) throws -> [UInt8] {
        guard !recipients.isEmpty else { throw OpenPGPError.noRecipients }
        let sessionKey = SymmetricKey(size: .bits256)
        var message: [UInt8] = []
        for recipient in recipients {
            message += try ECDHSessionKeyPacket.make(sessionKey: sessionKey, algorithm: symmetricAlgorithm, for: recipient)
        }
        message += try IntegrityProtectedDataPacket.make(plaintext, sessionKey: sessionKey)
        return message
    }

    /// Encrypts `plaintext` to every recipient as an ASCII-armored `PGP MESSAGE`.
    ///
    /// - Throws: As `encryptBinary(_:to:)`.
    public static func encrypt(_ plaintext: UnsafeRawBufferPointer, to recipients: [CV25519Recipient]) throws -> String {
        OpenPGPArmorWriter.message(try encryptBinary(plaintext, to: recipients))
    }
}
