import CGit2
import Foundation
import RotorCore

/// An error reported by libgit2 (or by this wrapper around it).
///
/// Carries the libgit2 return code, the libgit2 error class and message
/// (from `git_error_last`), and the name of the C function that failed.
public struct GitError: Error, CustomStringConvertible, Sendable {
    /// The negative `git_error_code` returned by the C function (for example -3 for "not found").
    public let code: Int32
    /// The name of the libgit2 function that failed, e.g. `git_revparse_single`.
    public let function: String
    /// The human-readable message (libgit2's own, sometimes prefixed with context by this module).
    public let message: String
    /// The libgit2 error class (`git_error_t`, e.g. 4 for references), 0 when none was recorded.
    public let errorClass: Int32

    /// Creates an error from its parts; used by this module and by tests.
    public init(code: Int32, function: String, message: String, errorClass: Int32 = 0) {
        self.code = code
        self.function = function
        self.message = message
        self.errorClass = errorClass
    }

    /// `git: <message> (<function>, code <code>)`.
    public var description: String {
        "git: \(message) (\(function), code \(code))"
    }

    /// True when the object, reference or path asked for does not exist (`GIT_ENOTFOUND`).
    public var isNotFound: Bool { code == GIT_ENOTFOUND.rawValue }

    /// True when a reference moved underneath us (`GIT_EMODIFIED`) or already existed (`GIT_EEXISTS`);
    /// the caller should re-read state and retry.
    public var isConcurrentUpdate: Bool {
        code == GIT_EMODIFIED.rawValue || code == GIT_EEXISTS.rawValue
    }

    /// True when a reference to be created already exists (`GIT_EEXISTS`).
    public var alreadyExists: Bool { code == GIT_EEXISTS.rawValue }

    /// True when a push was refused because the remote branch moved (`GIT_ENONFASTFORWARD`):
    /// fetch, re-plan on the new head, and push again.
    public var isNonFastForward: Bool { code == GIT_ENONFASTFORWARD.rawValue }

    /// The same error with `context` put in front of the message.
    func prefixed(_ context: String) -> GitError {
        GitError(code: code, function: function, message: "\(context): \(message)", errorClass: errorClass)
    }

    /// The same error with `credential`'s password nowhere in its message.
    func redacting(_ credential: URLCredential?) -> GitError {
        guard let credential, !credential.password.isEmpty, message.contains(credential.password) else { return self }
        return GitError(code: code, function: function, message: message.replacingOccurrences(of: credential.password, with: "***"),
                        errorClass: errorClass)
    }

    /// The same error saying what to do when libgit2 refused an SSH host key it could not find
    /// in `known_hosts` (it checks them; it never adds one).
    func withHostKeyHint() -> GitError {
        guard code == GIT_ECERTIFICATE.rawValue, message.localizedCaseInsensitiveContains("ssh hostkey") else { return self }
        let hint = "rotor checks SSH host keys against ~/.ssh/known_hosts of the user running it: add the remote host's key there "
            + "(for example `ssh-keyscan -p PORT HOST >> ~/.ssh/known_hosts`, after checking its fingerprint)"
        return GitError(code: code, function: function, message: "\(message): \(hint)", errorClass: errorClass)
    }

    /// An error for a C function that returned NULL where the wrapper expected a value.
    static func unexpectedNull(_ function: String) -> GitError {
        GitError(code: GIT_ERROR.rawValue, function: function, message: "libgit2 returned no value")
    }
}

/// Turns a libgit2 return code into a thrown `GitError` when it is negative.
///
/// Every int-returning libgit2 call in this module goes through here. Reads
/// `git_error_last` for the class and message.
/// - Parameters:
///   - code: the value the C function returned; negative means failure.
///   - function: the C function's name, recorded in the error.
/// - Throws: `GitError` when `code < 0`.
func check(_ code: Int32, _ function: String) throws {
    guard code < 0 else { return }
    var message = "unknown libgit2 error"
    var errorClass: Int32 = 0
    if let last = git_error_last() {
        errorClass = last.pointee.klass
        if let text = last.pointee.message {
            message = String(cString: text)
        }
    }
    throw GitError(code: code, function: function, message: message, errorClass: errorClass)
}
