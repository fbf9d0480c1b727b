/// Uppercase hexadecimal for fingerprints and OIDs in messages.
enum Hex {
    private static let digits = Array("0123456789ABCDEF".utf8)

    /// `bytes` as uppercase hex digits, two per byte.
    static func upper<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var out: [UInt8] = []
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
