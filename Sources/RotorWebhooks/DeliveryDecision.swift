import Foundation

/// What to do with a job after one attempt: the pure heart of the retry policy.
public enum DeliveryDecision: Hashable, Sendable {
    /// The receiver answered 2xx: the job is `completed`.
    case delivered
    /// Try again at this instant; the job goes back to `pending`.
    case retry(at: Date)
    /// The last attempt of the round failed: the job is `failed` (visible, never dropped).
    case failed
    /// The receiver answered 410 Gone: the job fails and its endpoint is disabled.
    case endpointGone

    /// Decides what follows `outcome`.
    ///
    /// 2xx delivers. 410 disables the endpoint. Anything else — another status, a timeout, a
    /// transport error — retries with backoff while the round has attempts left; on 429 and
    /// 503 a `Retry-After` (seconds or an HTTP date) replaces the backoff.
    ///
    /// - Parameters:
    ///   - outcome: What the attempt came back with.
    ///   - attempt: The attempt's number (1-based, counting every round).
    ///   - maxAttempts: The job's limit.
    ///   - now: When the attempt finished, on the scheduling clock.
    ///   - schedule: The backoff.
    ///   - unit: A uniform draw from [0, 1) for the jitter (injected, so tests are deterministic).
    public static func decide(_ outcome: AttemptOutcome, attempt: Int, maxAttempts: Int, now: Date,
                              schedule: RetrySchedule, unit: Double) -> DeliveryDecision {
        if outcome.isSuccess { return .delivered }
        if case .response(410, _) = outcome { return .endpointGone }
        guard attempt < maxAttempts else { return .failed }
        if case .response(let status, let header?) = outcome, status == 429 || status == 503,
           let wait = RetryAfter.seconds(header, now: now) {
            return .retry(at: now.addingTimeInterval(min(max(wait, 1), schedule.maxRetryAfter).rounded(.up)))
        }
        let number = schedule.retryNumber(afterAttempt: attempt, maxAttempts: maxAttempts)
        return .retry(at: now.addingTimeInterval(schedule.delay(beforeRetry: number, unit: unit)))
    }
}
