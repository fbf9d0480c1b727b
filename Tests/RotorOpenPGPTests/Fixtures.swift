import Foundation
@testable import RotorOpenPGP

/// A public key exported by GnuPG 2.2.40 (`gpg --export --armor`): ed25519 primary
/// 1B6D2690F8445E1246999C11CDA760BB55214D71 with a cv25519 subkey
/// 20C65F6CBA05EEFC132A8B2EB3DA185C27559616 (KDF SHA-256, AES-128), old-format packet headers.
enum Fixtures {
    static let primaryFingerprint = "1B6D2690F8445E1246999C11CDA760BB55214D71"
    static let subkeyFingerprint = "20C65F6CBA05EEFC132A8B2EB3DA185C27559616"
    /// The subkey's point after the 0x40 prefix, as `gpg --list-packets` printed it.
    static let subkeyPoint = "5224D5DEDAE91BBC9593C8BB182B91C7522E630247F6C061A3F65D2554C5451D"

    static let armoredKey = """
        mDMEawxqURYJKwYBBAHaRw8BAQdAd5eoyna/BIsKuv4QMznGtn+/pN3ThHXQi4l4
        0ptAd7y0H2ZpeHR1cmUgPGZpeHR1cmVAcm90b3IuaW52YWxpZD6IkAQTFggAOBYh
        BBttJpD4RF4SRpmcEc2nYLtVIU1xBQJrDGpRAhsDBQsJCAcCBhUKCQgLAgQWAgMB
        Ah4BAheAAAoJEM2nYLtVIU1xMs8A/2oVV3vG3UUX9Cv4HcNLvaBX+tDQqLd+YPZ2
        l12GH5oXAQDP2aNOKaxhsW/Rj51wVWeP3vIukEu9Zz4wiC2bJivZCbg4BGsMalES
        CisGAQQBl1UBBQEBB0BSJNXe2ukbvJWTyLsYK5HHUi5jAkf2wGGj9l0lVMVFHQMB
        CAeIeAQYFggAIBYhBBttJpD4RF4SRpmcEc2nYLtVIU1xBQJrDGpRAhsMAAoJEM2n
        YLtVIU1xtB8BAJ7fFx+IinQQ6CDoKQX7JdzGpk8B/o/H23P6jXUkWxQrAP4tVmZZ
        2S0nHpMqkGjI90V8qxKN/C66ZI883UWbCaF6CA==
        """

    /// The fixture's binary packets.
    static var keyBlock: [UInt8] {
        [UInt8](Data(base64Encoded: armoredKey.split(separator: "\n").joined()) ?? Data())
    }

    /// A v4 cv25519 ECDH subkey packet around `publicKey` (32 bytes), with the given KDF octets.
    static func ecdhSubkeyPacket(publicKey: [UInt8], kdf: [UInt8] = [3, 1, 8, 7], created: UInt32 = 1_700_000_000) -> OpenPGPPacket {
        var body: [UInt8] = [4] + PacketEncoding.bigEndian32(created) + [18]
        body += [UInt8(CV25519Recipient.curveOID.count)] + CV25519Recipient.curveOID
        body += PacketEncoding.mpi([0x40] + publicKey)
        body += kdf
        return OpenPGPPacket(tag: 14, offset: 0, body: body[...])
    }

    static func hex(_ bytes: [UInt8]) -> String { Hex.upper(bytes) }

    static func bytes(hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            out.append(UInt8(hex[index..<next], radix: 16) ?? 0)
            index = next
        }
        return out
    }
}

extension Fixtures {
    static func base64(_ text: String) -> [UInt8] {
        [UInt8](Data(base64Encoded: text) ?? Data())
    }
}
