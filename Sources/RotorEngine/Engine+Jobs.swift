import Foundation
import RotorCore
import RotorStore

/// One job with its attempts, for `rotor jobs show`.
public struct JobDetail: Sendable {
    /// The job.
    public let job: JobRecord
    /// Every attempt, first first.
    public let attempts: [DeliveryAttemptRecord]
    /// The job's endpoint, when rotor disabled it.
    public let disabledEndpoint: WebhookEndpointRecord?
}

extension Engine {
    /// Jobs, oldest first (after the store adopted git), optionally only one status.
    public func jobs(status: JobStatus?, now: Date) throws -> [JobRecord] {
        try jobStore(now: now).jobs(status: status)
    }

    /// Endpoints a 410 Gone disabled.
    public func disabledEndpoints(now: Date) throws -> [WebhookEndpointRecord] {
        try jobStore(now: now).webhookEndpoints().filter { $0.disabledAt != nil }
    }

    /// One job (by id, or a unique prefix of at least 8 characters) and its attempts.
    public func job(_ id: String, now: Date) throws -> JobDetail {
        let store = try jobStore(now: now)
        let job = try store.job(id)
        let endpoint = try job.delivery.flatMap { delivery in
            try store.webhookEndpoints().first { $0.url == delivery.url && $0.disabledAt != nil }
        }
        return JobDetail(job: job, attempts: try store.attempts(ofJob: job.id), disabledEndpoint: endpoint)
    }

    /// Makes a job due now with a fresh round of attempts (audited); re-enables its endpoint if a 410 disabled it.
    public func retryJob(_ id: String, now: Date) throws -> (job: JobRecord, reenabled: String?) {
        try jobStore(now: now).retryJob(id, now: now, actor: actor)
    }

    /// Cancels a pending job (audited).
    public func cancelJob(_ id: String, now: Date) throws -> JobRecord {
        try jobStore(now: now).cancelJob(id, now: now, actor: actor)
    }

    private func jobStore(now: Date) throws -> StateStore {
        let snapshot = try snapshot()
        return try openStore(snapshot: snapshot, desired: snapshot.desired, now: now)
    }
}
