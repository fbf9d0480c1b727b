import RotorAPIContract
import Foundation

extension ControlPlane {
    /// `/healthz` of `rotor serve`: healthy while HEAD loads and validates and the store answers.
    package func health() async -> HealthReport {
        do {
            let view = try await view()
            let store = try self.store
            _ = try await blocking { try store.verifiedRevision() }
            return HealthReport(healthy: true, text: "ok: serving \(String(view.revision.prefix(12)))\n")
        } catch {
            return HealthReport(healthy: false, text: "degraded: \(error)\n")
        }
    }
}
