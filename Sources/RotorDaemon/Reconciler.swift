import CMalloc
import Dispatch
import Foundation
import Logging
import RotorCore
import RotorEngine
import RotorFaults
import RotorGit
import Synchronization

/// Something that runs one daemon pass at a time (the ``Reconciler``, or a fake in loop tests).
public protocol PassRunner: AnyObject, Sendable {
    /// Runs one pass to the end (or to the next step boundary once `stop` is set) and reports it.
    func runPass(stop: StopFlag) async -> PassReport
}

/// One daemon pass over rotor's clone: fetch → bring the branch to the remote's tip → validate →
/// plan → apply (commit → push → store) → deliver, recording health and metrics.
///
/// The whole reconcile part runs under the state store's lock (two daemons on one store never
/// reconcile at once; the loser reports the holder). A push refused because the remote moved
/// is retried up to `maxPushAttempts` times in the pass: the new versions are kept as pending
/// in the store, the branch is reset to the remote's tip, and the re-plan reuses them.
///
/// The daemon runs one pass at a time; a control-plane write waits for the pass's reconcile part.
// Safe to share unchecked: its mutable state (engine, transport, pass count) is touched only under `exclusive`.
public final class Reconciler: PassRunner, @unchecked Sendable {
    /// How the daemon runs.
    public let configuration: DaemonConfiguration
    /// Where health and metrics are recorded.
    public let status: DaemonStatus
    let logger: Logger
    let delivery: any DeliveryHook
    let makeTransport: (GitRepository, DaemonConfiguration) -> any RemoteTransport
    let wallClock: () -> Date
    var engine: Engine?
    var transport: (any RemoteTransport)?
    private var passes = 0
    /// Held by a pass's reconcile part and by a control-plane write: one touches the clone at a time.
    let exclusive = NSLock()
    /// Pack files and loose objects the last repack could not remove (they hold objects nothing
    /// reaches): not counted towards the next repack, or every pass would repack for nothing.
    var repackLeftovers = (packs: 0, looseObjects: 0)

    /// Creates a reconciler; nothing touches the disk or the network until the first pass.
    ///
    /// - Parameters:
    ///   - configuration: Remote, clone, store, retries.
    ///   - status: Health and metrics, shared with the HTTP server.
    ///   - logger: The daemon's logger; each pass adds `pass` and `revision` metadata.
    ///   - delivery: The webhook step (``NoDelivery`` until delivery is wired in).
    ///   - transport: Makes the fetch/push transport for the clone (tests wrap the real one).
    ///   - wallClock: "now" when `configuration.fixedNow` is nil.
    public init(configuration: DaemonConfiguration, status: DaemonStatus = DaemonStatus(), logger: Logger,
                delivery: any DeliveryHook = NoDelivery(),
                transport: ((GitRepository, DaemonConfiguration) -> any RemoteTransport)? = nil,
                wallClock: @escaping () -> Date = { Date() }) {
        self.configuration = configuration
        self.status = status
        self.logger = logger
        self.delivery = delivery
        self.makeTransport = transport ?? {
            GitRemoteTransport(repository: $0, remote: $1.remoteName, branch: $1.branch, credential: DisplayURL.withoutCredential($1.remote).credential)
        }
        self.wallClock = wallClock
        _ = Self.mallocArenasLimited
    }

    /// glibc gives each thread that allocates while the others hold theirs an arena of its own, up
    /// to 8 per core, and a pass runs on many threads (its own, GRDB's queues, the bulk reads'
    /// workers): each arena keeps the pages its live and fragmented chunks sit on, which
    /// `malloc_trim` cannot return. The live heap stays flat over thousands of passes while
    /// the arenas' resident pages grow; one arena per core (at least 2) keeps that down.
    /// `MALLOC_ARENA_MAX`, when set, is left to glibc.
    private static let mallocArenasLimited: Void = {
        guard ProcessInfo.processInfo.environment["MALLOC_ARENA_MAX"] == nil else { return }
        rotor_limit_malloc_arenas(Int32(max(2, ProcessInfo.processInfo.activeProcessorCount)))
    }()

    /// Runs one pass and records it in ``status``. Never throws: every failure is an outcome.
    ///
    /// The reconcile part (git, gpg, SQLite: blocking) runs on a thread of its own; the delivery
    /// step runs in Swift concurrency after it.
    public func runPass(stop: StopFlag) async -> PassReport {
        let started = DispatchTime.now().uptimeNanoseconds
        var (report, log) = await BlockingWork.run { self.reconcilePass(stop: stop) }
        if !stop.isSet { await deliver(stop: stop, logger: log, report: &report) }
        return conclude(report, logger: log, started: started)
    }

    /// ``runPass(stop:)`` for a caller on a thread that may block (never a cooperative thread):
    /// the delivery step is awaited by blocking this thread.
    public func runPassBlocking(stop: StopFlag) -> PassReport {
        let started = DispatchTime.now().uptimeNanoseconds
        var (report, log) = reconcilePass(stop: stop)
        if !stop.isSet {
            let box = ReportBox(report)
            let done = DispatchSemaphore(value: 0)
            Task.detached { [self] in
                var copy = box.report.withLock { $0 }
                await self.deliver(stop: stop, logger: log, report: &copy)
                box.report.withLock { $0 = copy }
                done.signal()
            }
            done.wait()
            report = box.report.withLock { $0 }
        }
        return conclude(report, logger: log, started: started)
    }

    /// The blocking part of a pass: everything up to releasing the store lock.
    func reconcilePass(stop: StopFlag) -> (PassReport, Logger) {
        exclusive.lock()
        defer { exclusive.unlock() }
        passes += 1
        let now = configuration.fixedNow.map { $0.addingTimeInterval(Double(passes - 1) * configuration.clockStep) } ?? wallClock()
        var report = PassReport(number: passes, now: now)
        var log = logger
        log[metadataKey: "pass"] = "\(passes)"
        reconcile(now: now, stop: stop, logger: &log, report: &report)
        return (report, log)
    }

    /// Counts pending versions, times the pass, records it in ``status`` and logs its end.
    private func conclude(_ report: PassReport, logger log: Logger, started: UInt64) -> PassReport {
        var report = report
        exclusive.lock()
        report.pendingVersions = (try? engine?.pendingVersions().count) ?? 0
        exclusive.unlock()
        report.duration = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        status.record(report)
        // libgit2 keeps, per handle and until it is freed, every pack file it opened (mapped, with
        // its index and delta bases) and the trees it parsed: the daemon's handle would hold each
        // pack its clone ever had. Reopened next pass, in a few milliseconds.
        exclusive.lock()
        try? engine?.repository.releaseCaches()
        exclusive.unlock()
        // A pass frees nearly all it allocated (its store connections' page caches, the snapshot,
        // the commit's buffers), but glibc keeps freed pages in whichever of its per-thread arenas
        // they came from (each pass runs on a new thread, GRDB on dispatch queues): without this
        // the daemon's RSS is the high-water mark of every arena, not what it holds. ~1-6 ms.
        // Before the log line, so that whoever reads it sees the pass's memory released.
        rotor_release_free_memory()
        var metadata: Logger.Metadata = ["outcome": "\(report.outcome.rawValue)", "duration_ms": "\(Int(report.duration * 1000))"]
        if let problem = report.problem { metadata["problem"] = "\(problem)" }
        if let due = report.nextRotationDue { metadata["next_rotation_due"] = "\(RFC3339.format(due))" }
        log.log(level: report.outcome.succeeded || report.outcome == .interrupted ? .info : .warning, "pass finished", metadata: metadata)
        return report
    }

    /// The apply step of a pass: the scheduled apply, or a write the control plane asked for.
    typealias ApplyStep = (_ engine: Engine, _ lock: StateLock, _ publish: @escaping (ObjectID) throws -> Void) throws -> ApplyResult

    /// Everything up to the store: clone or open, lock, sync with the remote, apply with push.
    func reconcile(now: Date, stop: StopFlag, logger: inout Logger, report: inout PassReport,
                   applying step: ApplyStep? = nil) {
        func finish(_ outcome: PassOutcome, _ problem: String?) {
            report.outcome = outcome
            report.problem = problem
        }
        let engine: Engine
        do {
            engine = try prepare(logger: logger)
        } catch let failure as FetchFailure {
            logger.error("cannot clone the remote", metadata: ["error": "\(failure.description)"])
            return finish(.fetchFailed, failure.description)
        } catch {
            logger.error("cannot open rotor's clone", metadata: ["error": "\(error)"])
            return finish(.failed, "\(error)")
        }
        if let head = try? engine.repository.headCommit() {
            logger[metadataKey: "revision"] = "\(head.hex)"
            report.revision = head.hex
        }
        logger.debug("pass started", metadata: ["now": "\(RFC3339.format(now))"])
        let lock: StateLock
        do {
            lock = try StateLock(storePath: engine.statePath)
        } catch let held as StateLockHeld {
            logger.warning("another rotor holds the state store; skipping this pass", metadata: ["holder": "\(held.holder)", "lock": "\(held.path)"])
            return finish(.locked, held.description)
        } catch {
            return finish(.failed, "\(error)")
        }
        defer { withExtendedLifetime(lock) {} }
        removeStaleGitLocks(in: engine.repository.gitDirectory, keeping: lock.path, logger: logger)

        var attempt = 0
        while true {
            attempt += 1
            do {
                let tip = try sync(engine: engine, lock: lock, now: now, logger: &logger)
                report.revision = tip.hex
                if stop.isSet {
                    logger.info("shutdown requested: stopping before apply")
                    return finish(.interrupted, nil)
                }
                let pushLogger = logger
                let publish: (ObjectID) throws -> Void = { [transport] commit in
                    pushLogger.info("pushing", metadata: ["commit": "\(commit.hex)"])
                    try transport?.push()
                }
                let result = try step?(engine, lock, publish) ?? engine.apply(now: now, holding: lock, publish: publish)
                record(result, logger: &logger, report: &report)
                repackIfDue(engine.repository, logger: logger, report: &report)
                return finish(result.plan.hasChanges ? .applied : .unchanged, nil)
            } catch let failure as FetchFailure {
                logger.error("fetch failing", metadata: ["error": "\(failure.description)"])
                return finish(.fetchFailed, failure.description)
            } catch let failure as ValidationFailure {
                let errors = failure.diagnostics.filter { $0.severity == .error }
                for diagnostic in errors { logger.error("\(diagnostic.description)") }
                report.diagnostics = errors.map(\.description)
                let first = errors.first?.description ?? "invalid specs"
                logger.error("specs invalid: nothing applied; versions already in git stay as they are")
                return finish(.specInvalid, errors.count > 1 ? "\(first) (and \(errors.count - 1) more)" : first)
            } catch let error as GitError where Self.isRemoteMoved(error) {
                report.pushRejections += 1
                guard attempt < configuration.maxPushAttempts else {
                    // Keep the versions and line the branch up with the remote now; the next pass starts clean.
                    _ = try? sync(engine: engine, lock: lock, now: now, logger: &logger)
                    logger.error("push rejected on every attempt", metadata: ["attempts": "\(attempt)", "error": "\(error)"])
                    return finish(.pushRejected, "the remote moved during each of \(attempt) attempts (\(error.message))")
                }
                logger.warning("push rejected: the remote moved; keeping the new versions and re-planning on its new head",
                               metadata: ["attempt": "\(attempt)", "of": "\(configuration.maxPushAttempts)"])
            } catch {
                logger.error("pass failed", metadata: ["error": "\(error)"])
                return finish(.failed, "\(error)")
            }
        }
    }

    /// Folds an apply result into the report and logs what changed (never a value).
    private func record(_ result: ApplyResult, logger: inout Logger, report: inout PassReport) {
        report.plan = result.plan
        report.reusedVersionIDs = result.reusedVersionIDs
        report.nextRotationDue = result.nextRotationDue
        for repair in result.repairs { logger.warning("repaired before the pass", metadata: ["repair": "\(repair)"]) }
        if let commit = result.commit {
            report.commit = commit.hex
            report.revision = commit.hex
        }
        guard result.plan.hasChanges else {
            logger.info("no changes")
            return
        }
        for action in result.plan.actions {
            logger.info("\(action.kind.symbol) \(action.kind.rawValue) \(Plan.target(action))\(Plan.versionSuffix(action)): \(action.reason)")
        }
        for id in result.reusedVersionIDs {
            logger.info("reused a pending version instead of generating a new value", metadata: ["version_id": "\(id)"])
        }
        if let commit = result.commit {
            logger[metadataKey: "revision"] = "\(commit.hex)"
            logger.info("committed and pushed", metadata: ["commit": "\(commit.hex)"])
        }
    }

    /// The webhook step; runs after the store lock is released.
    func deliver(stop: StopFlag, logger: Logger, report: inout PassReport) async {
        let statePath = configuration.resolvedStatePath
        guard FileManager.default.fileExists(atPath: statePath) else { return }
        FaultPoint.beforeDeliver.reach()
        do {
            let delivered = try await delivery.deliver(DeliveryContext(now: report.now, statePath: statePath, logger: logger, stop: stop))
            report.delivery = delivered
            if let problem = delivered.problem { logger.warning("deliveries failing", metadata: ["problem": "\(problem)"]) }
        } catch {
            report.deliveryProblem = "\(error)"
            logger.error("delivery step failed", metadata: ["error": "\(error)"])
        }
    }

    /// Whether a git error means the remote's branch moved under a push.
    static func isRemoteMoved(_ error: GitError) -> Bool {
        error.isNonFastForward || error.message.contains("non-fast-forward") || error.message.contains("fastforwardable")
    }
}

/// Carries a report across the task that runs the delivery step for ``Reconciler/runPassBlocking(stop:)``.
private final class ReportBox: Sendable {
    let report: Mutex<PassReport>
    init(_ report: PassReport) { self.report = Mutex(report) }
}
