#if canImport(Glibc)
import Glibc
#endif
import RotorCore

/// A heap buffer for secret material (plaintext values) that is zeroed when released.
///
/// The class owns one allocation made with `UnsafeMutableRawPointer.allocate`; `deinit`
/// wipes it with `explicit_bzero` (which the optimizer may not remove) and deallocates it.
/// `description` shows only the length, so a `SecretBytes` interpolated into a log line
/// or error message cannot leak its content.
///
/// `@unchecked Sendable`: the buffer is never reallocated, and rotor only mutates it
/// (through `withUnsafeMutableBytes`) before handing it to another thread.
public final class SecretBytes: @unchecked Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    private let storage: UnsafeMutableRawPointer
    /// Number of secret bytes.
    public let count: Int
    /// Whether the buffer is pinned in RAM (`mlock`), so it is never written to swap.
    public let isLocked: Bool

    /// Copies `bytes` into a new wiped-on-release buffer. The caller's array is not wiped.
    public init(_ bytes: [UInt8]) {
        count = bytes.count
        isLocked = false
        storage = UnsafeMutableRawPointer.allocate(byteCount: max(bytes.count, 1), alignment: 16)
        bytes.withUnsafeBytes { source in
            if let base = source.baseAddress, !source.isEmpty {
                storage.copyMemory(from: base, byteCount: source.count)
            }
        }
    }

    /// Creates a zero-filled buffer of `count` bytes, to be filled with `withUnsafeMutableBytes`.
    public init(count: Int) {
        precondition(count >= 0, "SecretBytes count must not be negative")
        self.count = count
        isLocked = false
        storage = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1), alignment: 16)
        storage.initializeMemory(as: UInt8.self, repeating: 0, count: max(count, 1))
    }

    /// Copies `count` bytes from `source` (used for gpgme output, which is wiped by the caller).
    init(copying source: UnsafeRawPointer?, count: Int) {
        self.count = count
        isLocked = false
        storage = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1), alignment: 16)
        if let source, count > 0 {
            storage.copyMemory(from: source, byteCount: count)
        }
    }

    /// Copies `other` into a buffer pinned in RAM with `mlock`, for values a server keeps for
    /// a while (``isLocked`` says whether the pin succeeded: `RLIMIT_MEMLOCK` may refuse it).
    public init(lockedCopyOf other: SecretBytes) {
        count = other.count
        storage = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1), alignment: 16)
        storage.initializeMemory(as: UInt8.self, repeating: 0, count: max(count, 1))
        #if canImport(Glibc)
        isLocked = mlock(storage, max(count, 1)) == 0
        #else
        isLocked = false
        #endif
        other.withUnsafeBytes { source in
            if let base = source.baseAddress, !source.isEmpty { storage.copyMemory(from: base, byteCount: source.count) }
        }
    }

    /// Wipes the buffer with `explicit_bzero`, then frees it.
    deinit {
        SecureWipe.wipe(storage, count: max(count, 1))
        #if canImport(Glibc)
        if isLocked { munlock(storage, max(count, 1)) }
        #endif
        storage.deallocate()
    }

    /// Calls `body` with a read-only view of the bytes; do not let the pointer escape.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: storage, count: count))
    }

    /// Calls `body` with a mutable view of the bytes; do not let the pointer escape.
    public func withUnsafeMutableBytes<R>(_ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeMutableRawBufferPointer(start: storage, count: count))
    }

    /// The bytes as a `String` if they are valid UTF-8, else `nil`.
    ///
    /// Only for `rotor get` output: the returned `String` is an ordinary, unwiped copy.
    public func utf8String() -> String? {
        withUnsafeBytes { String(validating: $0, as: UTF8.self) }
    }

    /// `SecretBytes(<n> bytes)`; never the content.
    public var description: String { "SecretBytes(\(count) bytes)" }

    /// Same as `description`, so `debugPrint` does not reveal the content either.
    public var debugDescription: String { description }

    /// An empty mirror so `dump` and debuggers show no bytes.
    public var customMirror: Mirror { Mirror(self, children: [:]) }
}
