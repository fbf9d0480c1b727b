import Foundation
import RotorCore

extension SpecWriter {
    /// A whole document re-rendered from its node tree in the block style ``secret(_:)`` writes:
    /// every field and its order kept, comments, anchors and flow style not.
    ///
    /// A scalar written plain stays plain (so `revoked: true` stays a boolean); any other
    /// scalar is double-quoted, or a literal block when it spans lines and a literal block
    /// keeps it exactly. Callers parse the result and compare the trees (``sameTree(_:_:)``).
    static func render(_ root: Node) -> String {
        var lines: [String] = []
        switch root {
        case .mapping(let mapping): emit(mapping: mapping, indent: 0, into: &lines)
        case .sequence(let sequence): emit(sequence: sequence, indent: 0, into: &lines)
        case .scalar(let scalar): lines.append(inline(scalar) ?? YAMLQuoting.doubleQuoted(scalar.string))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Whether two trees hold the same data: the same keys in the same order, the same scalar
    /// strings, and plain where the other is plain (a plain `true` is a boolean, a quoted one a string).
    static func sameTree(_ one: Node, _ two: Node) -> Bool {
        switch (one, two) {
        case (.scalar(let a), .scalar(let b)):
            return a.string == b.string && (a.style == .plain) == (b.style == .plain)
        case (.mapping(let a), .mapping(let b)):
            return a.pairs.count == b.pairs.count
                && zip(a.pairs, b.pairs).allSatisfy { sameTree($0.key, $1.key) && sameTree($0.value, $1.value) }
        case (.sequence(let a), .sequence(let b)):
            return a.items.count == b.items.count && zip(a.items, b.items).allSatisfy { sameTree($0, $1) }
        default:
            return false
        }
    }

    private static func emit(mapping: Node.Mapping, indent: Int, into lines: inout [String]) {
        let pad = String(repeating: " ", count: indent)
        for (key, value) in mapping.pairs {
            let name: String
            if case .scalar(let scalar) = key, let text = inline(scalar) { name = text } else { name = "\"?\"" }
            switch value {
            case .scalar(let scalar):
                if let text = inline(scalar) {
                    lines.append(text.isEmpty ? "\(pad)\(name):" : "\(pad)\(name): \(text)")
                } else {
                    lines.append("\(pad)\(name): \(literal(scalar.string, indent: indent + 2))")
                }
            case .mapping(let nested):
                if nested.pairs.isEmpty { lines.append("\(pad)\(name): {}"); continue }
                lines.append("\(pad)\(name):")
                emit(mapping: nested, indent: indent + 2, into: &lines)
            case .sequence(let nested):
                if nested.items.isEmpty { lines.append("\(pad)\(name): []"); continue }
                lines.append("\(pad)\(name):")
                emit(sequence: nested, indent: indent + 2, into: &lines)
            }
        }
    }

    private static func emit(sequence: Node.Sequence, indent: Int, into lines: inout [String]) {
        let pad = String(repeating: " ", count: indent)
        for item in sequence.items {
            switch item {
            case .scalar(let scalar):
                lines.append("\(pad)- " + (inline(scalar) ?? literal(scalar.string, indent: indent + 2)))
            case .mapping(let nested) where nested.pairs.isEmpty:
                lines.append("\(pad)- {}")
            case .sequence(let nested) where nested.items.isEmpty:
                lines.append("\(pad)- []")
            case .mapping, .sequence:
                // The item's first line goes after the dash: render it two deeper, then put the dash in.
                var nested: [String] = []
                if case .mapping(let mapping) = item { emit(mapping: mapping, indent: indent + 2, into: &nested) }
                if case .sequence(let inner) = item { emit(sequence: inner, indent: indent + 2, into: &nested) }
                if let first = nested.first { nested[0] = "\(pad)- " + first.dropFirst(indent + 2) }
                lines += nested
            }
        }
    }

    /// A scalar on one line: plain as written when it was plain, else double-quoted; nil for a
    /// multi-line string that a literal block keeps better.
    private static func inline(_ scalar: Node.Scalar) -> String? {
        let text = scalar.string
        if scalar.style == .plain, !text.contains("\n") { return text }
        if text.contains("\n"), literalKeeps(text) { return nil }
        return YAMLQuoting.doubleQuoted(text)
    }

    /// Whether `|` or `|-` with lines indented gives back `text` exactly: printable lines, the
    /// first not starting with a space, no trailing spaces, at most one final newline.
    private static func literalKeeps(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, first != " ", first != "\n", !text.hasSuffix("\n\n") else { return false }
        return text.split(separator: "\n", omittingEmptySubsequences: false).allSatisfy { line in
            !line.hasSuffix(" ") && line.unicodeScalars.allSatisfy { $0 == "\t" || $0.value >= 0x20 && $0.value != 0x7F }
        }
    }

    /// `|` (or `|-` without a final newline) and the lines of `text` indented by `indent`, as
    /// one string whose lines the caller joins.
    private static func literal(_ text: String, indent: Int) -> String {
        let pad = String(repeating: " ", count: indent)
        let body = text.hasSuffix("\n") ? String(text.dropLast()) : text
        let lines = body.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : pad + $0 }
        return (text.hasSuffix("\n") ? "|" : "|-") + "\n" + lines.joined(separator: "\n")
    }
}
