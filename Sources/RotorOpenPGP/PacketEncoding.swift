/// Writing OpenPGP packet framing (RFC 4880 section 4.2, new format only) and MPIs (section 3.2).
enum PacketEncoding {
    /// The largest body a definite five-octet length can describe.
    static let maximumBodyLength = Int(UInt32.max)

    /// A new-format packet header: `0xC0 | tag`, then the body length in one, two or five octets.
    ///
    /// - Precondition: `tag < 64` and `0 <= length <= maximumBodyLength` (callers check the length
    ///   and throw `OpenPGPError.messageTooLarge` first).
    static func header(tag: UInt8, length: Int) -> [UInt8] {
        precondition(tag < 64 && length >= 0 && length <= maximumBodyLength)
        return [0xC0 | tag] + lengthOctets(length)
    }

    /// The new-format body length: one octet below 192, two up to 8383, else 0xFF and four octets.
    static func lengthOctets(_ length: Int) -> [UInt8] {
        switch length {
        case 0..<192:
            return [UInt8(length)]
        case 192..<8384:
            let value = length - 192
            return [UInt8(value >> 8) + 192, UInt8(value & 0xFF)]
        default:
            return [0xFF] + bigEndian32(UInt32(length))
        }
    }

    /// An MPI: the bit count of `bytes` (leading zero bits excluded) as two octets, then the bytes
    /// without leading zero octets.
    static func mpi(_ bytes: [UInt8]) -> [UInt8] {
        let significant = Array(bytes.drop { $0 == 0 })
        guard let first = significant.first else { return [0, 0] }
        let bits = (significant.count - 1) * 8 + (8 - first.leadingZeroBitCount)
        return [UInt8(bits >> 8), UInt8(bits & 0xFF)] + significant
    }

    /// `value` as four big-endian octets.
    static func bigEndian32(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }
}
