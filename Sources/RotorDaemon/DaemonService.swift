import Dispatch
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// The daemon's loop as a swift-service-lifecycle `Service`: a pass, a wait of one interval plus
/// jitter on an injected clock, and again — until graceful shutdown (SIGTERM, SIGINT).
///
/// Passes run on a thread of their own (the engine is synchronous). On graceful shutdown the
/// current pass finishes its current step — a started apply runs through commit, push and the
/// store transaction, so nothing is left half-written — later steps are skipped, the wait is
/// cancelled and `run()` returns. If that takes longer than `shutdownTimeout`, `onTimeout` runs
/// (the command exits 1; the next start heals whatever the pass left, see "Crash safety").
public final class DaemonService<C: Clock & Sendable>: Service, Sendable where C.Duration == Duration {
    let runner: any PassRunner
    let schedule: PassSchedule
    let once: Bool
    let maxPasses: Int?
    let clock: C
    let logger: Logger
    let shutdownTimeout: Duration
    let onTimeout: @Sendable () -> Void
    /// The jitter's draws and the latest pass reports.
    private let state: Mutex<(generator: AnyRandomNumberGenerator, reports: [PassReport])>

    /// Creates the loop.
    ///
    /// - Parameters:
    ///   - runner: Runs one pass (the ``Reconciler``).
    ///   - schedule: Interval and jitter.
    ///   - once: Run a single pass and return.
    ///   - maxPasses: Return after this many passes (soak tests); nil runs until shutdown.
    ///   - clock: What the waits between passes sleep on (tests pass a manual clock).
    ///   - generator: Where jitter comes from (tests pass a seeded one).
    ///   - shutdownTimeout: How long a graceful shutdown waits for the current step.
    ///   - onTimeout: Called when that time runs out (the command exits 1).
    public init(runner: any PassRunner, schedule: PassSchedule, once: Bool, maxPasses: Int? = nil, clock: C, logger: Logger,
                generator: some RandomNumberGenerator & Sendable = SystemRandomNumberGenerator(),
                shutdownTimeout: Duration = .seconds(30), onTimeout: @escaping @Sendable () -> Void = { exit(1) }) {
        self.runner = runner
        self.schedule = schedule
        self.once = once
        self.maxPasses = maxPasses
        self.clock = clock
        self.logger = logger
        self.state = Mutex((AnyRandomNumberGenerator(generator), []))
        self.shutdownTimeout = shutdownTimeout
        self.onTimeout = onTimeout
    }

    /// How many pass reports are kept: a daemon runs for months, one report a pass.
    static var keptReports: Int { 100 }

    /// The latest pass reports (up to ``keptReports``), oldest first.
    public var passReports: [PassReport] { state.withLock { $0.reports } }

    /// Runs passes until graceful shutdown (or one pass with `once`).
    public func run() async throws {
        let stop = StopFlag()
        let finished = StopFlag()
        defer { finished.set() }
        let runner = self.runner
        let logger = self.logger
        let timeout = shutdownTimeout
        let onTimeout = self.onTimeout
        await withGracefulShutdownHandler {
            var passes = 0
            while true {
                let report = await runner.runPass(stop: stop)
                passes += 1
                state.withLock { state in
                    state.reports.append(report)
                    if state.reports.count > Self.keptReports { state.reports.removeFirst(state.reports.count - Self.keptReports) }
                }
                if once || stop.isSet || maxPasses.map({ passes >= $0 }) == true { break }
                let delay = state.withLock { schedule.nextDelay(using: &$0.generator) }
                logger.debug("next pass scheduled", metadata: ["in_seconds": "\(delay.components.seconds)"])
                let clock = self.clock
                do {
                    try await cancelWhenGracefulShutdown { try await clock.sleep(for: delay) }
                } catch {
                    break
                }
                if stop.isSet || Task.isCancelled { break }
            }
        } onGracefulShutdown: {
            stop.set()
            logger.info("shutdown requested: finishing the current step", metadata: ["timeout_seconds": "\(timeout.components.seconds)"])
            let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
            DispatchQueue.global().asyncAfter(deadline: .now() + seconds) {
                guard !finished.isSet else { return }
                logger.error("shutdown timed out: abandoning the pass; the next start heals it (see Crash safety)")
                onTimeout()
            }
        }
        logger.info(once ? "single pass finished" : maxPasses != nil && !Task.isCancelled ? "all passes finished" : "stopped")
    }
}
