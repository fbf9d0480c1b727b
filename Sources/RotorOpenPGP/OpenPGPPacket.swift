/// One packet of a binary OpenPGP key block: its tag and body (RFC 4880 section 4.2).
public struct OpenPGPPacket: Equatable, Sendable {
    /// The packet tag (6 public key, 14 public subkey, 13 user id, 2 signature, …).
    public let tag: UInt8
    /// Where the packet's header starts in the input, for error messages.
    public let offset: Int
    /// The packet body.
    public let body: ArraySlice<UInt8>

    /// Splits binary OpenPGP data into packets, old or new header format.
    ///
    /// Key blocks use definite lengths only, so partial (new format) and indeterminate (old
    /// format) lengths are refused.
    /// - Parameter bytes: Dearmored packets, e.g. the output of `gpg --export`.
    /// - Returns: The packets in order.
    /// - Throws: `OpenPGPError.malformedPacket` naming the offset of the first bad header or a
    ///   body that runs past the end.
    public static func parse(_ bytes: [UInt8]) throws -> [OpenPGPPacket] {
        var packets: [OpenPGPPacket] = []
        var offset = 0
        while offset < bytes.count {
            let (tag, bodyStart, length) = try header(bytes, at: offset)
            guard length <= bytes.count - bodyStart else {
                throw OpenPGPError.malformedPacket(offset: offset, reason: "packet (tag \(tag)) of \(length) bytes runs past the end of the data")
            }
            packets.append(OpenPGPPacket(tag: tag, offset: offset, body: bytes[bodyStart..<(bodyStart + length)]))
            offset = bodyStart + length
        }
        return packets
    }

    /// Reads one header: the tag, where the body starts and its length.
    private static func header(_ bytes: [UInt8], at offset: Int) throws -> (UInt8, Int, Int) {
        let first = bytes[offset]
        guard first & 0x80 != 0 else {
            throw OpenPGPError.malformedPacket(offset: offset, reason: "byte 0x\(String(first, radix: 16)) is not a packet header")
        }
        func need(_ count: Int) throws {
            guard offset + 1 + count <= bytes.count else {
                throw OpenPGPError.malformedPacket(offset: offset, reason: "truncated packet header")
            }
        }
        if first & 0x40 != 0 {
            let tag = first & 0x3F
            try need(1)
            let octet = Int(bytes[offset + 1])
            switch octet {
            case 0..<192:
                return (tag, offset + 2, octet)
            case 192..<224:
                try need(2)
                return (tag, offset + 3, ((octet - 192) << 8) + Int(bytes[offset + 2]) + 192)
            case 255:
                try need(5)
                return (tag, offset + 6, bigEndian32(bytes, offset + 2))
            default:
                throw OpenPGPError.malformedPacket(offset: offset, reason: "partial body lengths are not allowed in key data")
            }
        }
        let tag = (first >> 2) & 0x0F
        switch first & 0x03 {
        case 0:
            try need(1)
            return (tag, offset + 2, Int(bytes[offset + 1]))
        case 1:
            try need(2)
            return (tag, offset + 3, Int(bytes[offset + 1]) << 8 | Int(bytes[offset + 2]))
        case 2:
            try need(4)
            return (tag, offset + 5, bigEndian32(bytes, offset + 1))
        default:
            throw OpenPGPError.malformedPacket(offset: offset, reason: "indeterminate lengths are not allowed in key data")
        }
    }

    private static func bigEndian32(_ bytes: [UInt8], _ index: Int) -> Int {
        Int(bytes[index]) << 24 | Int(bytes[index + 1]) << 16 | Int(bytes[index + 2]) << 8 | Int(bytes[index + 3])
    }
}
