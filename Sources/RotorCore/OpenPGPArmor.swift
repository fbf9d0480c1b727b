import Foundation

/// Recognises ASCII-armored OpenPGP messages and fingerprints without any crypto library.
///
/// Used by validation: a `value:` that is not an encrypted PGP message (a plaintext secret
/// pasted by mistake) is an error, and recipients must be well-formed fingerprints.
public enum OpenPGPArmor {
    /// Whether `text` is one armored OpenPGP message whose first packet is a public-key (tag 1)
    /// or symmetric-key (tag 3) encrypted session key, with valid base64 and, if present, a matching CRC-24.
    public static func isEncryptedMessage(_ text: String) -> Bool {
        guard let packets = dearmor(text, label: "MESSAGE"), let first = packets.first else { return false }
        let tag: UInt8
        if first & 0x80 == 0 { return false }
        if first & 0x40 != 0 { tag = first & 0x3F } else { tag = (first >> 2) & 0x0F }
        return tag == 1 || tag == 3
    }

    /// The binary packets inside an armor block of the given label (`MESSAGE`, `PUBLIC KEY BLOCK`), or nil.
    public static func dearmor(_ text: String, label: String) -> [UInt8]? {
        // Split on any line end: "\r\n" is one Character in Swift and would not match "\n".
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: CharacterSet(charactersIn: " \t\r")) }
        while lines.first?.isEmpty == true { lines.removeFirst() }
        while lines.last?.isEmpty == true { lines.removeLast() }
        guard lines.count >= 3, lines.first == "-----BEGIN PGP \(label)-----",
              lines.last == "-----END PGP \(label)-----" else { return nil }
        var body = Array(lines[1..<(lines.count - 1)])
        // Armor headers ("Key: value") end at the first blank line.
        if let blank = body.firstIndex(of: "") {
            guard body[..<blank].allSatisfy({ $0.contains(": ") }) else { return nil }
            body.removeSubrange(...blank)
        }
        var checksum: String?
        if let last = body.last, last.hasPrefix("=") {
            checksum = String(last.dropFirst())
            body.removeLast()
        }
        let base64 = body.joined()
        guard !base64.isEmpty, base64.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+/=".contains($0)) }),
              let data = Data(base64Encoded: base64) else { return nil }
        let bytes = [UInt8](data)
        if let checksum {
            guard let crcData = Data(base64Encoded: checksum), crcData.count == 3 else { return nil }
            let expected = UInt32(crcData[0]) << 16 | UInt32(crcData[1]) << 8 | UInt32(crcData[2])
            guard crc24(bytes) == expected else { return nil }
        }
        return bytes
    }

    /// An uppercase fingerprint without spaces, or nil unless it is 40 (v4) or 64 (v5/v6) hex digits.
    public static func normalizeFingerprint(_ text: String) -> String? {
        let compact = text.filter { $0 != " " }.uppercased()
        guard compact.count == 40 || compact.count == 64, compact.allSatisfy({ $0.isHexDigit && $0.isASCII }) else { return nil }
        return compact
    }

    /// The CRC-24 of RFC 4880 section 6.1.
    public static func crc24(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xB704CE
        for byte in bytes {
            crc ^= UInt32(byte) << 16
            for _ in 0..<8 {
                crc <<= 1
                if crc & 0x1000000 != 0 { crc ^= 0x1864CFB }
            }
        }
        return crc & 0xFFFFFF
    }
}
