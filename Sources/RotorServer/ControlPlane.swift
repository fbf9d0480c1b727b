import Dispatch
import Foundation
import Logging
import RotorAPIContract
import RotorCore
import RotorEngine
import RotorStore
import RotorWebhooks
import Synchronization

/// How a control plane is set up: the repository and store it serves, its clock, and who
/// performs the writes it is asked for.
package struct ControlPlaneConfiguration: Sendable {
    /// A path inside the secrets repository (the daemon's clone, under the daemon).
    package var repositoryPath: String
    /// The state store; nil means `<.git>/rotor/state.db`.
    package var statePath: String?
    /// The GnuPG home that decrypts values; nil means the environment's.
    package var gpgHome: String?
    /// The injected clock (`--at`, or the wall clock).
    package var clock: @Sendable () -> Date
    /// The webhook worker's clock after a write (stopped at `--at`, or the wall clock).
    package var deliveryClock: any DeliveryClock = SystemDeliveryClock()
    /// Failed authentications one source address may make per window before it gets 429.
    package var authFailureLimit = 10
    /// The window of ``authFailureLimit``, in seconds.
    package var authFailureWindow: TimeInterval = 60

    /// Creates a configuration.
    package init(repositoryPath: String, statePath: String? = nil, gpgHome: String? = nil, clock: @escaping @Sendable () -> Date) {
        self.repositoryPath = repositoryPath
        self.statePath = statePath
        self.gpgHome = gpgHome
        self.clock = clock
    }
}

/// The control plane: authenticates every call with rotor's own API keys, authorises it by
/// `rotor:` scope (and value reads by the consumer lists in git), audits it, and answers from
/// the same engine calls the command line makes.
///
/// The handlers of the generated ``APIProtocol`` live in `ControlPlane+*.swift`.
package final class ControlPlane: Sendable {
    let configuration: ControlPlaneConfiguration
    let writer: any ControlPlaneWriter
    let vault: ValueVault
    let limiter: FailureLimiter
    let logger: Logger
    private let watcher: HeadWatcher
    private let statePath: String
    private let opened = Mutex<(store: StateStore, journal: ReadJournal)?>(nil)
    private let cachedView = Mutex<(fingerprint: HeadWatcher.Fingerprint, view: ControlPlaneView)?>(nil)
    private let rebuilding = Mutex<Void>(())
    /// The last `/healthz` answer and when it was made (probes are answered from it for a second).
    let lastHealth = Mutex<(at: ContinuousClock.Instant, report: HealthReport)?>(nil)

    /// Opens the repository and store, adopting git into the store (as every command does), so
    /// a bad repository fails at start.
    ///
    /// - Throws: ``EngineError`` when the repository cannot be opened or HEAD does not validate.
    package convenience init(configuration: ControlPlaneConfiguration, writer: (any ControlPlaneWriter)? = nil, logger: Logger) throws {
        let engine = try Engine(repositoryPath: configuration.repositoryPath, statePath: configuration.statePath, gpgHome: configuration.gpgHome)
        _ = try engine.status(now: configuration.clock())
        self.init(configuration: configuration, gitDirectory: engine.repository.gitDirectory, statePath: engine.statePath,
                  writer: writer, logger: logger)
        _ = try open()
    }

    /// A control plane over a repository that may not exist yet (the daemon's clone before its
    /// first pass): nothing is opened until the first request, which is 503 until then.
    package init(configuration: ControlPlaneConfiguration, gitDirectory: String, statePath: String,
                 writer: (any ControlPlaneWriter)? = nil, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        self.statePath = statePath
        watcher = HeadWatcher(gitDirectory: gitDirectory)
        vault = ValueVault(gpgHome: configuration.gpgHome)
        limiter = FailureLimiter(limit: configuration.authFailureLimit, window: configuration.authFailureWindow)
        self.writer = writer ?? LocalWriter(configuration: configuration, logger: logger)
    }

    /// The store and the audit journal, opened on first use.
    func open() throws -> (store: StateStore, journal: ReadJournal) {
        try opened.withLock { opened in
            if let opened { return opened }
            guard FileManager.default.fileExists(atPath: (watcher.gitDirectory as NSString).appendingPathComponent("HEAD")) else {
                throw APIProblem(slug: "not-ready", status: 503, title: "Not ready",
                                 detail: "the repository is not cloned yet: the first pass has not run", retryAfter: 5)
            }
            let store = try StateStore(path: statePath)
            let made = (store: store, journal: ReadJournal(store: store))
            opened = made
            return made
        }
    }

    /// The state store.
    var store: StateStore {
        get throws { try open().store }
    }

    /// The audit journal (group commits).
    var journal: ReadJournal {
        get throws { try open().journal }
    }

    /// Now, by the injected clock.
    package var now: Date { configuration.clock() }

    /// A fresh engine for one call (it opens the repository; cheap next to what the call does).
    func engine(actor: String? = nil) throws -> Engine {
        try Engine(repositoryPath: configuration.repositoryPath, statePath: configuration.statePath, actor: actor,
                   gpgHome: configuration.gpgHome)
    }

    /// The view of HEAD, rebuilt when HEAD moved since the last one.
    func view() async throws -> ControlPlaneView {
        _ = try open()
        let fingerprint = watcher.fingerprint()
        if let cached = cachedView.withLock({ $0 }), cached.fingerprint == fingerprint { return cached.view }
        return try await blocking { [self] in
            // One rebuild at a time; whoever waited finds the fresh view.
            try rebuilding.withLock { _ in
                let fingerprint = watcher.fingerprint()
                if let cached = cachedView.withLock({ $0 }), cached.fingerprint == fingerprint { return cached.view }
                let view = try ControlPlaneView(engine: engine())
                cachedView.withLock { $0 = (fingerprint, view) }
                vault.retain(only: Set(view.versionFiles.values.flatMap { $0.versions.map(\.id) }))
                return view
            }
        }
    }

    /// Forgets the view, so the next request rebuilds it (after a write through this server).
    func invalidateView() {
        cachedView.withLock { $0 = nil }
    }

    /// Wipes every decrypted value (the server is stopping).
    package func shutdown() {
        vault.removeAll()
    }
}

/// Runs blocking work (libgit2, gpgme, SQLite) on a dispatch thread, off Swift's cooperative
/// threads, which the HTTP server needs.
func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
    }
}

/// The handlers of the contract (`ControlPlane+*.swift`).
extension ControlPlane: APIProtocol {}
