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

/// The `Retry-After` header (RFC 9110 §10.2.3): delay-seconds or an HTTP date.
public enum RetryAfter {
    /// Seconds to wait from `now`, or nil when the header is neither form.
    public static func seconds(_ header: String, now: Date) -> TimeInterval? {
        let text = header.trimmingCharacters(in: .whitespaces)
        if !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            return text.count <= 9 ? TimeInterval(text) : nil
        }
        guard let date = httpDate(text) else { return nil }
        return max(0, date.timeIntervalSince(now))
    }

    /// Parses an IMF-fixdate such as `Sun, 06 Nov 1994 08:49:37 GMT`.
    static func httpDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.date(from: text)
    }
}
