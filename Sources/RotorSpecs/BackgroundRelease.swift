import Dispatch

/// Frees large values on a background thread instead of the caller's.
///
/// Freeing the parsed state of a large repository (every spec, version and cache entry, each
/// a tree of strings and arrays) took ~0.45 s of a 2.8 s plan of 100,000 secrets, on the thread
/// that was about to print the plan and exit. Handed here, it happens beside that work; a
/// process that exits first skips it (the operating system takes the memory back whole), and a
/// long-running one (the daemon) frees it as before, on another thread.
public enum BackgroundRelease {
    static let queue = DispatchQueue(label: "rotor.background-release", qos: .background)

    /// Takes over the caller's references to `values`: the last one is dropped on the background queue.
    public static func release(_ values: Any...) {
        // nonisolated(unsafe): the caller hands its references over and uses `values` no more.
        nonisolated(unsafe) let held = values
        // The block is released, and with it `held`, on the queue's thread once it has run.
        queue.async { withExtendedLifetime(held) {} }
    }
}
