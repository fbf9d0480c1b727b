#if canImport(Glibc)
import Glibc
#endif

/// The one way rotor zeroes memory that held secret material.
///
/// A plain loop of `buffer[i] = 0` over memory that is freed right after is a dead store the
/// optimiser may remove; `explicit_bzero` (glibc) is documented never to be removed. Every
/// wipe in rotor goes through here, so there is one thing to audit.
public enum SecureWipe {
    /// Zeroes `count` bytes at `pointer`.
    public static func wipe(_ pointer: UnsafeMutableRawPointer?, count: Int) {
        guard let pointer, count > 0 else { return }
        explicit_bzero(pointer, count)
    }

    /// Zeroes every byte of `buffer`.
    public static func wipe(_ buffer: UnsafeMutableRawBufferPointer) {
        wipe(buffer.baseAddress, count: buffer.count)
    }

    /// Zeroes every byte of `bytes` in place (its storage, not a copy); the count is kept.
    public static func wipe(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { wipe($0) }
    }
}
