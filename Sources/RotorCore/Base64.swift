/// rotor's one base64 codec (RFC 4648, standard alphabet, `=` padding), for armor bodies,
/// webhook signatures, signing secrets and generated values.
///
/// rotor's own rather than Foundation's because what it encodes and decodes is mostly secret:
/// these work on byte arrays the caller can wipe (``SecureWipe``), where `Data` makes copies
/// nothing wipes. Decoding is strict: nothing but the alphabet (whitespace only between the
/// lines handed over), padding only at the end, and the unused bits of the last group zero,
/// so one text never decodes from two encodings.
public enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let table: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, char) in alphabet.enumerated() { table[Int(char)] = UInt8(index) }
        return table
    }()

    /// Appends the base64 of `bytes`, padded, to `out`.
    public static func encode(_ bytes: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        out.reserveCapacity(out.count + (bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let count = min(3, bytes.count - index)
            var group = UInt32(bytes[index]) << 16
            if count > 1 { group |= UInt32(bytes[index + 1]) << 8 }
            if count > 2 { group |= UInt32(bytes[index + 2]) }
            for position in 0..<4 {
                out.append(position <= count ? alphabet[Int(group >> (18 - 6 * UInt32(position)) & 63)] : UInt8(ascii: "="))
            }
            index += 3
        }
    }

    /// The base64 of `bytes`, padded.
    public static func encode(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        bytes.withUnsafeBytes { encode($0, into: &out) }
        return out
    }

    /// Decodes one base64 text; nil unless it is strictly valid (see the type's summary).
    public static func decode(_ text: [UInt8]) -> [UInt8]? {
        decode(CollectionOfOne(text))
    }

    /// Decodes base64 handed over in lines (an armor body), as one text; nil unless strictly valid.
    public static func decode<Lines: Collection>(_ lines: Lines) -> [UInt8]? where Lines.Element: Collection, Lines.Element.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity(lines.reduce(0) { $0 + $1.count } * 3 / 4)
        var accumulator: UInt32 = 0
        var count = 0
        var padding = 0
        for line in lines {
            for byte in line {
                if byte == UInt8(ascii: "=") {
                    padding += 1
                    continue
                }
                let value = table[Int(byte)]
                guard value != 0xFF, padding == 0 else { return nil }
                accumulator = accumulator << 6 | UInt32(value)
                count += 1
                if count == 4 {
                    out.append(UInt8(truncatingIfNeeded: accumulator >> 16))
                    out.append(UInt8(truncatingIfNeeded: accumulator >> 8))
                    out.append(UInt8(truncatingIfNeeded: accumulator))
                    accumulator = 0
                    count = 0
                }
            }
        }
        // The last group: two or three characters and their padding, its unused bits zero.
        switch (count, padding) {
        case (0, 0): return out
        case (2, 2):
            guard accumulator & 0xF == 0 else { return nil }
            out.append(UInt8(truncatingIfNeeded: accumulator >> 4))
        case (3, 1):
            guard accumulator & 0x3 == 0 else { return nil }
            out.append(UInt8(truncatingIfNeeded: accumulator >> 10))
            out.append(UInt8(truncatingIfNeeded: accumulator >> 2))
        default: return nil
        }
        return out
    }

    /// Decodes base64 whose padding may be left out (a `whsec_` signing secret as people paste it).
    public static func decodeUnpadded(_ text: [UInt8]) -> [UInt8]? {
        guard !text.contains(UInt8(ascii: "=")) else { return decode(text) }
        var padded = text
        defer { SecureWipe.wipe(&padded) }
        switch text.count % 4 {
        case 2: padded += Array("==".utf8)
        case 3: padded += Array("=".utf8)
        default: break
        }
        return decode(padded)
    }
}
