import Foundation

/// Where the webhook worker reads "now" and waits. Injected, so tests move time instead of waiting.
///
/// Scheduling (which jobs are due, when a retry runs, when a lease expires) uses this clock.
/// The `webhook-timestamp` header uses a second clock, real by default, because receivers
/// compare it with their own wall clock.
public protocol DeliveryClock: Sendable {
    /// The current instant.
    func now() -> Date
    /// Suspends until `instant` (a test clock advances to it instead of waiting).
    ///
    /// - Throws: `CancellationError` when the task is cancelled.
    func sleep(until instant: Date) async throws
}

/// The system's wall clock; `sleep` really waits.
public struct SystemDeliveryClock: DeliveryClock {
    /// Creates the wall clock.
    public init() {}

    public func now() -> Date { Date() }

    public func sleep(until instant: Date) async throws {
        let seconds = instant.timeIntervalSinceNow
        guard seconds > 0 else { return }
        try await Task.sleep(nanoseconds: UInt64(seconds * 1_000_000_000))
    }
}

/// A clock stopped at one instant (`--at`): `now` never moves and `sleep` returns at once.
///
/// `rotor deliver --at T` runs what is due at T once; it never waits, so it never sleeps.
public struct FixedDeliveryClock: DeliveryClock {
    /// The instant this clock always reads.
    public let instant: Date

    /// Creates a clock stopped at `instant`.
    public init(_ instant: Date) { self.instant = instant }

    public func now() -> Date { instant }

    public func sleep(until instant: Date) async throws {}
}
