import CGPGME

/// An error reported by gpgme (or by this wrapper around it), carrying the gpg-error code,
/// a human-readable message and the name of the C function (or wrapper step) that failed.
///
/// Messages never contain secret values: they are built from gpgme's own error strings,
/// fingerprints, key ids and home-directory paths only.
public struct GPGError: Error, CustomStringConvertible, Sendable {
    /// The gpg-error code (`gpgme_err_code`, i.e. without the error source bits).
    public let code: UInt32
    /// The C function (or wrapper step) that reported the error, e.g. `gpgme_op_decrypt`.
    public let function: String
    /// What went wrong, in words a user can act on.
    public let message: String

    /// Creates an error from its parts; `code` is a gpg-error code such as `GPG_ERR_NO_SECKEY`.
    init(code: UInt32, function: String, message: String) {
        self.code = code
        self.function = function
        self.message = message
    }

    /// Creates an error from a raw `gpgme_error_t`, taking the message from `gpgme_strerror_r`.
    init(_ err: gpgme_error_t, function: String, message: String? = nil) {
        self.code = gpgme_err_code(err).rawValue
        self.function = function
        self.message = message ?? GPGError.strerror(err)
    }

    /// Creates an error from a gpg-error code and a message written by this wrapper.
    init(_ code: gpgme_err_code_t, function: String, message: String) {
        self.init(code: code.rawValue, function: function, message: message)
    }

    /// `gpg: <message> (<function>)`.
    public var description: String { "gpg: \(message) (\(function))" }

    /// True when gpg had no secret key to decrypt with (`GPG_ERR_NO_SECKEY`).
    public var isNoSecretKey: Bool { code == GPG_ERR_NO_SECKEY.rawValue }

    /// True when the message could not be decrypted although a key was available: it is corrupt,
    /// truncated, was modified, or is not an encrypted message (`GPG_ERR_DECRYPT_FAILED`).
    public var isDecryptionFailed: Bool { code == GPG_ERR_DECRYPT_FAILED.rawValue }

    /// gpgme's message for `err` via the thread-safe `gpgme_strerror_r`.
    static func strerror(_ err: gpgme_error_t) -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        _ = gpgme_strerror_r(err, &buffer, buffer.count)
        buffer[buffer.count - 1] = 0
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// Throws a `GPGError` naming `function` when `err` is not success.
///
/// Every gpgme call that returns a `gpgme_error_t` goes through this one function.
/// - Parameters:
///   - err: The value returned by the C function.
///   - function: The C function's name, e.g. `"gpgme_op_encrypt"`.
/// - Throws: `GPGError` with the code, `gpgme_strerror_r` message and `function`.
@inline(__always)
func check(_ err: gpgme_error_t, _ function: String) throws {
    if err != 0 {
        throw GPGError(err, function: function)
    }
}
