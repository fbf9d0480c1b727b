import Foundation
import Logging
import RotorEngine
import RotorStore
import RotorWebhooks

/// The daemon's delivery step: the webhook worker, once per pass, after the store lock is released.
///
/// A fresh engine (and so a fresh worker) is made every pass: the worker reads signing keys
/// from git once, and a long-lived one would keep signing with keys that have since rotated.
public struct WebhookDelivery: DeliveryHook {
    /// The daemon's clone.
    public let workdir: String
    /// The GnuPG home holding the reconciler's key (signing secrets are decrypted with it).
    public let gpgHome: String?
    /// Per-request timeout and concurrency; `passTimeout` bounds the whole step.
    public let options: DeliveryOptions
    /// Whether the pass clock is frozen (`--at`): schedule with it; otherwise the wall clock.
    public let frozen: Bool

    /// Creates the step.
    public init(workdir: String, gpgHome: String?, options: DeliveryOptions = DeliveryOptions(passTimeout: 60), frozen: Bool = false) {
        self.workdir = workdir
        self.gpgHome = gpgHome
        self.options = options
        self.frozen = frozen
    }

    /// Delivers what is due, then counts what is left; a failed job makes deliveries "degraded".
    public func deliver(_ context: DeliveryContext) async throws -> DeliverySummary {
        let engine = try Engine(repositoryPath: workdir, statePath: context.statePath, actor: "rotor", gpgHome: gpgHome)
        let clock: any DeliveryClock = frozen ? FixedDeliveryClock(context.now) : SystemDeliveryClock()
        let report = try await engine.deliver(clock: clock, options: options)
        let store = try StateStore(path: context.statePath)
        let failedJobs = try store.jobs(status: .failed)
        var summary = DeliverySummary(delivered: report.delivered,
                                      retried: report.results.filter { $0.result == .retrying }.count,
                                      failed: report.results.filter { [.failed, .endpointDisabled, .notSent].contains($0.result) }.count,
                                      jobsPending: try store.jobs(status: .pending).count, jobsFailed: failedJobs.count)
        if !failedJobs.isEmpty {
            let services = Set(failedJobs.compactMap { $0.delivery?.service }).sorted()
            summary.problem = "\(failedJobs.count) delivery job\(failedJobs.count == 1 ? "" : "s") failed (\(services.joined(separator: ", "))): see `rotor jobs list --status failed`"
        }
        return summary
    }
}
