import Foundation
import Synchronization

/// Counts failed authentications per source address and refuses an address that failed too
/// often, for a while: guessing keys is slow, and the audit log is not flooded.
///
/// A fixed window per address: `limit` failures within `window` seconds block the address until
/// the window that saw them ends. Time is the control plane's clock, so tests move it.
final class FailureLimiter: Sendable {
    private struct Window {
        var start: Date
        var failures: Int
    }

    let limit: Int
    let window: TimeInterval
    private let windows = Mutex<[String: Window]>([:])

    init(limit: Int, window: TimeInterval) {
        self.limit = limit
        self.window = window
    }

    /// Seconds until `address` may try again, or nil when it may now.
    func blocked(_ address: String, now: Date) -> Int? {
        windows.withLock { windows in
            guard let current = windows[address] else { return nil }
            let end = current.start.addingTimeInterval(window)
            if end <= now {
                windows[address] = nil
                return nil
            }
            return current.failures >= limit ? max(1, Int(end.timeIntervalSince(now).rounded(.up))) : nil
        }
    }

    /// Records one failure; true when this one reached the limit.
    @discardableResult
    func recordFailure(_ address: String, now: Date) -> Bool {
        windows.withLock { windows in
            // Forget windows that ended, so the table stays as small as the set of recent offenders.
            if windows.count > 10_000 { windows = windows.filter { $0.value.start.addingTimeInterval(window) > now } }
            var current = windows[address].flatMap { $0.start.addingTimeInterval(window) > now ? $0 : nil } ?? Window(start: now, failures: 0)
            current.failures += 1
            windows[address] = current
            return current.failures == limit
        }
    }
}
