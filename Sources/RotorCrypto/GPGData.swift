import CGPGME
import RotorCore
#if canImport(Glibc)
import Glibc
#endif

/// Scoped `gpgme_data_t` handles: created, used inside a closure, released by `defer`.
///
/// Input buffers are wrapped without copying (`gpgme_data_new_from_mem` with `copy = 0`), so
/// plaintext never reaches a temporary file. Output is read with `gpgme_data_release_and_get_mem`
/// and the returned buffer is wiped with `explicit_bzero` before `gpgme_free`, also when the
/// operation failed part-way (a failed decryption may have written partial plaintext).
enum GPGData {
    /// Runs `body` with a read-only data object over `bytes` (`gpgme_data_new_from_mem`, no copy).
    static func withInput<R>(_ bytes: UnsafeRawBufferPointer, _ body: (gpgme_data_t) throws -> R) throws -> R {
        var handle: gpgme_data_t?
        if let base = bytes.baseAddress, !bytes.isEmpty {
            try check(gpgme_data_new_from_mem(&handle, base.assumingMemoryBound(to: CChar.self), bytes.count, 0),
                      "gpgme_data_new_from_mem")
        } else {
            // gpgme_data_new_from_mem rejects a NULL buffer; an empty in-memory object is equivalent.
            try check(gpgme_data_new(&handle), "gpgme_data_new")
        }
        guard let handle else {
            throw GPGError(GPG_ERR_ENOMEM, function: "gpgme_data_new_from_mem", message: "gpgme returned no data object")
        }
        defer { gpgme_data_release(handle) }
        return try body(handle)
    }

    /// Runs `body` with a data object over the UTF-8 bytes of `text`.
    static func withInput<R>(text: String, _ body: (gpgme_data_t) throws -> R) throws -> R {
        let bytes = Array(text.utf8)
        return try bytes.withUnsafeBytes { try withInput($0, body) }
    }

    /// Runs `operation` with an empty in-memory data object, then hands its content to `read`.
    ///
    /// - Parameters:
    ///   - operation: The gpgme operation writing into the data object.
    ///   - read: Copies the output out; the buffer is wiped and freed right after it returns.
    /// - Throws: The operation's error (after wiping any partial output) or a `GPGError`.
    static func withOutput<R>(_ operation: (gpgme_data_t) throws -> Void,
                              read: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        var created: gpgme_data_t?
        try check(gpgme_data_new(&created), "gpgme_data_new")
        guard let handle = created else {
            throw GPGError(GPG_ERR_ENOMEM, function: "gpgme_data_new", message: "gpgme returned no data object")
        }
        var operationError: Error?
        do {
            try operation(handle)
        } catch {
            operationError = error
        }
        var length = 0
        let memory = gpgme_data_release_and_get_mem(handle, &length)
        defer {
            if let memory {
                SecureWipe.wipe(memory, count: length)
                gpgme_free(memory)
            }
        }
        if let operationError { throw operationError }
        return try read(UnsafeRawBufferPointer(start: memory.map { UnsafeRawPointer($0) }, count: memory == nil ? 0 : length))
    }
}
