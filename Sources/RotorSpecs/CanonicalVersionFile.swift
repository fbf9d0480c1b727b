import Foundation
import RotorCore

/// A fast reader for version files exactly as rotor writes them, without a YAML parser.
///
/// Version files are machine-written in one canonical form, and a large repository holds
/// tens of thousands of them, so the general YAML path dominated every plan. This reader
/// accepts only that form: it reads the bytes line by line and then re-renders the result,
/// and the result is used only when the re-rendering is byte-for-byte the input (which also
/// rules out anything that is not UTF-8). Anything else (a hand edit, an older layout)
/// returns nil and goes through the YAML path with its `path:line:column` diagnostics.
enum CanonicalVersionFile {
    static func parse(_ bytes: [UInt8]) -> VersionFile? {
        bytes.withUnsafeBufferPointer { buffer -> VersionFile? in
            var lines = Lines(buffer)
            guard lines.next(equals: VersionFile.header), lines.next(equals: "apiVersion: rotor.dev/v1"),
                  lines.next(equals: "kind: SecretVersions"), lines.next(equals: "metadata:"),
                  let project = lines.next(after: "  project: ").flatMap(unquote),
                  let name = lines.next(after: "  name: ").flatMap(unquote),
                  lines.next(equals: "versions:"), let secret = SecretID(parsing: "\(project)/\(name)") else { return nil }
            var versions: [SecretVersion] = []
            while let idField = lines.next(after: "  - id: ") {
                guard let id = unquote(idField),
                      let number = lines.next(after: "    version: ").flatMap(integer),
                      let state = lines.next(after: "    state: ").flatMap({ SecretVersion.State(rawValue: string($0)) }),
                      let createdAt = lines.next(after: "    createdAt: ").flatMap(unquote).flatMap(RFC3339.parse),
                      let createdBy = lines.next(after: "    createdBy: ").flatMap(unquote) else { return nil }
                var rotatedFrom: Int?
                if let value = lines.next(after: "    rotatedFrom: ") {
                    guard let from = integer(value) else { return nil }
                    rotatedFrom = from
                }
                guard let reason = lines.next(after: "    rotationReason: ").flatMap(unquote) else { return nil }
                var rolledBackTo: Int?
                if let value = lines.next(after: "    rolledBackTo: ") {
                    guard let to = integer(value) else { return nil }
                    rolledBackTo = to
                }
                var graceExpiresAt: Date?
                if let value = lines.next(after: "    graceExpiresAt: ") {
                    guard let expires = unquote(value).flatMap(RFC3339.parse) else { return nil }
                    graceExpiresAt = expires
                }
                guard let source = lines.next(after: "    source: ").flatMap({ SecretVersion.Source(rawValue: string($0)) }) else { return nil }
                var digest: String?
                if let value = lines.next(after: "    sourceDigest: ") {
                    guard let text = unquote(value) else { return nil }
                    digest = text
                }
                guard let recipients = lines.next(after: "    recipients: ").flatMap(quotedList),
                      lines.next(equals: "    value: |"), let value = lines.armorBlock(),
                      OpenPGPArmor.isEncryptedMessage(value) else { return nil }
                versions.append(SecretVersion(id: id, version: number, state: state, createdAt: createdAt, createdBy: createdBy,
                                              rotatedFrom: rotatedFrom, rotationReason: reason, graceExpiresAt: graceExpiresAt,
                                              source: source, sourceDigest: digest, recipients: recipients, valueEncrypted: value,
                                              rolledBackTo: rolledBackTo))
            }
            guard lines.isAtEnd, isValid(versions) else { return nil }
            let file = VersionFile(secret: secret, versions: versions)
            // Accept only what rotor itself would write, byte for byte.
            let rendered = file.canonicalBytes()
            return rendered.count == buffer.count && memcmp(rendered, buffer.baseAddress!, buffer.count) == 0 ? file : nil
        }
    }

    /// The rules the YAML path reports as errors: a file that breaks one is declined, so the
    /// YAML path reads it and says where.
    private static func isValid(_ versions: [SecretVersion]) -> Bool {
        let numbers = 1...Int(Int32.max)
        return versions.allSatisfy { version in
            numbers.contains(version.version) && version.rotatedFrom.map(numbers.contains) != false
                && version.rolledBackTo.map { $0 < version.version } != false
                && (version.state != .grace || version.graceExpiresAt != nil)
                && version.recipients.allSatisfy(OpenPGPArmor.isNormalizedFingerprint)
        } && versions.filter { $0.state == .active }.count <= 1 && Set(versions.map(\.version)).count == versions.count
    }

    typealias Bytes = Slice<UnsafeBufferPointer<UInt8>>

    /// The lines of a file, each without its newline; the file must end with one.
    struct Lines {
        let buffer: UnsafeBufferPointer<UInt8>
        var position = 0

        init(_ buffer: UnsafeBufferPointer<UInt8>) { self.buffer = buffer }

        var isAtEnd: Bool { position == buffer.count }

        /// The next line, without consuming it (nil at the end or without a final newline).
        func peek() -> Bytes? {
            guard let end = buffer[position...].firstIndex(of: 10) else { return nil }
            return buffer[position..<end]
        }

        /// Consumes the next line when it is exactly `literal`.
        mutating func next(equals literal: String) -> Bool {
            guard let line = peek(), line.elementsEqual(literal.utf8) else { return false }
            position = line.endIndex + 1
            return true
        }

        /// Consumes the next line when it starts with `prefix`; returns the rest of it.
        mutating func next(after prefix: String) -> Bytes? {
            guard let line = peek(), line.starts(with: prefix.utf8) else { return nil }
            position = line.endIndex + 1
            return line.dropFirst(prefix.utf8.count)
        }

        /// A literal block of armor lines indented by six spaces (blank lines unindented) as
        /// one string with a final newline.
        mutating func armorBlock() -> String? {
            // YAML takes a literal block's indentation from its first line: one with more than
            // six spaces would mean something else, and a tab there is an error to libyaml.
            guard let first = peek(), first.count > 6, first[first.startIndex + 6] != 32, first[first.startIndex + 6] != 9 else { return nil }
            var value: [UInt8] = []
            while let line = peek(), line.isEmpty || line.starts(with: repeatElement(32, count: 6)) {
                // A blank line belongs to the block only when an indented line follows.
                if line.isEmpty {
                    var after = self
                    after.position = line.endIndex + 1
                    guard let next = after.peek(), next.starts(with: repeatElement(32, count: 6)) || next.isEmpty else { break }
                } else {
                    value.append(contentsOf: line.dropFirst(6))
                }
                value.append(10)
                position = line.endIndex + 1
            }
            return value.isEmpty ? nil : String(decoding: value, as: UTF8.self)
        }
    }

    static func string(_ bytes: Bytes) -> String { String(decoding: bytes, as: UTF8.self) }

    /// A decimal integer as rotor writes it (the re-rendering rejects `+1` or `01`).
    static func integer(_ bytes: Bytes) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 18 else { return nil }
        return Int(string(bytes))
    }

    /// `["a", "b"]` as written by ``CanonicalYAMLWriter/field(_:list:)``.
    static func quotedList(_ bytes: Bytes) -> [String]? {
        guard bytes.first == UInt8(ascii: "["), bytes.last == UInt8(ascii: "]") else { return nil }
        var rest = bytes.dropFirst().dropLast()
        var items: [String] = []
        while !rest.isEmpty {
            if !items.isEmpty {
                guard rest.starts(with: [UInt8(ascii: ","), 32]) else { return nil }
                rest = rest.dropFirst(2)
            }
            guard rest.first == UInt8(ascii: "\""), let close = closingQuote(rest), let item = unquote(rest[...close]) else { return nil }
            items.append(item)
            rest = rest[(close + 1)...]
        }
        return items
    }

    /// The index of the quote that ends the double-quoted string starting `bytes`.
    private static func closingQuote(_ bytes: Bytes) -> Int? {
        var index = bytes.startIndex + 1
        while index < bytes.endIndex {
            switch bytes[index] {
            case UInt8(ascii: "\\"): index += 2
            case UInt8(ascii: "\""): return index
            default: index += 1
            }
        }
        return nil
    }

    /// Undoes `YAMLQuoting.doubleQuoted` on the whole of `text` (quotes included).
    static func unquote(_ text: Bytes) -> String? {
        guard text.count >= 2, text.first == UInt8(ascii: "\""), text.last == UInt8(ascii: "\"") else { return nil }
        let body = text.dropFirst().dropLast()
        // Most strings need no unescaping: one copy.
        if !body.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") }) { return string(body) }
        var out: [UInt8] = []
        out.reserveCapacity(body.count)
        var index = body.startIndex
        while index < body.endIndex {
            let byte = body[index]
            index += 1
            guard byte == UInt8(ascii: "\\") else {
                if byte == UInt8(ascii: "\"") { return nil }
                out.append(byte)
                continue
            }
            guard index < body.endIndex else { return nil }
            let escape = body[index]
            index += 1
            switch escape {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(escape)
            case UInt8(ascii: "n"): out.append(10)
            case UInt8(ascii: "r"): out.append(13)
            case UInt8(ascii: "t"): out.append(9)
            case UInt8(ascii: "u"):
                guard index + 4 <= body.endIndex, let code = UInt32(string(body[index..<(index + 4)]), radix: 16),
                      let scalar = Unicode.Scalar(code) else { return nil }
                out.append(contentsOf: String(Character(scalar)).utf8)
                index += 4
            default: return nil
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
