import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive lock on a state store, so two rotor processes never apply at once.
///
/// A `flock` on `<store>.lock`: the kernel releases it when the holder exits, even on
/// kill -9, so a crashed holder never leaves a stale lock. The file records the holder's
/// pid and start time for the error message.
public final class StateLock {
    private let descriptor: Int32
    /// The lock file's path.
    public let path: String

    /// Takes the lock, or throws ``StateLockHeld`` naming the holder; never waits.
    ///
    /// Every throw happens before the stored properties are set, so `deinit` never runs for a
    /// lock that was not taken. (It used to: a failed attempt closed its descriptor, then `deinit`
    /// truncated and closed the same number again — by then possibly another thread's file.)
    public init(storePath: String) throws {
        let path = storePath + ".lock"
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw EngineError("cannot open lock file \(path): \(String(cString: strerror(errno)))") }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            close(descriptor)
            throw StateLockHeld(holder: holder.isEmpty ? "unknown holder" : holder, path: path)
        }
        let note = "pid \(getpid()) on \(ProcessInfo.processInfo.hostName) since \(ISO8601DateFormatter().string(from: Date()))\n"
        _ = ftruncate(descriptor, 0)
        _ = note.withCString { write(descriptor, $0, strlen($0)) }
        self.path = path
        self.descriptor = descriptor
    }

    deinit {
        _ = ftruncate(descriptor, 0)
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
