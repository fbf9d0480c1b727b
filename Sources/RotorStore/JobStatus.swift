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

/// Who claimed a running job: a process on a host. Stored as `host:pid`.
public struct JobOwner: Hashable, Sendable, CustomStringConvertible {
    /// The host name.
    public var host: String
    /// The process id on that host.
    public var pid: Int32

    /// Creates an owner.
    public init(host: String, pid: Int32) {
        self.host = host
        self.pid = pid
    }

    /// Parses `host:pid`; nil for anything else.
    public init?(parsing text: String) {
        guard let colon = text.lastIndex(of: ":"), let pid = Int32(text[text.index(after: colon)...]) else { return nil }
        self.init(host: String(text[..<colon]), pid: pid)
    }

    /// `host:pid`.
    public var description: String { "\(host):\(pid)" }
}
