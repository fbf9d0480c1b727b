import Foundation
import RotorWebhooks

/// A delivery clock tests move by hand: `sleep` records the wait and jumps ahead at once.
public final class TestDeliveryClock: DeliveryClock, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date
    private var waits: [TimeInterval] = []

    /// A clock reading `start`.
    public init(_ start: Date) { current = start }

    public func now() -> Date { lock.withLock { current } }

    /// Records the wait and moves to `instant` without waiting.
    public func sleep(until instant: Date) async throws {
        lock.withLock {
            waits.append(instant.timeIntervalSince(current))
            current = max(current, instant)
        }
    }

    /// Moves the clock forward.
    public func advance(by seconds: TimeInterval) { lock.withLock { current = current.addingTimeInterval(seconds) } }

    /// Every wait asked for, in order.
    public var sleeps: [TimeInterval] { lock.withLock { waits } }
}
