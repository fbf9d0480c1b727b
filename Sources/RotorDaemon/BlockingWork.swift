import Foundation

/// Runs blocking work (libgit2, gpgme, SQLite) on a thread of its own, so it never occupies one of
/// Swift concurrency's few cooperative threads, which the HTTP server and signal handling need.
enum BlockingWork {
    /// Runs `body` on a new thread and resumes with its result. Not cancellable: the pass is
    /// made to stop at its next step boundary through a ``StopFlag`` instead.
    static func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { (continuation: CheckedContinuation<T, Never>) in
            let thread = Thread { continuation.resume(returning: body()) }
            thread.name = "rotor-pass"
            thread.stackSize = 8 << 20
            thread.start()
        }
    }
}
