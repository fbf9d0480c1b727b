import Foundation
import RotorWebhooks
import Synchronization

/// A delivery clock tests move by hand: `sleep` records the wait and jumps ahead at once.
public final class TestDeliveryClock: DeliveryClock, Sendable {
    private struct State {
        var current: Date
        var waits: [TimeInterval] = []
    }

    private let state: Mutex<State>

    /// A clock reading `start`.
    public init(_ start: Date) { state = Mutex(State(current: start)) }

    public func now() -> Date { state.withLock { $0.current } }

    /// Records the wait and moves to `instant` without waiting.
    public func sleep(until instant: Date) async throws {
        state.withLock { state in
            state.waits.append(instant.timeIntervalSince(state.current))
            state.current = max(state.current, instant)
        }
    }

    /// Moves the clock forward.
    public func advance(by seconds: TimeInterval) { state.withLock { $0.current = $0.current.addingTimeInterval(seconds) } }

    /// Every wait asked for, in order.
    public var sleeps: [TimeInterval] { state.withLock { $0.waits } }
}
