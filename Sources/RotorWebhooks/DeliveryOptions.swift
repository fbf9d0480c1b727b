import Foundation

/// How a delivery pass behaves.
public struct DeliveryOptions: Sendable {
    /// How long one request may take, connection included (default 15 s).
    public var requestTimeout: TimeInterval
    /// How many requests may be in flight at once (default 8). A hanging receiver holds one slot.
    public var concurrency: Int
    /// The backoff between attempts.
    public var schedule: RetrySchedule
    /// A bound on the whole pass, in real seconds; nil means none. Jobs not started by then
    /// wait for the next pass; requests cut short by it are given back uncounted.
    public var passTimeout: TimeInterval?
    /// How long a claim holds before another process may take the job (default: 4 × the request timeout + 60 s).
    public var lease: TimeInterval?
    /// Who actions such as disabling an endpoint are audited as.
    public var actor: String

    /// Creates options.
    public init(requestTimeout: TimeInterval = 15, concurrency: Int = 8, schedule: RetrySchedule = .standard,
                passTimeout: TimeInterval? = nil, lease: TimeInterval? = nil, actor: String = "rotor") {
        self.requestTimeout = requestTimeout
        self.concurrency = max(1, concurrency)
        self.schedule = schedule
        self.passTimeout = passTimeout
        self.lease = lease
        self.actor = actor
    }

    /// The lease in effect.
    public var effectiveLease: TimeInterval { lease ?? (4 * requestTimeout + 60) }
}
