import Foundation
import RotorCore

/// Why a proposal was refused; nothing was left behind (no branch).
///
/// ``reason`` is for callers that map refusals to answers (an HTTP API: `invalid` 422,
/// `exists` 409, `notFound` 404, `unchanged` 409); the description is for people.
public struct ProposalError: Error, CustomStringConvertible, Sendable {
    /// The kind of refusal.
    public enum Reason: String, Codable, Sendable {
        /// The request or the tree it would make does not validate (see ``diagnostics``).
        case invalid
        /// What it would create exists already.
        case exists
        /// What it would change or delete does not exist.
        case notFound = "not-found"
        /// It would change nothing.
        case unchanged
    }

    /// The kind of refusal.
    public let reason: Reason
    /// What is wrong, and what to do when that is knowable. Never a value.
    public let message: String
    /// The validation problems of the tree the change would make (`path:line:column`), when that is the reason.
    public let diagnostics: [Diagnostic]

    /// Creates a refusal.
    public init(_ reason: Reason, _ message: String, diagnostics: [Diagnostic] = []) {
        self.reason = reason
        self.message = message
        self.diagnostics = diagnostics
    }

    /// The message, then one diagnostic per line.
    public var description: String {
        ([message] + diagnostics.map { "  \($0)" }).joined(separator: "\n")
    }
}
