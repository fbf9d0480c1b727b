import CGit2
import Foundation

/// Who made a commit and when. Times are whole seconds, written with a UTC (+0000) offset.
public struct GitSignature: Sendable, Equatable {
    /// The person's name, e.g. "rotor".
    public var name: String
    /// The person's email address.
    public var email: String
    /// When; sub-second precision is dropped when written to git.
    public var time: Date

    /// Creates a signature.
    public init(name: String, email: String, time: Date) {
        self.name = name
        self.email = email
        self.time = time
    }

    /// Copies a libgit2 signature out into a value.
    /// - Throws: `GitError` if the pointer is NULL.
    init(_ pointer: UnsafePointer<git_signature>?, _ function: String) throws {
        guard let signature = pointer?.pointee else { throw GitError.unexpectedNull(function) }
        name = signature.name.map { String(cString: $0) } ?? ""
        email = signature.email.map { String(cString: $0) } ?? ""
        time = Date(timeIntervalSince1970: TimeInterval(signature.when.time))
    }

    /// Runs `body` with a temporary `git_signature` made by `git_signature_new` (offset 0), freed afterwards.
    /// - Throws: `GitError` from `git_signature_new` (e.g. empty name or email) or whatever `body` throws.
    func withGitSignature<T>(_ body: (UnsafePointer<git_signature>) throws -> T) throws -> T {
        var signature: UnsafeMutablePointer<git_signature>?
        let seconds = git_time_t(time.timeIntervalSince1970.rounded(.down))
        try check(git_signature_new(&signature, name, email, seconds, 0), "git_signature_new")
        defer { git_signature_free(signature) }
        guard let signature else { throw GitError.unexpectedNull("git_signature_new") }
        return try body(signature)
    }
}
