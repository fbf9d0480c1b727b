import Crypto

/// A recipient the native encryptor can encrypt to: a v4 ECDH (algorithm 18) key on
/// Curve25519 with GnuPG's legacy OID 1.3.6.1.4.1.3029.1.5.1 (`cv25519`), as RFC 6637 and
/// draft-ietf-openpgp-rfc4880bis describe it.
public struct CV25519Recipient: Equatable, Sendable {
    /// The DER body of OID 1.3.6.1.4.1.3029.1.5.1, as the key packet stores it after its length octet.
    static let curveOID: [UInt8] = [0x2B, 0x06, 0x01, 0x04, 0x01, 0x97, 0x55, 0x01, 0x05, 0x01]
    /// The public-key algorithm id of ECDH.
    static let algorithmECDH: UInt8 = 18

    /// The encryption key's own v4 fingerprint (20 bytes), an input of the KDF.
    public let fingerprint: [UInt8]
    /// The encryption key's 40-hex-digit fingerprint.
    public let fingerprintHex: String
    /// The key id written into the session-key packet: the fingerprint's last 8 bytes.
    public var keyID: [UInt8] { Array(fingerprint.suffix(8)) }
    /// The X25519 public key, 32 bytes in RFC 7748 (little-endian) form, without the 0x40 prefix.
    public let publicKey: [UInt8]
    /// The key's KDF hash and key-wrap algorithm.
    public let kdf: ECDHKDFParameters

    /// Reads a cv25519 ECDH key from a v4 public key or subkey packet.
    ///
    /// - Throws: `OpenPGPError.unsupportedKey` for another version, algorithm, curve or KDF
    ///   parameters the native path does not implement (the caller falls back to gpg), and
    ///   `OpenPGPError.malformedPacket` when the ECDH material itself is malformed.
    public init(_ key: PublicKeyPacket) throws {
        guard key.version == 4, let fingerprint = key.fingerprint, let hex = key.fingerprintHex else {
            throw OpenPGPError.unsupportedKey(fingerprint: "(version \(key.version) key at byte \(key.offset))",
                                              reason: "only version 4 keys are supported")
        }
        guard key.algorithm == Self.algorithmECDH else {
            throw OpenPGPError.unsupportedKey(fingerprint: hex, reason: "public-key algorithm \(key.algorithm) is not ECDH (18)")
        }
        var reader = MaterialReader(bytes: key.material, offset: key.offset)
        let oidLength = try reader.byte("curve OID length")
        guard oidLength != 0, oidLength != 0xFF else {
            throw OpenPGPError.malformedPacket(offset: key.offset, reason: "reserved curve OID length \(oidLength)")
        }
        let oid = try reader.bytes(Int(oidLength), "curve OID")
        guard oid == Self.curveOID else {
            throw OpenPGPError.unsupportedKey(fingerprint: hex, reason: "ECDH curve OID \(Hex.upper(oid)) is not Curve25519 (cv25519)")
        }
        let bitCount = Int(try reader.byte("MPI length")) << 8 | Int(try reader.byte("MPI length"))
        let point = try reader.bytes((bitCount + 7) / 8, "public point")
        guard point.count == 33, point[0] == 0x40 else {
            throw OpenPGPError.malformedPacket(offset: key.offset, reason: "cv25519 public point is not 0x40 followed by 32 bytes")
        }
        let kdfLength = try reader.byte("KDF parameter length")
        let kdfBytes = try reader.bytes(Int(kdfLength), "KDF parameters")
        guard reader.isAtEnd else {
            throw OpenPGPError.malformedPacket(offset: key.offset, reason: "unexpected bytes after the KDF parameters")
        }
        guard kdfBytes.count == 3, kdfBytes[0] == 1 else {
            throw OpenPGPError.unsupportedKey(fingerprint: hex, reason: "KDF parameters of \(kdfBytes.count) bytes, version \(kdfBytes.first ?? 0), are not RFC 6637's")
        }
        guard let hash = ECDHKDFParameters.Hash(rawValue: kdfBytes[1]) else {
            throw OpenPGPError.unsupportedKey(fingerprint: hex, reason: "KDF hash algorithm \(kdfBytes[1]) is not SHA-256, SHA-384 or SHA-512")
        }
        guard let wrap = ECDHKDFParameters.KeyWrap(rawValue: kdfBytes[2]) else {
            throw OpenPGPError.unsupportedKey(fingerprint: hex, reason: "key-wrap algorithm \(kdfBytes[2]) is not AES-128, AES-192 or AES-256")
        }
        let publicKey = Array(point.dropFirst())
        guard Self.hasFullOrder(publicKey) else {
            throw OpenPGPError.unsupportedKey(fingerprint: hex, reason: "the cv25519 public key is a low-order point")
        }
        self.init(fingerprint: fingerprint, publicKey: publicKey, kdf: ECDHKDFParameters(hash: hash, keyWrap: wrap))
    }

    /// The fields as given, without checks (tests build invalid recipients with it).
    init(fingerprint: [UInt8], publicKey: [UInt8], kdf: ECDHKDFParameters) {
        self.fingerprint = fingerprint
        self.fingerprintHex = Hex.upper(fingerprint)
        self.publicKey = publicKey
        self.kdf = kdf
    }

    /// False for points whose X25519 product with any scalar is zero (the low-order points):
    /// swift-crypto accepts them, and they would make the key-encryption key public.
    static func hasFullOrder(_ publicKey: [UInt8]) -> Bool {
        guard let point = try? Curve25519.KeyAgreement.PublicKey(rawRepresentation: publicKey),
              let shared = try? Curve25519.KeyAgreement.PrivateKey().sharedSecretFromKeyAgreement(with: point) else { return false }
        return shared.withUnsafeBytes { $0.reduce(0, |) } != 0
    }

    /// Finds the key or subkey with `fingerprint` in a binary key block and reads it.
    ///
    /// - Parameters:
    ///   - keyBlock: Dearmored key data (`gpg --export FPR`).
    ///   - fingerprint: 40 hex digits (any case) of the encryption (sub)key.
    /// - Throws: `OpenPGPError.keyNotFound` when no v4 key in the block has that fingerprint
    ///   (this is also how a fingerprint mismatch with gpg's listing shows up), else as `init(_:)`.
    public init(keyBlock: [UInt8], fingerprint: String) throws {
        let wanted = fingerprint.uppercased()
        guard let packet = try PublicKeyPacket.all(in: keyBlock).first(where: { $0.fingerprintHex == wanted }) else {
            throw OpenPGPError.keyNotFound(fingerprint: wanted)
        }
        try self.init(packet)
    }

    /// The KDF `Param` block (RFC 6637 section 8): curve OID with its length, algorithm 18, the
    /// KDF parameters, "Anonymous Sender    " and the recipient fingerprint.
    var kdfParam: [UInt8] {
        [UInt8(Self.curveOID.count)] + Self.curveOID + [Self.algorithmECDH] + kdf.encoded
            + Array("Anonymous Sender    ".utf8) + fingerprint
    }
}

/// Reads the ECDH key material field by field, turning a short read into a typed error.
private struct MaterialReader {
    let bytes: [UInt8]
    let offset: Int
    var position = 0

    var isAtEnd: Bool { position == bytes.count }

    mutating func byte(_ field: String) throws -> UInt8 {
        try bytes(1, field)[0]
    }

    mutating func bytes(_ count: Int, _ field: String) throws -> [UInt8] {
        guard count <= bytes.count - position else {
            throw OpenPGPError.malformedPacket(offset: offset, reason: "ECDH key material ends inside the \(field)")
        }
        defer { position += count }
        return Array(bytes[position..<(position + count)])
    }
}
