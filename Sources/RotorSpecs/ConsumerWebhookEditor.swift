import Foundation
import RotorCore

/// Sets or removes one service's webhook in a Secret or ApiKey spec file, changing as little
/// of the file as it can.
///
/// rotor has no YAML writer that keeps comments and layout (and Swift has no such library), so
/// the edit is made in the text at the places libyaml reported: the URL replaced in place, a
/// `webhook:` line added under the consumer's last field, or that line removed. Everything else —
/// comments, quoting, order, blank lines — stays byte for byte. When the consumer entry is in a
/// form such an edit cannot handle (a flow mapping `{service: a}`, an alias, a value spanning
/// lines), the whole document is re-rendered in rotor's block style instead: every field is kept,
/// comments and anchors are not (``Edit/keptLayout`` says which happened).
///
/// Either way the result is parsed again and compared with the intended tree (the original one
/// with only that consumer's `webhook` changed); an edit that does not match is never returned.
public enum ConsumerWebhookEditor {
    /// A rewritten file.
    public struct Edit: Sendable {
        /// The new content.
        public let bytes: [UInt8]
        /// True when only the webhook's text changed; false when the document was re-rendered
        /// (its comments are gone).
        public let keptLayout: Bool
    }

    /// Why a file cannot be edited.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        /// What went wrong, naming the file.
        public let description: String
    }

    /// Sets `service`'s webhook to `url` (nil removes it) in `file`.
    ///
    /// - Parameters:
    ///   - url: The new URL, written as a plain scalar when it can be (``SpecWriter/scalar(_:)``); nil removes the field.
    ///   - service: The consumer whose entry changes (`spec.consumers[].service`).
    ///   - file: A Secret or ApiKey spec.
    /// - Returns: The new file, or nil when the file lists no such consumer or it already has that webhook.
    /// - Throws: ``Failure`` when the file does not parse, or no edit gives the intended document.
    public static func setting(webhook url: String?, of service: String, in file: SourceFile) throws -> Edit? {
        let root: Node
        switch YAMLDocument.parse(file) {
        case .success(let node): root = node
        case .failure(let diagnostic): throw Failure(description: diagnostic.description)
        }
        guard let found = locate(service, in: root) else { return nil }
        let current = found.webhook.flatMap { pair -> String? in
            if case .scalar(let scalar) = pair.value { return scalar.string }
            return nil
        }
        if let url {
            if current == url { return nil }
        } else if found.webhook == nil {
            return nil
        }
        let intended = replacing(consumerAt: found.index, in: root, with: changed(found.entry, webhook: url))
        if let bytes = editInPlace(file.bytes, entry: found.entry, webhook: found.webhook, url: url),
           matches(bytes, intended, path: file.path) {
            return Edit(bytes: bytes, keptLayout: true)
        }
        let rendered = Array(SpecWriter.render(intended).utf8)
        guard matches(rendered, intended, path: file.path) else {
            throw Failure(description: "\(file.path): cannot rewrite the webhook of consumer \(service); edit the file by hand")
        }
        return Edit(bytes: rendered, keptLayout: false)
    }

    /// The consumer entry of `service`: its index in `spec.consumers`, its mapping and its `webhook` pair.
    private static func locate(_ service: String, in root: Node) -> (index: Int, entry: Node.Mapping, webhook: (key: Node, value: Node)?)? {
        guard case .sequence(let consumers)? = value(of: "consumers", in: value(of: "spec", in: root)) else { return nil }
        for (index, item) in Array(consumers).enumerated() {
            guard case .mapping(let entry) = item, case .scalar(let name)? = value(of: "service", in: item), name.string == service else { continue }
            return (index, entry, entry.first { isKey($0.key, "webhook") })
        }
        return nil
    }

    private static func value(of key: String, in node: Node?) -> Node? {
        guard case .mapping(let mapping)? = node else { return nil }
        return mapping.first { isKey($0.key, key) }?.value
    }

    private static func isKey(_ node: Node, _ name: String) -> Bool {
        if case .scalar(let scalar) = node { return scalar.string == name }
        return false
    }

    /// `entry` with its webhook set to `url` (appended when absent) or removed.
    private static func changed(_ entry: Node.Mapping, webhook url: String?) -> Node {
        let mark = entry.mark
        let key = Node.scalar(Node.Scalar(string: "webhook", style: .plain, mark: mark, end: mark))
        let value = url.map { Node.scalar(Node.Scalar(string: $0, style: SpecWriter.isPlainSafe($0) ? .plain : .doubleQuoted, mark: mark, end: mark)) }
        let original = Array(entry)
        var pairs = original.filter { !isKey($0.key, "webhook") }
        if let value {
            if let index = original.firstIndex(where: { isKey($0.key, "webhook") }) {
                pairs = original
                pairs[index] = (key, value)
            } else {
                pairs.append((key, value))
            }
        }
        return .mapping(Node.Mapping(pairs: pairs, mark: mark, isFlow: entry.isFlow))
    }

    /// `root` with `spec.consumers[index]` replaced by `entry`.
    private static func replacing(consumerAt index: Int, in root: Node, with entry: Node) -> Node {
        func replace(_ key: String, in node: Node, _ transform: (Node) -> Node) -> Node {
            guard case .mapping(let mapping) = node else { return node }
            let pairs = Array(mapping).map { pair in (key: pair.key, value: isKey(pair.key, key) ? transform(pair.value) : pair.value) }
            return .mapping(Node.Mapping(pairs: pairs, mark: mapping.mark, isFlow: mapping.isFlow))
        }
        return replace("spec", in: root) { spec in
            replace("consumers", in: spec) { consumers in
                guard case .sequence(let sequence) = consumers else { return consumers }
                var items = Array(sequence)
                items[index] = entry
                return .sequence(Node.Sequence(items: items, mark: sequence.mark))
            }
        }
    }

    /// Whether `bytes` parse to the same tree as `intended`.
    private static func matches(_ bytes: [UInt8], _ intended: Node, path: String) -> Bool {
        guard case .success(let node) = YAMLDocument.parse(SourceFile(path: path, bytes: bytes)) else { return false }
        return SpecWriter.sameTree(node, intended)
    }

    /// The text edit, or nil when the entry's form needs a re-render.
    private static func editInPlace(_ bytes: [UInt8], entry: Node.Mapping, webhook: (key: Node, value: Node)?, url: String?) -> [UInt8]? {
        guard !entry.isFlow else { return nil }
        let text = TextPositions(bytes)
        let pairs = Array(entry)
        switch (webhook, url) {
        case (let pair?, let url?):
            // Replace the URL where it stands.
            guard case .scalar(let value) = pair.value, value.mark.line == value.end.line,
                  let start = text.offset(value.mark), let end = text.offset(value.end) else { return nil }
            return Array(bytes[..<start]) + Array(SpecWriter.scalar(url).utf8) + Array(bytes[end...])
        case (nil, let url?):
            // A new line under the entry's last field, at its keys' indentation.
            guard let last = pairs.last, case .scalar(let value) = last.value, value.mark.line == value.end.line,
                  case .scalar(let firstKey)? = pairs.first?.key, let lineEnd = text.startOfLine(after: value.end.line) else { return nil }
            var insertion = Array((String(repeating: " ", count: firstKey.mark.column - 1) + "webhook: " + SpecWriter.scalar(url) + "\n").utf8)
            if lineEnd == bytes.count, bytes.last != UInt8(ascii: "\n") { insertion.insert(UInt8(ascii: "\n"), at: 0) }
            return Array(bytes[..<lineEnd]) + insertion + Array(bytes[lineEnd...])
        case (let pair?, nil):
            guard case .scalar(let key) = pair.key, case .scalar(let value) = pair.value, value.mark.line == value.end.line,
                  let index = pairs.firstIndex(where: { isKey($0.key, "webhook") }),
                  let keyStart = text.offset(key.mark), let lineStart = text.startOfLine(key.mark.line),
                  let lineEnd = text.startOfLine(after: value.end.line) else { return nil }
            if index > 0 {
                // Its own line(s): remove them whole.
                guard bytes[lineStart..<keyStart].allSatisfy({ $0 == UInt8(ascii: " ") }) else { return nil }
                return Array(bytes[..<lineStart]) + Array(bytes[lineEnd...])
            }
            // The first field, after the dash: the next field moves up to take its place.
            guard pairs.count > 1, case .scalar(let next) = pairs[index + 1].key, next.mark.line == value.end.line + 1,
                  let nextStart = text.offset(next.mark) else { return nil }
            return Array(bytes[..<keyStart]) + Array(bytes[nextStart...])
        case (nil, nil):
            return nil
        }
    }
}

/// Byte offsets of libyaml's 1-based line and column marks (columns count characters).
private struct TextPositions {
    let bytes: [UInt8]
    /// The offset where each line starts, and `bytes.count` for the line after the last.
    let lineStarts: [Int]

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        var starts = [0]
        for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") { starts.append(index + 1) }
        if starts.last != bytes.count { starts.append(bytes.count) }
        lineStarts = starts
    }

    /// Where 1-based `line` starts.
    func startOfLine(_ line: Int) -> Int? { line >= 1 && line <= lineStarts.count ? lineStarts[line - 1] : nil }

    /// Where the line after 1-based `line` starts (the end of the file after the last line).
    func startOfLine(after line: Int) -> Int? { line >= 1 && line < lineStarts.count ? lineStarts[line] : nil }

    /// The byte offset of `mark`.
    func offset(_ mark: Node.Mark) -> Int? {
        guard var offset = startOfLine(mark.line) else { return nil }
        var characters = mark.column - 1
        while characters > 0 {
            guard offset < bytes.count, bytes[offset] != UInt8(ascii: "\n") else { return nil }
            // Skip one UTF-8 character: its lead byte and continuation bytes.
            offset += 1
            while offset < bytes.count, bytes[offset] & 0xC0 == 0x80 { offset += 1 }
            characters -= 1
        }
        return offset
    }
}
