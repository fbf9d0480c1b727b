import Foundation
import RotorCore

/// A fast reader for version files exactly as rotor writes them, without a YAML parser.
///
/// Version files are machine-written in one canonical form, and a large repository holds
/// tens of thousands of them, so the general YAML path dominated every plan. This reader
/// accepts only that form: it parses line by line and then re-renders the result, and the
/// result is used only when the re-rendering is byte-for-byte the input. Anything else (a
/// hand edit, an older layout) returns nil and goes through the YAML path with its
/// `path:line:column` diagnostics.
enum CanonicalVersionFile {
    static func parse(_ bytes: [UInt8]) -> VersionFile? {
        guard let text = String(validating: bytes, as: UTF8.self) else { return nil }
        // Split on bytes: Character-level splitting (grapheme breaking) cost more than the rest.
        var lines = text.utf8.split(separator: 10, omittingEmptySubsequences: false).map { Substring($0) }[...]
        guard lines.popFirst() == Substring(VersionFile.header), lines.popFirst() == "apiVersion: rotor.dev/v1",
              lines.popFirst() == "kind: SecretVersions", lines.popFirst() == "metadata:",
              let project = field(lines.popFirst(), "  project: ").flatMap(unquote),
              let name = field(lines.popFirst(), "  name: ").flatMap(unquote),
              lines.popFirst() == "versions:", let secret = SecretID(parsing: "\(project)/\(name)") else { return nil }
        var versions: [SecretVersion] = []
        while let first = lines.first, first.hasPrefix("  - id: ") {
            lines.removeFirst()
            guard let id = field(first, "  - id: ").flatMap(unquote),
                  let number = field(lines.popFirst(), "    version: ").flatMap({ Int($0) }),
                  let state = field(lines.popFirst(), "    state: ").flatMap({ SecretVersion.State(rawValue: String($0)) }),
                  let createdAt = field(lines.popFirst(), "    createdAt: ").flatMap(unquote).flatMap(RFC3339.parse),
                  let createdBy = field(lines.popFirst(), "    createdBy: ").flatMap(unquote) else { return nil }
            var rotatedFrom: Int?
            if let value = field(lines.first, "    rotatedFrom: ") {
                rotatedFrom = Int(value)
                lines.removeFirst()
            }
            guard let reason = field(lines.popFirst(), "    rotationReason: ").flatMap(unquote) else { return nil }
            var graceExpiresAt: Date?
            if let value = field(lines.first, "    graceExpiresAt: ") {
                graceExpiresAt = unquote(value).flatMap(RFC3339.parse)
                lines.removeFirst()
            }
            guard let source = field(lines.popFirst(), "    source: ").flatMap({ SecretVersion.Source(rawValue: String($0)) }) else { return nil }
            var digest: String?
            if let value = field(lines.first, "    sourceDigest: ") {
                digest = unquote(value)
                lines.removeFirst()
            }
            guard let recipientList = field(lines.popFirst(), "    recipients: ["), recipientList.hasSuffix("]"),
                  lines.popFirst() == "    value: |" else { return nil }
            let recipients = recipientList.dropLast().split(separator: ",").compactMap { unquote($0.trimmingCharacters(in: .whitespaces)[...]) }
            var armor: [Substring] = []
            while let line = lines.first, line.hasPrefix("      ") || (line.isEmpty && lines.count > 1) {
                armor.append(line.isEmpty ? "" : line.dropFirst(6))
                lines.removeFirst()
            }
            let value = armor.joined(separator: "\n") + "\n"
            guard OpenPGPArmor.isEncryptedMessage(value) else { return nil }
            versions.append(SecretVersion(id: id, version: number, state: state, createdAt: createdAt, createdBy: createdBy,
                                          rotatedFrom: rotatedFrom, rotationReason: reason, graceExpiresAt: graceExpiresAt,
                                          source: source, sourceDigest: digest, recipients: recipients, valueEncrypted: value))
        }
        guard lines == [""] || lines.isEmpty else { return nil }
        let file = VersionFile(secret: secret, versions: versions)
        // Accept only what rotor itself would write, byte for byte.
        return file.canonicalText() == text ? file : nil
    }

    private static func field(_ line: Substring?, _ prefix: String) -> Substring? {
        guard let line, line.hasPrefix(prefix) else { return nil }
        return line.dropFirst(prefix.count)
    }

    /// Undoes `YAMLQuoting.doubleQuoted`.
    static func unquote(_ text: Substring) -> String? {
        guard text.count >= 2, text.first == "\"", text.last == "\"" else { return nil }
        var out = ""
        var scalars = text.dropFirst().dropLast().unicodeScalars.makeIterator()
        while let scalar = scalars.next() {
            guard scalar == "\\" else {
                if scalar == "\"" { return nil }
                out.unicodeScalars.append(scalar)
                continue
            }
            switch scalars.next() {
            case "\""?: out += "\""
            case "\\"?: out += "\\"
            case "n"?: out += "\n"
            case "r"?: out += "\r"
            case "t"?: out += "\t"
            case "u"?:
                var hex = ""
                for _ in 0..<4 { if let digit = scalars.next() { hex.unicodeScalars.append(digit) } }
                guard let code = UInt32(hex, radix: 16), let decoded = Unicode.Scalar(code) else { return nil }
                out.unicodeScalars.append(decoded)
            default: return nil
            }
        }
        return out
    }
}
