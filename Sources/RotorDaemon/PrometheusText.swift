import Foundation
import RotorCore

/// Renders the daemon's metrics in the Prometheus text exposition format (version 0.0.4).
///
/// Hand-written rather than through swift-metrics: a dozen series, no registry to configure,
/// and nothing here can carry a secret value (labels are outcomes, kinds and a revision).
public enum PrometheusText {
    /// The `Content-Type` of the exposition.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// Every metric, with `# HELP` and `# TYPE` lines.
    public static func render(_ status: DaemonStatus.Snapshot) -> String {
        var out = ""
        func family(_ name: String, _ type: String, _ help: String) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
        }
        func sample(_ name: String, _ labels: [(String, String)] = [], _ value: Double) {
            let rendered = labels.isEmpty ? "" : "{" + labels.map { "\($0.0)=\"\(escape($0.1))\"" }.joined(separator: ",") + "}"
            out += "\(name)\(rendered) \(number(value))\n"
        }

        family("rotor_passes_total", "counter", "Reconcile passes by outcome.")
        for outcome in PassOutcome.allCases { sample("rotor_passes_total", [("outcome", outcome.rawValue)], Double(status.passes[outcome] ?? 0)) }

        family("rotor_pass_duration_seconds", "histogram", "How long a pass took, from lock to delivery.")
        for bucket in status.durationBuckets { sample("rotor_pass_duration_seconds_bucket", [("le", number(bucket.le))], Double(bucket.count)) }
        sample("rotor_pass_duration_seconds_bucket", [("le", "+Inf")], Double(status.durationCount))
        sample("rotor_pass_duration_seconds_sum", [], status.durationSum)
        sample("rotor_pass_duration_seconds_count", [], Double(status.durationCount))

        family("rotor_rotations_total", "counter", "Secret and API key versions rotated by this process.")
        sample("rotor_rotations_total", [], Double(status.actions["rotate"] ?? 0))
        family("rotor_expirations_total", "counter", "Grace periods and key overlaps ended by this process.")
        sample("rotor_expirations_total", [], Double(status.actions["expire"] ?? 0))
        family("rotor_actions_total", "counter", "Plan actions applied by this process, by kind.")
        for kind in PlanAction.Kind.allCases { sample("rotor_actions_total", [("kind", kind.rawValue)], Double(status.actions[kind.rawValue] ?? 0)) }

        family("rotor_push_rejections_total", "counter", "Pushes refused because the remote moved (each is followed by a re-plan).")
        sample("rotor_push_rejections_total", [], Double(status.pushRejections))
        family("rotor_pending_versions", "gauge", "Versions committed but not yet on the remote, kept encrypted in the store for reuse.")
        sample("rotor_pending_versions", [], Double(status.pendingVersions))

        family("rotor_deliveries_total", "counter", "Webhook delivery attempts by outcome.")
        for outcome in ["delivered", "retried", "failed"] { sample("rotor_deliveries_total", [("outcome", outcome)], Double(status.deliveries[outcome] ?? 0)) }
        family("rotor_jobs", "gauge", "Webhook jobs in the store by state.")
        sample("rotor_jobs", [("state", "pending")], Double(status.jobsPending))
        sample("rotor_jobs", [("state", "failed")], Double(status.jobsFailed))

        family("rotor_last_success_info", "gauge", "The revision the last successful pass reconciled (value always 1).")
        if let revision = status.lastSuccessRevision { sample("rotor_last_success_info", [("revision", revision)], 1) }
        family("rotor_last_success_timestamp_seconds", "gauge", "When the last successful pass ran (its planning instant), Unix seconds.")
        if let at = status.lastSuccessAt { sample("rotor_last_success_timestamp_seconds", [], at.timeIntervalSince1970.rounded()) }
        family("rotor_next_rotation_due_timestamp_seconds", "gauge", "When the next scheduled rotation is due, Unix seconds.")
        if let due = status.nextRotationDue { sample("rotor_next_rotation_due_timestamp_seconds", [], due.timeIntervalSince1970.rounded()) }

        let health = status.health
        family("rotor_healthy", "gauge", "1 when /healthz answers ok, else 0.")
        sample("rotor_healthy", [], health.isHealthy ? 1 : 0)
        family("rotor_degraded", "gauge", "1 for each reason /healthz is degraded.")
        for problem in HealthProblem.allCases {
            sample("rotor_degraded", [("reason", problem.rawValue)], health.problems.contains { $0.0 == problem } ? 1 : 0)
        }
        return out
    }

    /// A number as Prometheus writes it: integers without a fraction.
    static func number(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    /// Escapes a label value (backslash, double quote, newline).
    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }
}
