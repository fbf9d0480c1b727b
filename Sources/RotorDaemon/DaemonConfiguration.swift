import Foundation

/// How `rotor daemon` runs: which remote and branch, where its clone and store live, how often.
public struct DaemonConfiguration: Sendable {
    /// The secrets repository's remote: a path, `file://`, `https://` or `ssh://` URL.
    public var remote: String
    /// rotor's own clone of the remote (cloned when missing or empty).
    public var workdir: String
    /// The branch rotor reconciles and pushes to.
    public var branch: String = "main"
    /// The name of the remote in the clone.
    public var remoteName: String = "origin"
    /// The state store; nil means `<workdir>/.git/rotor/state.db`.
    public var statePath: String?
    /// The GnuPG home for encryption; nil means the environment's.
    public var gpgHome: String?
    /// Time between the end of one pass and the start of the next (before jitter).
    public var interval: Duration = .seconds(60)
    /// Up to this fraction of `interval` is added at random to each wait (0.1 = up to 10% longer).
    public var jitter: Double = 0.1
    /// A frozen "now" for every pass (`--at`; tests and demos). nil means the wall clock.
    public var fixedNow: Date?
    /// With `fixedNow`: how far each pass's "now" moves on from the one before (`--step`), so a
    /// soak run covers months of rotations without waiting. Pass n runs at `fixedNow + (n - 1) × step`.
    public var clockStep: TimeInterval = 0
    /// How many times one pass fetches, re-plans and pushes when the remote keeps moving.
    public var maxPushAttempts: Int = 3
    /// How long SIGTERM waits for the current step before giving up and exiting 1.
    public var shutdownTimeout: Duration = .seconds(30)
    /// rotor's clone is repacked into one pack (``RotorGit/GitRepository/repack()``) at the end of
    /// a pass once it holds more than this many pack files: each commit of 64 files or more and
    /// each fetch that brings objects adds one, and libgit2 keeps every pack its handle has opened
    /// mapped, with its index, until the handle is closed. 0 never repacks.
    public var repackAbovePacks: Int = 8
    /// …or once it holds about this many loose objects (git's `gc.auto` default; small commits
    /// write loose objects).
    public var repackAboveLooseObjects: Int = 6_700
    /// Run one pass and stop (`--once`).
    public var once: Bool = false

    /// Creates a configuration with the defaults above.
    public init(remote: String, workdir: String) {
        self.remote = remote
        self.workdir = workdir
    }

    /// The clone's absolute path.
    public var resolvedWorkdir: String {
        let path = (workdir as NSString).expandingTildeInPath
        if path.hasPrefix("/") { return (path as NSString).standardizingPath }
        return ((FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(path) as NSString).standardizingPath
    }

    /// The store's absolute path.
    public var resolvedStatePath: String {
        guard let statePath else { return (resolvedWorkdir as NSString).appendingPathComponent(".git/rotor/state.db") }
        let path = (statePath as NSString).expandingTildeInPath
        if path.hasPrefix("/") { return path }
        return (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(path)
    }
}
