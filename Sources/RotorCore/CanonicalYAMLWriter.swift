import Foundation

/// Builds the bytes of the canonical YAML rotor writes (version files): literal text,
/// double-quoted strings, numbers, timestamps and armored values as literal blocks.
///
/// Works on bytes: a version file holds about a kilobyte of armor, and tens of thousands of
/// them are rendered by an apply and re-rendered by every first plan (the fast reader accepts a
/// file only when rendering what it read gives the same bytes).
public struct CanonicalYAMLWriter {
    /// What has been written.
    public private(set) var bytes: [UInt8] = []

    /// An empty writer with room for `capacity` bytes.
    public init(capacity: Int = 1_024) { bytes.reserveCapacity(capacity) }

    /// Appends literal text.
    public mutating func text(_ literal: String) {
        var literal = literal
        literal.withUTF8 { bytes.append(contentsOf: $0) }
    }

    /// Appends `text` as a double-quoted scalar (``YAMLQuoting/doubleQuoted(_:)``).
    public mutating func quoted(_ text: String) {
        var text = text
        text.withUTF8 { YAMLQuoting.appendDoubleQuoted($0, to: &bytes) }
    }

    /// Appends a decimal integer.
    public mutating func int(_ value: Int) { text(String(value)) }

    /// Appends a timestamp as a double-quoted RFC 3339 string.
    public mutating func quotedDate(_ date: Date) {
        bytes.append(UInt8(ascii: "\""))
        RFC3339.append(date, to: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    /// Appends `[a, b]` of double-quoted strings.
    public mutating func quotedList(_ items: [String]) {
        bytes.append(UInt8(ascii: "["))
        for (index, item) in items.enumerated() {
            if index > 0 { text(", ") }
            quoted(item)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// Appends an armored message as the lines of a literal block indented by six spaces (blank
    /// lines inside it unindented), without carriage returns or trailing blank lines.
    public mutating func armorBlock(_ armored: String) {
        var armored = armored
        armored.withUTF8 { source in
            var lines: [Range<Int>] = []
            var start = 0
            for index in 0...source.count where index == source.count || source[index] == 10 {
                let end = index > start && source[index - 1] == 13 ? index - 1 : index
                lines.append(start..<end)
                start = index + 1
            }
            while let last = lines.last, last.isEmpty { lines.removeLast() }
            for line in lines {
                if !line.isEmpty {
                    bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 6))
                    bytes.append(contentsOf: UnsafeBufferPointer(rebasing: source[line]))
                }
                bytes.append(10)
            }
        }
    }
}
