import Foundation

extension ControlPlane {
    /// `/healthz` of `rotor serve`: healthy while HEAD loads and validates and the store answers.
    ///
    /// Checked at most once a second (a monotonic clock: this is about load, not the injected
    /// time), so a storm of probes costs one check, and `/healthz` stays the framework's floor.
    package func health() async -> HealthReport {
        let start = ContinuousClock.now
        if let last = lastHealth.withLock({ $0 }), start - last.at < .seconds(1) { return last.report }
        let report: HealthReport
        do {
            let view = try await view()
            let store = try self.store
            _ = try await blocking { try store.verifiedRevision() }
            report = HealthReport(healthy: true, text: "ok: serving \(String(view.revision.prefix(12)))\n")
        } catch {
            report = HealthReport(healthy: false, text: "degraded: \(error)\n")
        }
        lastHealth.withLock { $0 = (start, report) }
        return report
    }
}
