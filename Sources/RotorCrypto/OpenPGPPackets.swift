/// Minimal OpenPGP packet-header reading (RFC 4880 / RFC 9580 section 4.2), enough to tell an
/// encrypted message from any other kind of message.
enum OpenPGPPackets {
    /// A packet header: the tag, where the body starts, and its length (`nil` for partial or
    /// indeterminate lengths, which only data packets may use).
    struct Header: Equatable {
        var tag: UInt8
        var bodyStart: Int
        var length: Int?
    }

    /// Public-Key (1) and Symmetric-Key (3) Encrypted Session Key packets.
    static let sessionKeyTags: Set<UInt8> = [1, 3]
    /// Symmetrically Encrypted (9), Sym. Encrypted Integrity Protected (18) and AEAD Encrypted (20) data.
    static let encryptedDataTags: Set<UInt8> = [9, 18, 20]

    /// True when `bytes` starts with one or more session-key packets followed by an encrypted data packet.
    static func isEncryptedMessage(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        var sessionKeys = 0
        while let header = header(in: bytes, at: offset) {
            if sessionKeyTags.contains(header.tag) {
                guard let length = header.length, header.bodyStart + length <= bytes.count else { return false }
                sessionKeys += 1
                offset = header.bodyStart + length
            } else {
                return sessionKeys > 0 && encryptedDataTags.contains(header.tag)
            }
        }
        return false
    }

    /// Reads the packet header at `offset`, old or new format; `nil` if malformed or truncated.
    static func header(in bytes: [UInt8], at offset: Int) -> Header? {
        guard offset < bytes.count else { return nil }
        let first = bytes[offset]
        guard first & 0x80 != 0 else { return nil }
        if first & 0x40 != 0 {
            return newFormatHeader(tag: first & 0x3F, bytes: bytes, at: offset + 1)
        }
        let tag = (first >> 2) & 0x0F
        let start = offset + 1
        switch first & 0x03 {
        case 0:
            guard start + 1 <= bytes.count else { return nil }
            return Header(tag: tag, bodyStart: start + 1, length: Int(bytes[start]))
        case 1:
            guard start + 2 <= bytes.count else { return nil }
            return Header(tag: tag, bodyStart: start + 2, length: Int(bytes[start]) << 8 | Int(bytes[start + 1]))
        case 2:
            guard start + 4 <= bytes.count else { return nil }
            return Header(tag: tag, bodyStart: start + 4, length: bigEndian32(bytes, start))
        default:
            return Header(tag: tag, bodyStart: start, length: nil)
        }
    }

    private static func newFormatHeader(tag: UInt8, bytes: [UInt8], at start: Int) -> Header? {
        guard start < bytes.count else { return nil }
        let octet = Int(bytes[start])
        switch octet {
        case 0..<192:
            return Header(tag: tag, bodyStart: start + 1, length: octet)
        case 192..<224:
            guard start + 2 <= bytes.count else { return nil }
            return Header(tag: tag, bodyStart: start + 2, length: ((octet - 192) << 8) + Int(bytes[start + 1]) + 192)
        case 255:
            guard start + 5 <= bytes.count else { return nil }
            return Header(tag: tag, bodyStart: start + 5, length: bigEndian32(bytes, start + 1))
        default:
            return Header(tag: tag, bodyStart: start + 1, length: nil)  // partial body length
        }
    }

    private static func bigEndian32(_ bytes: [UInt8], _ index: Int) -> Int {
        Int(bytes[index]) << 24 | Int(bytes[index + 1]) << 16 | Int(bytes[index + 2]) << 8 | Int(bytes[index + 3])
    }
}
