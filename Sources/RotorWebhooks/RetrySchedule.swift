import Foundation

/// When a failed delivery is tried again: exponential backoff with jitter. A pure value.
///
/// The standard schedule is 6 attempts in all: the first, then 5 retries after
/// 1 min, 4 min, 16 min, 64 min and 256 min (4 h 16 min), each ±20% jitter — so a receiver
/// can be down for about 5½ hours before a job is marked `failed`. A `Retry-After`
/// header on 429 or 503 replaces the computed delay (capped at 24 h).
public struct RetrySchedule: Hashable, Sendable {
    /// Attempts in one round, the first included (`rotor jobs retry` starts a new round).
    public var maxAttempts: Int
    /// The delay before the first retry.
    public var baseDelay: TimeInterval
    /// Each retry waits this many times longer than the one before.
    public var factor: Double
    /// Jitter as a fraction: 0.2 spreads each delay uniformly over ±20%.
    public var jitter: Double
    /// No computed delay exceeds this.
    public var maxDelay: TimeInterval
    /// No `Retry-After` is honoured beyond this.
    public var maxRetryAfter: TimeInterval

    /// Creates a schedule.
    public init(maxAttempts: Int = 6, baseDelay: TimeInterval = 60, factor: Double = 4, jitter: Double = 0.2,
                maxDelay: TimeInterval = 6 * 3_600, maxRetryAfter: TimeInterval = 24 * 3_600) {
        precondition(maxAttempts >= 1 && baseDelay >= 1 && factor >= 1 && (0..<1).contains(jitter))
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.factor = factor
        self.jitter = jitter
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
    }

    /// 6 attempts: 1 min, 4 min, 16 min, 64 min, 256 min between them, ±20%.
    public static let standard = RetrySchedule()

    /// The delay before retry `number` (1 = the first retry), before jitter.
    public func nominalDelay(beforeRetry number: Int) -> TimeInterval {
        let exponent = Double(max(number, 1) - 1)
        return min(maxDelay, baseDelay * pow(factor, exponent))
    }

    /// The delay before retry `number` with jitter; `unit` is a uniform draw from [0, 1).
    ///
    /// Rounded to whole seconds (the store keeps whole seconds) and never under one second.
    public func delay(beforeRetry number: Int, unit: Double) -> TimeInterval {
        let spread = 1 - jitter + 2 * jitter * min(max(unit, 0), 1)
        return max(1, (nominalDelay(beforeRetry: number) * spread).rounded())
    }

    /// Which retry of its round attempt `attempt` would be followed by, for a job allowed `maxAttempts`.
    ///
    /// Rounds restart with `rotor jobs retry`, which raises a job's `maxAttempts` by one
    /// round, so the backoff starts again at the base delay.
    public func retryNumber(afterAttempt attempt: Int, maxAttempts jobMax: Int) -> Int {
        let left = jobMax - attempt
        return max(1, maxAttempts - left)
    }
}
