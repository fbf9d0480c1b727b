/// Why the native OpenPGP code refused a key or could not build a message.
///
/// Messages name packets, offsets, algorithms and fingerprints only: never plaintext, session
/// keys or any other secret.
public enum OpenPGPError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The key block is not well-formed OpenPGP at `offset` (a byte offset into the binary packets).
    case malformedPacket(offset: Int, reason: String)
    /// The key block holds no v4 key or subkey with this fingerprint.
    case keyNotFound(fingerprint: String)
    /// The key exists but the native path cannot encrypt to it (another algorithm or curve,
    /// unsupported KDF parameters); the caller should fall back to gpg.
    case unsupportedKey(fingerprint: String, reason: String)
    /// `encrypt` was called without recipients.
    case noRecipients
    /// The plaintext does not fit one definite-length packet (4 GiB minus headers).
    case messageTooLarge(bytes: Int)
    /// A swift-crypto primitive failed (`step` names it: key agreement, key wrap, CFB).
    case cryptoFailure(step: String, reason: String)

    /// A sentence for the user.
    public var description: String {
        switch self {
        case let .malformedPacket(offset, reason):
            return "malformed OpenPGP key data at byte \(offset): \(reason)"
        case let .keyNotFound(fingerprint):
            return "the exported key block holds no v4 key or subkey with fingerprint \(fingerprint)"
        case let .unsupportedKey(fingerprint, reason):
            return "key \(fingerprint) is not usable by the native OpenPGP encryptor: \(reason)"
        case .noRecipients:
            return "no recipients given"
        case let .messageTooLarge(bytes):
            return "a value of \(bytes) bytes is too large for one OpenPGP packet"
        case let .cryptoFailure(step, reason):
            return "\(step) failed: \(reason)"
        }
    }
}
