import Foundation
import RotorCore
import RotorStore
import RotorWebhooks

extension Engine {
    /// A webhook worker over this repository's store, signing with the keys in git.
    ///
    /// The store first adopts what git has (so events of a commit whose store step was lost
    /// get their delivery jobs now). Signing secrets are decrypted when first needed, which
    /// takes the private key, as `rotor get` does.
    ///
    /// - Parameters:
    ///   - clock: Scheduling time (`--at`, or the wall clock).
    ///   - options: Timeouts, concurrency, schedule, pass bound.
    ///   - wireClock: The time put in `webhook-timestamp` (real by default).
    ///   - jitter: Draws for retry jitter (seeded in tests).
    public func webhookWorker(clock: any DeliveryClock, options: DeliveryOptions = DeliveryOptions(),
                              wireClock: any DeliveryClock = SystemDeliveryClock(), jitter: JitterSource = JitterSource()) throws -> WebhookWorker {
        GPGSigningKeys.warmUp(gpgHome: gpgHome)
        let snapshot = try snapshot()
        let keys = GPGSigningKeys(files: snapshot.versionFiles, gpgHome: gpgHome)
        // The signing keys of the services with deliveries due are decrypted (gpg, ~10 ms each)
        // while the store is opened and reconciled, not at the start of the pass. Which services:
        // the store as it was before this reconcile says (a hint; what it misses is read when needed).
        let (statePath, now) = (self.statePath, clock.now())
        keys.prefetchInBackground({ (try? StateStore.openReadOnly(path: statePath)?.dueDeliveryServices(dueBy: now)) ?? [] }, at: now)
        let store = try openStore(snapshot: snapshot, desired: snapshot.desired, now: clock.now())
        // Endpoint changes the worker makes (a 410 disabling one) are audited as rotor's, whoever runs it.
        return WebhookWorker(store: store, keys: keys, clock: clock, wireClock: wireClock, options: options, jitter: jitter)
    }

    /// Delivers every webhook due now, once (`rotor deliver`, and the end of `rotor apply`).
    ///
    /// - Parameter only: When set, only these jobs.
    /// - Returns: Every attempt made. Receivers' failures are in the report, not thrown.
    public func deliver(clock: any DeliveryClock, options: DeliveryOptions = DeliveryOptions(),
                        wireClock: any DeliveryClock = SystemDeliveryClock(), jitter: JitterSource = JitterSource(),
                        only: Set<String>? = nil) async throws -> DeliveryReport {
        try await webhookWorker(clock: clock, options: options, wireClock: wireClock, jitter: jitter).runOnce(only: only)
    }

    /// The delivery step of `rotor apply` and `rotor rotate`: like ``deliver(clock:options:wireClock:jitter:only:)``,
    /// but when the store (just brought in step by the apply) holds no job due and none running,
    /// it returns at once instead of reading the new revision and starting an HTTP client.
    public func deliverAfterApply(clock: any DeliveryClock, options: DeliveryOptions = DeliveryOptions()) async throws -> DeliveryReport {
        guard FileManager.default.fileExists(atPath: statePath),
              try StateStore(path: statePath).hasDeliveryWork(dueBy: clock.now()) else { return DeliveryReport() }
        return try await deliver(clock: clock, options: options)
    }
}
