import Foundation
import RotorCore

/// The contract's constraints that the generated code does not enforce (patterns, lengths,
/// ranges): a request that breaks one is 400 and changes nothing.
enum ContractChecks {
    /// A project, name, policy or service (`NamePart`).
    static func name(_ value: String, _ field: String) throws {
        guard NameRule.isValid(value) else { throw APIProblem.badRequest("\(field) must match \(NameRule.pattern); got \(quoted(value))") }
    }

    /// A reason (`Reason`): 1 to 500 characters, not only blanks.
    static func reason(_ value: String) throws {
        guard !value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, value.count <= 500 else {
            throw APIProblem.badRequest("reason must be 1 to 500 characters and not blank")
        }
    }

    /// An integer within the contract's bounds.
    static func range<T: BinaryInteger>(_ value: T?, _ field: String, _ bounds: ClosedRange<T>) throws {
        guard let value else { return }
        guard bounds.contains(value) else { throw APIProblem.badRequest("\(field) must be between \(bounds.lowerBound) and \(bounds.upperBound); got \(value)") }
    }

    /// A string of at most `limit` characters (and at least `minimum`).
    static func length(_ value: String?, _ field: String, max limit: Int, min minimum: Int = 0) throws {
        guard let value else { return }
        guard (minimum...limit).contains(value.count) else { throw APIProblem.badRequest("\(field) must be \(minimum) to \(limit) characters") }
    }

    /// An http(s) URL of at most 2,000 characters.
    static func url(_ value: String?, _ field: String) throws {
        guard let value else { return }
        try length(value, field, max: 2000, min: 1)
        guard let url = URL(string: value), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host?.isEmpty == false else {
            throw APIProblem.badRequest("\(field) must be an http or https URL")
        }
    }

    /// Echoes a caller's own input briefly in an error (never a value rotor holds).
    private static func quoted(_ value: String) -> String {
        "\"" + String(value.prefix(40)) + (value.count > 40 ? "…" : "") + "\""
    }
}
