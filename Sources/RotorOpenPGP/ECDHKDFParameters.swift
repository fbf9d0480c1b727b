import Crypto

/// The KDF parameters of an ECDH key (RFC 6637 section 9): the hash for the KDF and the AES
/// key-wrap algorithm (which sets the KEK size).
public struct ECDHKDFParameters: Equatable, Sendable {
    /// KDF hash functions the native path supports.
    public enum Hash: UInt8, Sendable {
        case sha256 = 8
        case sha384 = 9
        case sha512 = 10
    }

    /// AES key-wrap algorithms (their symmetric algorithm ids) the native path supports.
    public enum KeyWrap: UInt8, Sendable {
        case aes128 = 7
        case aes192 = 8
        case aes256 = 9

        /// The key-encryption-key length in bytes.
        var keyBytes: Int {
            switch self {
            case .aes128: return 16
            case .aes192: return 24
            case .aes256: return 32
            }
        }
    }

    /// The KDF hash.
    public let hash: Hash
    /// The key-wrap algorithm.
    public let keyWrap: KeyWrap

    /// The four octets as they appear in the key packet and in the KDF's `Param`: `03 01 hash kek`.
    var encoded: [UInt8] { [3, 1, hash.rawValue, keyWrap.rawValue] }

    /// Derives the key-encryption key: the leftmost KEK-size bytes of
    /// `Hash(00 00 00 01 || ZB || param)` (RFC 6637 section 7, one KDF round suffices).
    ///
    /// - Parameters:
    ///   - sharedSecret: ZB, the X25519 output in its native little-endian form.
    ///   - param: The KDF `Param` block built for the recipient.
    func deriveKEK(sharedSecret: UnsafeRawBufferPointer, param: [UInt8]) -> SymmetricKey {
        switch hash {
        case .sha256: return Self.derive(SHA256.self, sharedSecret, param, keyWrap.keyBytes)
        case .sha384: return Self.derive(SHA384.self, sharedSecret, param, keyWrap.keyBytes)
        case .sha512: return Self.derive(SHA512.self, sharedSecret, param, keyWrap.keyBytes)
        }
    }

    private static func derive<H: HashFunction>(_: H.Type, _ sharedSecret: UnsafeRawBufferPointer,
                                                _ param: [UInt8], _ length: Int) -> SymmetricKey {
        var hasher = H()
        hasher.update(data: [0, 0, 0, 1])
        hasher.update(bufferPointer: sharedSecret)
        hasher.update(data: param)
        return hasher.finalize().withUnsafeBytes { digest in
            SymmetricKey(data: UnsafeRawBufferPointer(rebasing: digest.prefix(length)))
        }
    }
}
