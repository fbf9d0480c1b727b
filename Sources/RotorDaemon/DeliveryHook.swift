import Foundation
import Logging

/// The webhook step of a daemon pass: the seam between the daemon and the webhook worker.
///
/// After every pass — also when the specs were invalid or the remote unreachable, since events
/// already in the outbox still have to go out — the daemon calls ``deliver(_:)`` once, after
/// releasing the state store's lock (delivery does network I/O and must not hold up `rotor
/// apply`). It is `async` and runs in Swift concurrency (not on the pass's blocking thread),
/// so an implementation can await `Engine.deliver(clock:options:…)` directly. An implementation reads due jobs from the store's outbox at `context.statePath`,
/// sends them, and reports counts; it must claim its own jobs (two daemons may deliver at the
/// same time; deliveries are at least once and consumers deduplicate on `webhook-id`).
///
/// A thrown error marks health degraded with "deliveries failing: …"; so does a report with
/// `problem` set (e.g. jobs that ran out of retries).
public protocol DeliveryHook: Sendable {
    /// Delivers what is due at `context.now`; never logs or returns a secret value.
    func deliver(_ context: DeliveryContext) async throws -> DeliverySummary
}

/// What a delivery step is given.
public struct DeliveryContext: Sendable {
    /// The instant of the pass.
    public var now: Date
    /// The state store (its outbox and jobs tables).
    public var statePath: String
    /// The pass's logger (its lines carry the pass number and revision).
    public var logger: Logger
    /// Set when shutdown was requested: stop after the delivery in flight.
    public var stop: StopFlag

    /// Creates a context.
    public init(now: Date, statePath: String, logger: Logger, stop: StopFlag) {
        self.now = now
        self.statePath = statePath
        self.logger = logger
        self.stop = stop
    }
}

/// What a delivery step did (named apart from the worker's per-attempt `DeliveryReport`), for `/metrics` (`rotor_deliveries_total`, `rotor_jobs`) and `/healthz`.
public struct DeliverySummary: Sendable, Equatable {
    /// Webhooks accepted by their receiver in this step.
    public var delivered = 0
    /// Attempts that failed and will be retried.
    public var retried = 0
    /// Jobs that ran out of retries in this step.
    public var failed = 0
    /// Jobs waiting to be delivered after this step.
    public var jobsPending = 0
    /// Jobs marked failed in the store (all time, until someone acts on them).
    public var jobsFailed = 0
    /// Why deliveries are degraded, if they are ("3 jobs failed for billing-api").
    public var problem: String?

    /// Creates a report.
    public init(delivered: Int = 0, retried: Int = 0, failed: Int = 0, jobsPending: Int = 0, jobsFailed: Int = 0, problem: String? = nil) {
        self.delivered = delivered
        self.retried = retried
        self.failed = failed
        self.jobsPending = jobsPending
        self.jobsFailed = jobsFailed
        self.problem = problem
    }
}

/// The delivery step until webhook delivery is wired in: does nothing and reports zeros.
public struct NoDelivery: DeliveryHook {
    /// Creates the no-op step.
    public init() {}

    /// Reports nothing delivered and nothing pending.
    public func deliver(_ context: DeliveryContext) async throws -> DeliverySummary { DeliverySummary() }
}
