import Foundation

/// Builds the bytes of the canonical YAML rotor writes (version files), a line at a time:
/// strings double-quoted, armored values as literal blocks, optional fields left out when nil.
///
/// Works on bytes: a version file holds about a kilobyte of armor, and tens of thousands of
/// them are rendered by an apply and re-rendered by every first plan (the fast reader accepts a
/// file only when rendering what it read gives the same bytes).
public struct CanonicalYAMLWriter {
    /// What has been written.
    public private(set) var bytes: [UInt8] = []

    /// An empty writer with room for `capacity` bytes.
    public init(capacity: Int = 1_024) { bytes.reserveCapacity(capacity) }

    /// The header line, `apiVersion`, `kind`, the secret's `metadata` and `versions:`.
    public mutating func document(kind: String, of secret: SecretID) {
        text("\(VersionFile.header)\napiVersion: rotor.dev/v1\nkind: \(kind)\nmetadata:\n")
        field("project", quoted: secret.project, indent: 2)
        field("name", quoted: secret.name, indent: 2)
        text("versions:\n")
    }

    /// `  - id: "…"`: starts an item of `versions:`.
    public mutating func item(id: String) {
        text("  - id: ")
        quoted(id)
        bytes.append(10)
    }

    /// A field of a version written as is (numbers, enum values); nothing when nil.
    public mutating func field(_ name: String, plain value: String?) {
        guard let value else { return }
        text("    \(name): \(value)\n")
    }

    /// A double-quoted string field; nothing when nil.
    public mutating func field(_ name: String, quoted value: String?, indent: Int = 4) {
        guard let value else { return }
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent))
        text("\(name): ")
        quoted(value)
        bytes.append(10)
    }

    /// A timestamp as a double-quoted RFC 3339 string; nothing when nil.
    public mutating func field(_ name: String, date: Date?) {
        guard let date else { return }
        text("    \(name): \"")
        RFC3339.append(date, to: &bytes)
        text("\"\n")
    }

    /// `[a, b]` of double-quoted strings.
    public mutating func field(_ name: String, list items: [String]) {
        text("    \(name): [")
        for (index, item) in items.enumerated() {
            if index > 0 { text(", ") }
            quoted(item)
        }
        text("]\n")
    }

    /// `value: |` and an armored message as the lines of a literal block indented by six
    /// spaces (blank lines inside it unindented, as YAML allows); nothing when nil.
    public mutating func armor(_ armored: String?) {
        guard var armored else { return }
        text("    value: |\n")
        armored.withUTF8 { utf8 in
            for line in VersionFile.armorLines(utf8) {
                if !line.isEmpty {
                    bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 6))
                    bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[line]))
                }
                bytes.append(10)
            }
        }
    }

    private mutating func text(_ literal: String) {
        var literal = literal
        literal.withUTF8 { bytes.append(contentsOf: $0) }
    }

    private mutating func quoted(_ text: String) {
        var text = text
        text.withUTF8 { YAMLQuoting.appendDoubleQuoted($0, to: &bytes) }
    }
}
