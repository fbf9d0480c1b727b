import Foundation
import RotorCore

/// Writes new `kind: Secret` and `kind: ApiKey` specs the way `rotor init` does: block style,
/// two-space indents, fields in the order people read them, and a scalar plain unless it needs
/// quotes (then double-quoted, escaped as everywhere in rotor: ``YAMLQuoting``).
///
/// Same draft, same bytes. What is written is not checked here: the caller loads it with the
/// rest of the repository (a proposal validates the whole tree it commits).
public enum SpecWriter {
    /// The YAML of a Secret spec for `draft`.
    public static func secret(_ draft: SecretDraft) -> String {
        var lines = header(kind: "Secret", project: draft.project, name: draft.name, description: draft.description)
        var spec: [String] = []
        if let policy = draft.policy { spec.append("  policy: \(scalar(policy))") }
        if let generator = draft.generator {
            spec.append("  generator:")
            spec.append("    type: \(generator.kind.rawValue)")
            spec.append("    length: \(generator.length)")
            if generator.kind == .password {
                if generator.charsetName != "custom", GeneratorSpec.charsets[generator.charsetName] == generator.characters {
                    spec.append("    charset: \(scalar(generator.charsetName))")
                } else {
                    spec.append("    characters: \(YAMLQuoting.doubleQuoted(generator.characters))")
                }
            }
            if let prefix = generator.prefix { spec.append("    prefix: \(scalar(prefix))") }
        }
        spec += consumers(draft.consumers, always: spec.isEmpty)
        lines.append("spec:")
        lines += spec
        return lines.joined(separator: "\n") + "\n"
    }

    /// The YAML of an ApiKey spec for `draft`.
    public static func key(_ draft: KeyDraft) -> String {
        var lines = header(kind: "ApiKey", project: draft.project, name: draft.name, description: draft.description)
        lines.append("spec:")
        lines.append("  type: \(draft.type.rawValue)")
        lines.append(draft.scopes.isEmpty ? "  scopes: []" : "  scopes:")
        lines += draft.scopes.map { "    - \(scalar($0))" }
        lines.append("  policy: \(scalar(draft.policy))")
        if let expiresAt = draft.expiresAt { lines.append("  expiresAt: \(YAMLQuoting.doubleQuoted(RFC3339.format(expiresAt)))") }
        lines += consumers(draft.consumers, always: false)
        return lines.joined(separator: "\n") + "\n"
    }

    /// `apiVersion`, `kind` and `metadata`.
    private static func header(kind: String, project: String, name: String, description: String?) -> [String] {
        var lines = ["apiVersion: \(SpecLoader.apiVersion)", "kind: \(kind)", "metadata:",
                     "  project: \(scalar(project))", "  name: \(scalar(name))"]
        if let description { lines.append("  description: \(scalar(description))") }
        return lines
    }

    /// The `consumers:` list; `consumers: []` when empty and `always` (so `spec` is never empty).
    private static func consumers(_ consumers: [Consumer], always: Bool) -> [String] {
        guard !consumers.isEmpty else { return always ? ["  consumers: []"] : [] }
        var lines = ["  consumers:"]
        for consumer in consumers {
            lines.append("    - service: \(scalar(consumer.service))")
            if let webhook = consumer.webhook { lines.append("      webhook: \(scalar(webhook))") }
        }
        return lines
    }

    /// `text` as a YAML scalar: plain when any YAML reader takes it back as this very string,
    /// double-quoted otherwise.
    ///
    /// Plain only when it starts with an ASCII letter, holds only letters, digits, spaces and
    /// `-_./:@+=~?&%,;()`, has no `: `, does not end with a space or `:`, and is not one of YAML
    /// 1.1's booleans or nulls (`yes`, `off`, `null`, …). Anything else — a number, a date, a
    /// `#`, a quote, a newline — is quoted.
    public static func scalar(_ text: String) -> String {
        isPlainSafe(text) ? text : YAMLQuoting.doubleQuoted(text)
    }

    private static let plainPunctuation = Set("-_./:@+=~?&%,;() ".utf8)
    private static let reservedWords: Set<String> = ["y", "n", "yes", "no", "true", "false", "on", "off", "null"]

    static func isPlainSafe(_ text: String) -> Bool {
        let utf8 = text.utf8
        guard let first = utf8.first, let last = utf8.last, isLetter(first), last != UInt8(ascii: " "), last != UInt8(ascii: ":"),
              !reservedWords.contains(text.lowercased()), !text.contains(": ") else { return false }
        return utf8.allSatisfy { isLetter($0) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || plainPunctuation.contains($0) }
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
    }
}
