/// Where a job is in its life. `running` jobs carry an owner and a lease.
public enum JobStatus: String, Codable, Sendable, CaseIterable {
    /// Waiting for `run_at`.
    case pending
    /// Claimed by a rotor process until its lease ends; a crashed owner's job is claimed again.
    case running
    /// Every attempt of its round failed, or its endpoint answered 410 Gone. `rotor jobs retry` revives it.
    case failed
    /// Done: the receiver answered 2xx.
    case completed
    /// Cancelled by a person before it ran (`rotor jobs cancel`).
    case cancelled
}

/// The kinds of deferred work the `jobs` table holds.
public enum JobType: String, Codable, Sendable, CaseIterable {
    /// One event delivered to one consumer's webhook.
    case webhookDelivery = "webhook.delivery"
}
