/// The OpenPGP armor checksum (RFC 4880 section 6.1): CRC-24, init 0xB704CE, polynomial 0x1864CFB.
enum CRC24 {
    /// The 24-bit checksum of `bytes`.
    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xB704CE
        for byte in bytes {
            crc ^= UInt32(byte) << 16
            for _ in 0..<8 {
                crc <<= 1
                if crc & 0x100_0000 != 0 { crc ^= 0x1864CFB }
            }
        }
        return crc & 0xFF_FFFF
    }
}
