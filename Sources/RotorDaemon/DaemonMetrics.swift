import Foundation
import Metrics
import RotorCore
import RotorServer
import Synchronization

/// The daemon's series, as swift-metrics objects on the server's registry (``ServerMetrics``),
/// so `/metrics` shows them beside the HTTP series. Labels are outcomes, kinds, states and a
/// git revision: nothing here can carry a secret value.
final class DaemonMetrics: Sendable {
    /// Upper bounds of the pass-duration histogram.
    static let passDurationBuckets: [Duration] = DaemonStatus.bucketBounds.map { .milliseconds(Int64($0 * 1000)) }

    private let factory: any MetricsFactory
    private let passes: [PassOutcome: Metrics.Counter]
    private let passDuration: Metrics.Timer
    private let rotations: Counter
    private let expirations: Counter
    private let actions: [PlanAction.Kind: Counter]
    private let pushRejections: Counter
    private let pendingVersions: Gauge
    private let deliveries: [String: Counter]
    private let jobs: [String: Gauge]
    private let lastSuccess: Mutex<(revision: String, gauge: Gauge)?> = Mutex(nil)
    // Made at the first success, so no "last success at 1970" is shown before one.
    private let lastSuccessTimestamp = Mutex<Gauge?>(nil)
    private let nextRotationDue = Mutex<Gauge?>(nil)
    private let healthy: Gauge
    private let degraded: [HealthProblem: Gauge]

    init(metrics: ServerMetrics) {
        let factory = metrics.factory
        self.factory = factory
        passes = Dictionary(uniqueKeysWithValues: PassOutcome.allCases.map {
            ($0, Counter(label: "rotor_passes_total", dimensions: [("outcome", $0.rawValue)], factory: factory))
        })
        passDuration = Metrics.Timer(label: "rotor_pass_duration_seconds", factory: factory)
        rotations = Counter(label: "rotor_rotations_total", factory: factory)
        expirations = Counter(label: "rotor_expirations_total", factory: factory)
        actions = Dictionary(uniqueKeysWithValues: PlanAction.Kind.allCases.map {
            ($0, Counter(label: "rotor_actions_total", dimensions: [("kind", $0.rawValue)], factory: factory))
        })
        pushRejections = Counter(label: "rotor_push_rejections_total", factory: factory)
        pendingVersions = Gauge(label: "rotor_pending_versions", factory: factory)
        deliveries = Dictionary(uniqueKeysWithValues: ["delivered", "retried", "failed"].map {
            ($0, Counter(label: "rotor_deliveries_total", dimensions: [("outcome", $0)], factory: factory))
        })
        jobs = Dictionary(uniqueKeysWithValues: ["pending", "failed"].map {
            ($0, Gauge(label: "rotor_jobs", dimensions: [("state", $0)], factory: factory))
        })
        healthy = Gauge(label: "rotor_healthy", factory: factory)
        degraded = Dictionary(uniqueKeysWithValues: HealthProblem.allCases.map {
            ($0, Gauge(label: "rotor_degraded", dimensions: [("reason", $0.rawValue)], factory: factory))
        })
        for counter in passes.values { counter.increment(by: 0) }
        for counter in actions.values { counter.increment(by: 0) }
        for counter in deliveries.values { counter.increment(by: 0) }
        rotations.increment(by: 0)
        expirations.increment(by: 0)
        pushRejections.increment(by: 0)
        pendingVersions.record(0)
        for gauge in jobs.values { gauge.record(0) }
    }

    /// Folds one pass into the series, then sets the health gauges from `state`.
    func record(_ report: PassReport, state: DaemonStatus.Snapshot) {
        passes[report.outcome]?.increment()
        passDuration.recordNanoseconds(Int64(report.duration * 1e9))
        pushRejections.increment(by: report.pushRejections)
        pendingVersions.record(report.pendingVersions)
        if report.outcome.succeeded {
            for action in report.plan?.actions ?? [] {
                actions[action.kind]?.increment()
                if action.kind == .rotate { rotations.increment() }
                if action.kind == .expire { expirations.increment() }
            }
            if let revision = report.revision { setLastSuccess(revision: revision) }
            gauge(lastSuccessTimestamp, "rotor_last_success_timestamp_seconds").record(report.now.timeIntervalSince1970.rounded())
            if let due = report.nextRotationDue {
                gauge(nextRotationDue, "rotor_next_rotation_due_timestamp_seconds").record(due.timeIntervalSince1970.rounded())
            }
        }
        if let delivery = report.delivery {
            deliveries["delivered"]?.increment(by: delivery.delivered)
            deliveries["retried"]?.increment(by: delivery.retried)
            deliveries["failed"]?.increment(by: delivery.failed)
            jobs["pending"]?.record(delivery.jobsPending)
            jobs["failed"]?.record(delivery.jobsFailed)
        }
        let health = state.health
        healthy.record(health.isHealthy ? 1 : 0)
        for (problem, gauge) in degraded { gauge.record(health.problems.contains { $0.0 == problem } ? 1 : 0) }
    }

    private func gauge(_ slot: borrowing Mutex<Gauge?>, _ label: String) -> Gauge {
        slot.withLock { gauge in
            if let gauge { return gauge }
            let made = Gauge(label: label, factory: factory)
            gauge = made
            return made
        }
    }

    /// `rotor_last_success_info{revision}` shows only the latest revision: the previous series is removed.
    private func setLastSuccess(revision: String) {
        let previous = lastSuccess.withLock { last -> Gauge? in
            if last?.revision == revision { return nil }
            let old = last?.gauge
            let gauge = Gauge(label: "rotor_last_success_info", dimensions: [("revision", revision)], factory: factory)
            gauge.record(1)
            last = (revision, gauge)
            return old
        }
        previous?.destroy()
    }
}
