import Crypto

/// A public key or public subkey packet (tags 6 and 14) and, for version 4, its fingerprint.
///
/// Only what the native encryptor needs is interpreted: version, creation time, algorithm
/// and the raw key material. The v4 fingerprint is SHA-1 over `0x99`, the two-octet body
/// length and the body (RFC 4880 section 12.2).
public struct PublicKeyPacket: Equatable, Sendable {
    /// True for a subkey (tag 14), false for a primary key (tag 6).
    public let isSubkey: Bool
    /// The key packet version (4 for every key GnuPG 2.2 creates).
    public let version: UInt8
    /// Creation time, seconds since 1970.
    public let creationTime: UInt32
    /// The public-key algorithm id (1 RSA, 16 Elgamal, 18 ECDH, 19 ECDSA, 22 EdDSA, …).
    public let algorithm: UInt8
    /// The algorithm-specific key material that follows the algorithm octet.
    public let material: [UInt8]
    /// The v4 fingerprint (20 bytes); `nil` for other versions.
    public let fingerprint: [UInt8]?
    /// Where the packet starts in the key block, for error messages.
    public let offset: Int

    /// The fingerprint as 40 uppercase hex digits, or `nil` for non-v4 keys.
    public var fingerprintHex: String? {
        fingerprint.map { Hex.upper($0) }
    }

    /// The key id: the low 8 bytes of the v4 fingerprint.
    public var keyID: [UInt8]? {
        fingerprint.map { Array($0.suffix(8)) }
    }

    /// Interprets a tag 6 or 14 packet.
    ///
    /// - Throws: `OpenPGPError.malformedPacket` when the packet has another tag or its body is
    ///   too short to hold a version, creation time and algorithm.
    public init(_ packet: OpenPGPPacket) throws {
        guard packet.tag == 6 || packet.tag == 14 else {
            throw OpenPGPError.malformedPacket(offset: packet.offset, reason: "packet tag \(packet.tag) is not a public key")
        }
        let body = Array(packet.body)
        guard body.count >= 6 else {
            throw OpenPGPError.malformedPacket(offset: packet.offset, reason: "public key packet of \(body.count) bytes is too short")
        }
        isSubkey = packet.tag == 14
        version = body[0]
        creationTime = UInt32(body[1]) << 24 | UInt32(body[2]) << 16 | UInt32(body[3]) << 8 | UInt32(body[4])
        algorithm = body[5]
        material = Array(body[6...])
        offset = packet.offset
        if version == 4, body.count <= 0xFFFF {
            var hasher = Insecure.SHA1()
            hasher.update(data: [0x99, UInt8(body.count >> 8), UInt8(body.count & 0xFF)])
            hasher.update(data: body)
            fingerprint = Array(hasher.finalize())
        } else {
            fingerprint = nil
        }
    }

    /// Every public key and subkey packet in a binary key block, in order.
    ///
    /// - Parameter keyBlock: Dearmored key data (`gpg --export`).
    /// - Throws: `OpenPGPError.malformedPacket` for bad framing or a truncated key packet.
    public static func all(in keyBlock: [UInt8]) throws -> [PublicKeyPacket] {
        try OpenPGPPacket.parse(keyBlock).filter { $0.tag == 6 || $0.tag == 14 }.map(PublicKeyPacket.init)
    }
}
