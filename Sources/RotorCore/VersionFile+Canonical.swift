import Foundation

extension VersionFile {
    /// The header line of every version file.
    public static let header = "# Written by rotor: do not edit. Each value is a PGP message; `rotor history` explains the fields."

    /// The one canonical text of this file: same versions, same bytes.
    ///
    /// Strings are written as double-quoted JSON-compatible YAML scalars and armored values as
    /// literal blocks, so the output never depends on an emitter's choices.
    public func canonicalText() -> String {
        var out = "\(Self.header)\napiVersion: rotor.dev/v1\nkind: SecretVersions\nmetadata:\n"
        out += "  project: \(quoted(secret.project))\n  name: \(quoted(secret.name))\nversions:\n"
        for version in versions {
            out += "  - id: \(quoted(version.id))\n"
            out += "    version: \(version.version)\n"
            out += "    state: \(version.state.rawValue)\n"
            out += "    createdAt: \(quoted(RFC3339.format(version.createdAt)))\n"
            out += "    createdBy: \(quoted(version.createdBy))\n"
            if let from = version.rotatedFrom { out += "    rotatedFrom: \(from)\n" }
            out += "    rotationReason: \(quoted(version.rotationReason))\n"
            if let expires = version.graceExpiresAt { out += "    graceExpiresAt: \(quoted(RFC3339.format(expires)))\n" }
            out += "    source: \(version.source.rawValue)\n"
            if let digest = version.sourceDigest { out += "    sourceDigest: \(quoted(digest))\n" }
            out += "    recipients: [\(version.recipients.map(quoted).joined(separator: ", "))]\n"
            out += "    value: |\n"
            // Blank lines inside an armor (after its headers) are part of it: keep them, unindented.
            for line in Self.armorLines(version.valueEncrypted) {
                out += line.isEmpty ? "\n" : "      \(line)\n"
            }
        }
        return out
    }

    /// The lines of an armored message without carriage returns or trailing blank lines.
    static func armorLines(_ armored: String) -> [Substring] {
        // Split on bytes (fast); "\r\n" line ends lose their "\r" below.
        var lines = armored.utf8.split(separator: 10, omittingEmptySubsequences: false).map { line -> Substring in
            line.last == 13 ? Substring(line.dropLast()) : Substring(line)
        }
        while let last = lines.last, last.isEmpty { lines.removeLast() }
        return lines
    }

    /// An armored message in its canonical form: LF line ends and exactly one final newline.
    public static func canonicalArmor(_ armored: String) -> String {
        armorLines(armored).joined(separator: "\n") + "\n"
    }

    private func quoted(_ text: String) -> String { YAMLQuoting.doubleQuoted(text) }
}

/// Quoting strings for the YAML and JSON rotor writes (version files, event payloads, audit
/// metadata, log lines): one function, so every writer escapes the same way.
public enum YAMLQuoting {
    /// A double-quoted scalar with JSON escapes: valid YAML 1.1 and 1.2, and a valid JSON string.
    public static func doubleQuoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += String(format: "\\u%04X", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
