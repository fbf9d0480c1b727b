import Foundation
import Logging
import RotorCore
import RotorDaemon
import RotorEngine
import RotorGit
import RotorSpecs
import RotorStore
import RotorTesting

/// Log lines captured from a daemon, for assertions (and for checking no value leaks into them).
final class LogLines: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []

    var lines: [String] { lock.withLock { stored } }
    var text: String { lines.joined(separator: "\n") }

    /// A JSON-lines logger writing here.
    func logger() -> Logger {
        let sink = LogSink { [self] line in lock.withLock { stored.append(line) } }
        var logger = Logger(label: "rotor.test") { label in RotorLogHandler(label: label, format: .json, sink: sink) }
        logger.logLevel = .debug
        return logger
    }
}

/// A settable "now" for passes.
final class NowBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Date
    init(_ value: Date) { self.value = value }
    var now: Date {
        get { lock.withLock { value } }
        set { lock.withLock { value = newValue } }
    }
}

/// The real transport, with hooks that run just before successive pushes (a pull request merging
/// while rotor works, a second daemon starting its pass).
final class ScriptedTransport: RemoteTransport, @unchecked Sendable {
    let real: GitRemoteTransport
    var beforePush: [() throws -> Void] = []
    private(set) var pushes = 0
    private(set) var fetches = 0

    init(real: GitRemoteTransport) { self.real = real }

    func fetch() throws {
        fetches += 1
        try real.fetch()
    }

    func push() throws {
        pushes += 1
        if !beforePush.isEmpty { try beforePush.removeFirst()() }
        try real.push()
    }
}

/// Records every call of the delivery step.
final class RecordingDelivery: DeliveryHook, @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [DeliveryContext] = []
    let report: DeliverySummary
    let failure: (any Error)?

    init(report: DeliverySummary = DeliverySummary(), failure: (any Error)? = nil) {
        self.report = report
        self.failure = failure
    }

    var calls: [DeliveryContext] { lock.withLock { recorded } }

    func deliver(_ context: DeliveryContext) async throws -> DeliverySummary {
        lock.withLock { recorded.append(context) }
        if let failure { throw failure }
        return report
    }
}

/// A daemon under test: a reconciler on a fixture's remote, its logs, clock and scripted transport.
final class DaemonHarness: @unchecked Sendable {
    let fixture: RemoteFixture
    let logs = LogLines()
    let clock: NowBox
    let status = DaemonStatus()
    let reconciler: Reconciler
    private(set) var transport: ScriptedTransport?

    init(_ fixture: RemoteFixture, at now: String = "2026-12-01T00:00:00Z", delivery: any DeliveryHook = NoDelivery(),
         maxPushAttempts: Int = 3, defaultState: Bool = false, repackAbovePacks: Int? = nil) {
        self.fixture = fixture
        clock = NowBox(RFC3339.parse(now)!)
        var configuration = DaemonConfiguration(remote: fixture.remote, workdir: fixture.workdir)
        configuration.statePath = defaultState ? nil : fixture.statePath
        configuration.gpgHome = fixture.seed.keyring.path
        configuration.maxPushAttempts = maxPushAttempts
        if let repackAbovePacks { configuration.repackAbovePacks = repackAbovePacks }
        var made: ScriptedTransport?
        let clock = self.clock
        reconciler = Reconciler(configuration: configuration, status: status, logger: logs.logger(), delivery: delivery,
                                transport: { repository, configuration in
                                    let scripted = ScriptedTransport(real: GitRemoteTransport(repository: repository, remote: configuration.remoteName,
                                                                                              branch: configuration.branch))
                                    made = scripted
                                    return scripted
                                }, wallClock: { clock.now })
        transportBox = { made }
    }

    private var transportBox: () -> ScriptedTransport? = { nil }

    /// The scripted transport (after the first pass opened the clone).
    var scripted: ScriptedTransport? { transportBox() }

    /// Runs one pass at `now`.
    @discardableResult
    func pass(at now: String? = nil, stop: StopFlag = StopFlag()) async -> PassReport {
        if let now { clock.now = RFC3339.parse(now)! }
        return await reconciler.runPass(stop: stop)
    }

    /// Runs one pass at `now` from a thread that may block (inside another daemon's pass).
    @discardableResult
    func passBlocking(at now: String) -> PassReport {
        clock.now = RFC3339.parse(now)!
        return reconciler.runPassBlocking(stop: StopFlag())
    }
}

/// Version files read straight from git objects.
enum GitVersions {
    /// The secret version files at `revision` of the repository at `gitDir` (a bare remote or a clone).
    static func files(gitDir: String, revision: String) throws -> [SecretID: VersionFile] {
        let listing = try Shell.run("git", ["-C", gitDir, "ls-tree", "-r", "--name-only", revision, "versions/"])
        var sources: [SourceFile] = []
        for path in listing.stdout.split(separator: "\n").map(String.init) where !path.hasPrefix("versions/keys/") {
            let blob = try Shell.run("git", ["-C", gitDir, "show", "\(revision):\(path)"])
            sources.append(SourceFile(path: path, bytes: blob.stdoutBytes))
        }
        return VersionFileParser.parse(files: sources).0
    }

    /// Every commit of `branch`, oldest first.
    static func history(gitDir: String, branch: String = "main") throws -> [String] {
        try Shell.run("git", ["-C", gitDir, "rev-list", "--reverse", branch]).stdout.split(separator: "\n").map(String.init)
    }
}

/// A policy that rotates hourly, for tests that want many rotations and expiries.
let hourlyPolicy = """
    apiVersion: rotor.dev/v1
    kind: Policy
    metadata:
      name: hourly
    spec:
      rotateEvery: 1h
      gracePeriod: 30m
      warnBefore: 10m
      generator: {type: password, length: 24}

    """
