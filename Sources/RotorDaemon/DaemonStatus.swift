import Foundation
import Synchronization
import RotorCore
import RotorServer

/// The daemon's health and metrics, updated after every pass and read by the HTTP server.
///
/// Thread-safe: passes run on their own thread, requests on NIO's event loops.
public final class DaemonStatus: Sendable {
    /// Everything `/healthz` and `/metrics` show, copied out under the lock.
    public struct Snapshot: Sendable {
        /// Finished passes by outcome.
        public var passes: [PassOutcome: Int] = [:]
        /// Pass durations: cumulative counts per bucket upper bound (seconds), their sum and count.
        public var durationBuckets: [(le: Double, count: Int)] = DaemonStatus.bucketBounds.map { ($0, 0) }
        /// Sum of pass durations, seconds.
        public var durationSum: Double = 0
        /// Number of passes timed.
        public var durationCount = 0
        /// Actions applied, by plan action kind (create, rotate, expire, delete, revoke, warn).
        public var actions: [String: Int] = [:]
        /// Push attempts refused because the remote moved.
        public var pushRejections = 0
        /// Webhook deliveries by outcome (delivered, retried, failed).
        public var deliveries: [String: Int] = ["delivered": 0, "retried": 0, "failed": 0]
        /// Jobs waiting and jobs failed, as the last delivery step reported.
        public var jobsPending = 0
        /// Jobs failed (all time).
        public var jobsFailed = 0
        /// The revision and instant of the last successful pass.
        public var lastSuccessRevision: String?
        /// The planning instant of the last successful pass.
        public var lastSuccessAt: Date?
        /// When the next rotation is due.
        public var nextRotationDue: Date?
        /// Pending (unpushed, kept) versions in the store.
        public var pendingVersions = 0
        /// Problems from the reconcile part of the last pass and from the delivery step.
        public var reconcileProblem: (HealthProblem, String)? = (.starting, "no pass has finished yet")
        /// Why deliveries are degraded, if they are.
        public var deliveryProblem: String?

        /// The health these make.
        public var health: Health {
            var problems: [(HealthProblem, String)] = []
            if let reconcileProblem { problems.append(reconcileProblem) }
            if let deliveryProblem { problems.append((.deliveriesFailing, deliveryProblem)) }
            return Health(problems: problems)
        }
    }

    /// Upper bounds of the pass-duration histogram, in seconds.
    public static let bucketBounds: [Double] = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300]

    private let state = Mutex(Snapshot())
    /// The registry `/metrics` renders: the daemon's series and the HTTP server's.
    package let metrics: ServerMetrics
    private let series: DaemonMetrics

    /// Creates a status with no pass recorded ("starting").
    public init() {
        metrics = ServerMetrics(durationBuckets: ["rotor_pass_duration_seconds": DaemonMetrics.passDurationBuckets])
        series = DaemonMetrics(metrics: metrics)
    }

    /// A consistent copy of the current state.
    public var snapshot: Snapshot { state.withLock { $0 } }

    /// The current health.
    public var health: Health { snapshot.health }

    /// Folds one finished pass into the counters and the health.
    public func record(_ report: PassReport) {
        let after = state.withLock { state -> Snapshot in
            state.passes[report.outcome, default: 0] += 1
            for index in state.durationBuckets.indices where report.duration <= state.durationBuckets[index].le {
                state.durationBuckets[index].count += 1
            }
            state.durationSum += report.duration
            state.durationCount += 1
            state.pushRejections += report.pushRejections
            state.pendingVersions = report.pendingVersions
            switch report.outcome {
            case .applied, .unchanged:
                state.reconcileProblem = nil
                state.lastSuccessRevision = report.revision
                state.lastSuccessAt = report.now
                state.nextRotationDue = report.nextRotationDue
                for action in report.plan?.actions ?? [] { state.actions[action.kind.rawValue, default: 0] += 1 }
            case .fetchFailed: state.reconcileProblem = (.fetchFailing, report.problem ?? "unknown")
            case .specInvalid: state.reconcileProblem = (.specInvalid, report.problem ?? "unknown")
            case .pushRejected: state.reconcileProblem = (.pushRejected, report.problem ?? "unknown")
            case .locked: state.reconcileProblem = (.locked, report.problem ?? "unknown")
            case .failed: state.reconcileProblem = (.applyFailing, report.problem ?? "unknown")
            case .interrupted: break
            }
            if let delivery = report.delivery {
                state.deliveries["delivered", default: 0] += delivery.delivered
                state.deliveries["retried", default: 0] += delivery.retried
                state.deliveries["failed", default: 0] += delivery.failed
                state.jobsPending = delivery.jobsPending
                state.jobsFailed = delivery.jobsFailed
                state.deliveryProblem = delivery.problem
            }
            if let problem = report.deliveryProblem { state.deliveryProblem = problem }
            return state
        }
        series.record(report, state: after)
    }
}
