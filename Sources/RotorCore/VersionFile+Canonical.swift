import Foundation

extension VersionFile {
    /// The header line of every version file.
    public static let header = "# Written by rotor: do not edit. Each value is a PGP message; `rotor history` explains the fields."

    /// The one canonical text of this file: same versions, same bytes.
    ///
    /// Strings are written as double-quoted JSON-compatible YAML scalars and armored values as
    /// literal blocks, so the output never depends on an emitter's choices.
    public func canonicalText() -> String { String(decoding: canonicalBytes(), as: UTF8.self) }

    /// ``canonicalText()`` as UTF-8 bytes (what is written to git).
    public func canonicalBytes() -> [UInt8] {
        var out = CanonicalYAMLWriter(capacity: 512 + versions.reduce(0) { $0 + $1.valueEncrypted.utf8.count + 128 * $1.recipients.count })
        out.document(kind: "SecretVersions", of: secret)
        for version in versions {
            out.item(id: version.id)
            out.field("version", plain: String(version.version))
            out.field("state", plain: version.state.rawValue)
            out.field("createdAt", date: version.createdAt)
            out.field("createdBy", quoted: version.createdBy)
            out.field("rotatedFrom", plain: version.rotatedFrom.map(String.init))
            out.field("rotationReason", quoted: version.rotationReason)
            out.field("rolledBackTo", plain: version.rolledBackTo.map(String.init))
            out.field("graceExpiresAt", date: version.graceExpiresAt)
            out.field("source", plain: version.source.rawValue)
            out.field("sourceDigest", quoted: version.sourceDigest)
            out.field("recipients", list: version.recipients)
            out.armor(version.valueEncrypted)
        }
        return out.bytes
    }

    /// Where the lines of an armored message's UTF-8 lie, without their line ends (`\n` or
    /// `\r\n`) and without trailing blank lines: the one reading of an armor's lines, for
    /// ``canonicalArmor(_:)`` and the version-file renderer.
    static func armorLines(_ utf8: UnsafeBufferPointer<UInt8>) -> [Range<Int>] {
        var lines: [Range<Int>] = []
        var start = 0
        for index in 0...utf8.count where index == utf8.count || utf8[index] == 10 {
            lines.append(start..<(index > start && utf8[index - 1] == 13 ? index - 1 : index))
            start = index + 1
        }
        while let last = lines.last, last.isEmpty { lines.removeLast() }
        return lines
    }

    /// An armored message in its canonical form: LF line ends and exactly one final newline.
    public static func canonicalArmor(_ armored: String) -> String {
        var armored = armored
        return armored.withUTF8 { utf8 in
            var out: [UInt8] = []
            out.reserveCapacity(utf8.count + 1)
            for line in armorLines(utf8) {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[line]))
                out.append(10)
            }
            if out.isEmpty { out.append(10) }
            return String(decoding: out, as: UTF8.self)
        }
    }
}

/// Quoting strings for the YAML and JSON rotor writes (version files, event payloads, audit
/// metadata, log lines): one function, so every writer escapes the same way.
public enum YAMLQuoting {
    /// A double-quoted scalar with JSON escapes: valid YAML 1.1 and 1.2, and a valid JSON string.
    public static func doubleQuoted(_ text: String) -> String {
        var text = text
        var out: [UInt8] = []
        text.withUTF8 { source in
            out.reserveCapacity(source.count + 2)
            appendDoubleQuoted(source, to: &out)
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    /// Appends the double-quoted form of the UTF-8 `source` to `out`.
    public static func appendDoubleQuoted(_ source: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var clean = 0  // bytes from here on that need no escape are copied in one go
        for index in source.indices {
            let byte = source[index]
            guard byte < 0x20 || byte == 0x7F || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: source[clean..<index]))
            clean = index + 1
            out.append(UInt8(ascii: "\\"))
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(byte)
            case 10: out.append(UInt8(ascii: "n"))
            case 13: out.append(UInt8(ascii: "r"))
            case 9: out.append(UInt8(ascii: "t"))
            default:
                out += [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 15)]]
            }
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: source[clean...]))
        out.append(UInt8(ascii: "\""))
    }
}
