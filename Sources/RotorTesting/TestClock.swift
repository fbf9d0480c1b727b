import Foundation

/// A clock that only moves when a test says so, for loops that sleep between passes.
///
/// `sleep` suspends until ``advance(by:)`` moves the clock past the deadline (or the task is
/// cancelled). Tests never wait for real intervals.
// Safe to share unchecked: every mutable property is read and written only while `lock` is held.
public final class TestClock: Clock, @unchecked Sendable {
    /// An instant: time since the clock was made.
    public struct Instant: InstantProtocol {
        /// Time since the clock was made.
        public var offset: Duration
        public func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        public func duration(to other: Instant) -> Duration { other.offset - offset }
        public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    private struct Sleeper {
        let id: UUID
        let deadline: Instant
        let continuation: CheckedContinuation<Void, any Error>
    }

    private let lock = NSLock()
    private var current = Instant(offset: .zero)
    private var sleepers: [Sleeper] = []
    private var cancelled = Set<UUID>()
    private var requested: [Duration] = []

    /// Creates a clock at offset zero.
    public init() {}

    /// The current instant.
    public var now: Instant { lock.withLock { current } }
    /// No resolution limit.
    public var minimumResolution: Duration { .zero }

    /// How many tasks are asleep on this clock.
    public var sleeperCount: Int { lock.withLock { sleepers.count } }

    /// Every sleep asked for, as a duration from the instant it was asked.
    public var requestedSleeps: [Duration] { lock.withLock { requested } }

    /// Suspends until the clock is advanced to `deadline`, or the task is cancelled.
    public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        let id = UUID()
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                lock.lock()
                requested.append(deadline.offset - current.offset)
                if cancelled.remove(id) != nil {
                    lock.unlock()
                    continuation.resume(throwing: CancellationError())
                } else if deadline <= current {
                    lock.unlock()
                    continuation.resume()
                } else {
                    sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    lock.unlock()
                }
            }
        } onCancel: {
            lock.lock()
            if let index = sleepers.firstIndex(where: { $0.id == id }) {
                let sleeper = sleepers.remove(at: index)
                lock.unlock()
                sleeper.continuation.resume(throwing: CancellationError())
            } else {
                cancelled.insert(id)
                lock.unlock()
            }
        }
    }

    /// Moves the clock forward and wakes every sleeper whose deadline has come.
    public func advance(by duration: Duration) {
        lock.lock()
        current = current.advanced(by: duration)
        let now = current
        let due = sleepers.filter { $0.deadline <= now }
        sleepers.removeAll { $0.deadline <= now }
        lock.unlock()
        for sleeper in due { sleeper.continuation.resume() }
    }
}

/// Waits (with short real sleeps, at most `timeout` seconds) until `condition` holds; returns whether it did.
///
/// For tests that watch another thread or process reach a state, never for waiting out an interval.
@discardableResult
public func waitUntil(timeout: TimeInterval = 10, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try condition() { return true }
        usleep(10_000)
    }
    return try condition()
}

/// The async form of ``waitUntil(timeout:_:)``: yields the thread between checks, so the tasks
/// being watched can run (an async test must never block one of the few cooperative threads).
/// The timeout is wall-clock: under the full suite on 2 cores the cooperative threads can be
/// busy for a minute, so callers that wait on scheduled tasks pass a generous one.
@discardableResult
public func eventually(timeout: TimeInterval = 10, _ condition: () throws -> Bool) async rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return try condition()
}

/// Runs long blocking work (spawning and killing processes for tens of seconds) on a thread of its
/// own, so it does not hold one of the few cooperative threads that async tests need to make progress.
///
/// `body` must not record test issues itself (no `#expect` inside): return what to check instead.
public func offTheCooperativePool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
        let thread = Thread { continuation.resume(with: Result { try body() }) }
        thread.stackSize = 8 << 20
        thread.start()
    }
}
