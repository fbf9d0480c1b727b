import Foundation

/// Shared state of one `GPGEncryptionPool` call: the next index to hand out, one result slot
/// per index, and the lowest-indexed failure. All access is under one lock.
final class PoolWork<T>: @unchecked Sendable {
    private let lock = NSLock()
    private let count: Int
    private var next = 0
    private var slots: [T?]
    private var failure: (index: Int, error: Error)?

    /// Prepares `count` empty result slots.
    init(count: Int) {
        self.count = count
        slots = Array(repeating: nil, count: count)
    }

    /// The next unclaimed index, or `nil` when all are claimed or a failure was recorded.
    func nextIndex() -> Int? {
        lock.withLock {
            guard failure == nil, next < count else { return nil }
            defer { next += 1 }
            return next
        }
    }

    /// Stores the result for `index`.
    func store(_ value: T, at index: Int) {
        lock.withLock { slots[index] = value }
    }

    /// Records a failure, keeping the one with the lowest index.
    func fail(index: Int, error: Error) {
        lock.withLock {
            if let existing = failure, existing.index < index { return }
            failure = (index, error)
        }
    }

    /// The results in index order, or the lowest-indexed failure.
    func results() throws -> [T] {
        try lock.withLock {
            if let failure { throw failure.error }
            return slots.compactMap { $0 }
        }
    }
}
