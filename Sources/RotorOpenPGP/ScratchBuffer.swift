#if canImport(Glibc)
import Glibc
#endif
import RotorCore

/// Scoped scratch memory for secret material, wiped with `explicit_bzero` before it is freed.
///
/// Used for the buffers this module fills with plaintext or session-key bytes, so nothing
/// secret stays behind in freed heap memory. The pointer must not escape `body`.
enum ScratchBuffer {
    /// Allocates `count` zeroed bytes, runs `body`, then wipes and frees them (also when `body` throws).
    static func with<R>(count: Int, _ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R {
        let size = max(count, 1)
        let memory = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        memory.initializeMemory(as: UInt8.self, repeating: 0, count: size)
        defer {
            SecureWipe.wipe(memory, count: size)
            memory.deallocate()
        }
        return try body(UnsafeMutableRawBufferPointer(start: memory, count: count))
    }
}
