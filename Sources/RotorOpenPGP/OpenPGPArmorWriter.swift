import Foundation
import RotorCore

/// ASCII armor for binary OpenPGP messages (RFC 4880 section 6): the BEGIN line, a blank line,
/// base64 in 64-character lines, `=` and the CRC-24 in base64, the END line. Lines end in `\n`,
/// like gpgme's own armored output.
public enum OpenPGPArmorWriter {
    /// Armors `bytes` as a `PGP MESSAGE`.
    public static func message(_ bytes: [UInt8]) -> String {
        armor(bytes, label: "MESSAGE")
    }

    /// Armors `bytes` with `-----BEGIN PGP <label>-----`.
    public static func armor(_ bytes: [UInt8], label: String) -> String {
        let encoded = Base64.encode(bytes)
        var out: [UInt8] = Array("-----BEGIN PGP \(label)-----\n\n".utf8)
        out.reserveCapacity(encoded.count + encoded.count / 64 + 80)
        var start = 0
        while start < encoded.count {
            let end = min(start + 64, encoded.count)
            out.append(contentsOf: encoded[start..<end])
            out.append(UInt8(ascii: "\n"))
            start = end
        }
        let crc = checksum(bytes)
        out.append(UInt8(ascii: "="))
        out.append(contentsOf: Base64.encode([UInt8(crc >> 16 & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc & 0xFF)]))
        out.append(contentsOf: Array("\n-----END PGP \(label)-----\n".utf8))
        return String(decoding: out, as: UTF8.self)
    }

    /// The CRC-24 of RFC 4880 section 6.1 (RotorCore's, shared with the armor reader).
    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        OpenPGPArmor.crc24(bytes)
    }
}
