import Foundation

/// Recognises ASCII-armored OpenPGP messages and fingerprints without any crypto library.
///
/// Used by validation: a `value:` that is not an encrypted PGP message (a plaintext secret
/// pasted by mistake) is an error, and recipients must be well-formed fingerprints. Works on
/// UTF-8 bytes: it runs once per version in every plan, so it must be cheap.
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
        var text = text
        return text.withUTF8 { dearmor(bytes: $0, label: label) }
    }

    private static func dearmor(bytes: UnsafeBufferPointer<UInt8>, label: String) -> [UInt8]? {
        // Lines without surrounding blanks or CR; blank lines at either end dropped.
        var lines: [Slice<UnsafeBufferPointer<UInt8>>] = []
        var start = 0
        for index in 0...bytes.count where index == bytes.count || bytes[index] == 10 {
            var lower = start, upper = index
            while lower < upper, bytes[lower] == 32 || bytes[lower] == 9 { lower += 1 }
            while upper > lower, bytes[upper - 1] == 32 || bytes[upper - 1] == 9 || bytes[upper - 1] == 13 { upper -= 1 }
            lines.append(bytes[lower..<upper])
            start = index + 1
        }
        while lines.first?.isEmpty == true { lines.removeFirst() }
        while lines.last?.isEmpty == true { lines.removeLast() }
        guard lines.count >= 3, lines[0].elementsEqual("-----BEGIN PGP \(label)-----".utf8),
              lines[lines.count - 1].elementsEqual("-----END PGP \(label)-----".utf8) else { return nil }
        var body = lines[1..<(lines.count - 1)]
        // Armor headers ("Key: value") end at the first blank line.
        if let blank = body.firstIndex(where: \.isEmpty) {
            guard body[..<blank].allSatisfy({ line in line.firstRange(of: ": ".utf8) != nil }) else { return nil }
            body = body[(blank + 1)...]
        }
        var checksum: Slice<UnsafeBufferPointer<UInt8>>?
        if let last = body.last, last.first == UInt8(ascii: "=") {
            checksum = last.dropFirst()
            body = body.dropLast()
        }
        guard !body.isEmpty, let data = Base64.decode(body) else { return nil }
        if let checksum {
            guard let crc = Base64.decode([checksum][...]), crc.count == 3 else { return nil }
            let expected = UInt32(crc[0]) << 16 | UInt32(crc[1]) << 8 | UInt32(crc[2])
            guard crc24(data) == expected else { return nil }
        }
        return data
    }

    /// An uppercase fingerprint without spaces or tabs, or nil unless it is 40 (v4) or 64 (v5/v6) hex digits.
    public static func normalizeFingerprint(_ text: String) -> String? {
        if isNormalizedFingerprint(text) { return text }
        let compact = text.filter { $0 != " " && $0 != "\t" }.uppercased()
        guard compact.count == 40 || compact.count == 64, compact.allSatisfy({ $0.isHexDigit && $0.isASCII }) else { return nil }
        return compact
    }

    /// Whether `text` is already what ``normalizeFingerprint(_:)`` returns (checked on bytes:
    /// every version file lists its recipients, and a first plan reads them all).
    public static func isNormalizedFingerprint(_ text: String) -> Bool {
        let utf8 = text.utf8
        return (utf8.count == 40 || utf8.count == 64)
            && utf8.allSatisfy { ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || ($0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "F")) }
    }

    /// The CRC-24 of RFC 4880 section 6.1 (init 0xB704CE, polynomial 0x1864CFB), table-driven:
    /// every armor rotor reads or writes is checked or summed with it.
    public static func crc24(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xB704CE
        bytes.withUnsafeBufferPointer { buffer in
            for byte in buffer {
                crc = (crc << 8) ^ crc24Table[Int((crc >> 16 ^ UInt32(byte)) & 0xFF)]
            }
        }
        return crc & 0xFF_FFFF
    }

    /// `crc24Table[i]` is the CRC register after shifting byte `i` through the polynomial.
    private static let crc24Table: [UInt32] = (0..<256).map { index in
        var crc = UInt32(index) << 16
        for _ in 0..<8 {
            crc <<= 1
            if crc & 0x100_0000 != 0 { crc ^= 0x1864CFB }
        }
        return crc & 0xFF_FFFF
    }
}
