import Synchronization

/// Shared state of one `GPGEncryptionPool` call: the next index to hand out, one result slot
/// per index, and the lowest-indexed failure, behind one `Mutex`.
final class PoolWork<T: Sendable>: Sendable {
    private struct State {
        var next = 0
        var slots: [T?]
        var failure: (index: Int, error: any Error)?
    }

    private let count: Int
    private let state: Mutex<State>

    /// Prepares `count` empty result slots.
    init(count: Int) {
        self.count = count
        state = Mutex(State(slots: Array(repeating: nil, count: count)))
    }

    /// The next unclaimed index, or `nil` when all are claimed or a failure was recorded.
    func nextIndex() -> Int? {
        state.withLock { state in
            guard state.failure == nil, state.next < count else { return nil }
            defer { state.next += 1 }
            return state.next
        }
    }

    /// Stores the result for `index`.
    func store(_ value: T, at index: Int) {
        state.withLock { $0.slots[index] = value }
    }

    /// Records a failure, keeping the one with the lowest index.
    func fail(index: Int, error: any Error) {
        state.withLock { state in
            if let existing = state.failure, existing.index < index { return }
            state.failure = (index, error)
        }
    }

    /// The results in index order, or the lowest-indexed failure.
    func results() throws -> [T] {
        try state.withLock { state in
            if let failure = state.failure { throw failure.error }
            return state.slots.compactMap { $0 }
        }
    }
}
