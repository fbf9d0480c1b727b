/// Strict RFC 4648 base64 decoding for armor bodies: standard alphabet, length a multiple of
/// four, `=` padding only at the end, no whitespace, zero unused bits.
enum Base64Strict {
    private static let table: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, byte) in Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8).enumerated() {
            table[Int(byte)] = UInt8(index)
        }
        return table
    }()

    /// Decodes `encoded`, or returns `nil` if it is not strictly valid base64.
    static func decode(_ encoded: [UInt8]) -> [UInt8]? {
        guard encoded.count % 4 == 0 else { return nil }
        let padding = encoded.reversed().prefix { $0 == UInt8(ascii: "=") }.count
        guard padding <= 2 else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(encoded.count / 4 * 3)
        var index = 0
        while index < encoded.count {
            let isLast = index + 4 == encoded.count
            var values: [UInt32] = [0, 0, 0, 0]
            for offset in 0..<4 {
                let byte = encoded[index + offset]
                if byte == UInt8(ascii: "=") {
                    guard isLast, offset >= 4 - padding else { return nil }
                    continue
                }
                let value = table[Int(byte)]
                guard value != 0xFF else { return nil }
                values[offset] = UInt32(value)
            }
            let group = values[0] << 18 | values[1] << 12 | values[2] << 6 | values[3]
            let bytes = [UInt8(group >> 16 & 0xFF), UInt8(group >> 8 & 0xFF), UInt8(group & 0xFF)]
            let keep = isLast ? 3 - padding : 3
            // Non-canonical encodings (stray bits in the padding) are rejected.
            if keep < 3 && bytes[keep...].contains(where: { $0 != 0 }) { return nil }
            output.append(contentsOf: bytes[0..<keep])
            index += 4
        }
        return output
    }
}
