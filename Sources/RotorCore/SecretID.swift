import Foundation

/// The identity of a secret: `project/name`, both following ``NameRule``.
public struct SecretID: Hashable, Comparable, Codable, Sendable, CustomStringConvertible {
    /// The project the secret belongs to (`secrets/<project>/…`).
    public let project: String
    /// The secret's name within its project.
    public let name: String

    /// Creates an identity; callers validate the parts with ``NameRule`` first.
    public init(project: String, name: String) {
        self.project = project
        self.name = name
    }

    /// Parses `project/name`; nil when either part breaks ``NameRule``.
    public init?(parsing text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, NameRule.isValid(String(parts[0])), NameRule.isValid(String(parts[1])) else {
            return nil
        }
        self.init(project: String(parts[0]), name: String(parts[1]))
    }

    /// `project/name`.
    public var description: String { "\(project)/\(name)" }

    public static func < (lhs: SecretID, rhs: SecretID) -> Bool {
        (lhs.project, lhs.name) < (rhs.project, rhs.name)
    }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let id = SecretID(parsing: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a project/name: \(text)"))
        }
        self = id
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// The rule every project, secret and policy name follows: `[a-z0-9][a-z0-9-_.]*`,
/// at most 100 characters, and never `..` (so a name can never walk out of its folder).
public enum NameRule {
    /// The rule as users read it in error messages.
    public static let pattern = "[a-z0-9][a-z0-9-_.]* (at most 100 characters, no \"..\")"

    /// Whether `name` follows the rule.
    public static func isValid(_ name: String) -> Bool {
        // Bytes only: String.contains("..") goes through Foundation's string search, which
        // showed up in profiles of large repositories.
        let utf8 = name.utf8
        guard let first = utf8.first, utf8.count <= 100, isLowerAlnum(first) else { return false }
        var previous = first
        for byte in utf8.dropFirst() {
            let dot = byte == UInt8(ascii: ".")
            guard isLowerAlnum(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || dot,
                  !(dot && previous == UInt8(ascii: ".")) else { return false }
            previous = byte
        }
        return true
    }

    private static func isLowerAlnum(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }
}
