import Dispatch
import Foundation
import RotorStore
import Synchronization

/// Makes audit rows and key uses durable before a response leaves, in group commits.
///
/// Callers suspend in ``record(_:)``; one writer at a time (on a dispatch queue, off Swift's
/// cooperative threads) takes everything queued so far and writes it in one SQLite transaction,
/// then resumes every caller of that batch — with success only once the transaction committed.
/// Under load the batches grow, so the cost of a commit is shared by the reads it carries.
final class ReadJournal: Sendable {
    private struct Queue {
        var entries: [(JournalEntry, CheckedContinuation<Void, any Error>)] = []
        var writing = false
    }

    private let store: StateStore
    private let queue = Mutex(Queue())
    private let dispatch = DispatchQueue(label: "rotor.audit-journal")

    init(store: StateStore) {
        self.store = store
    }

    /// Returns once `entry` is committed; throws when the transaction that carried it failed.
    func record(_ entry: JournalEntry) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let start = queue.withLock { queue in
                queue.entries.append((entry, continuation))
                if queue.writing { return false }
                queue.writing = true
                return true
            }
            if start { dispatch.async { self.drain() } }
        }
    }

    /// Writes batches until the queue is empty.
    private func drain() {
        while true {
            let batch = queue.withLock { queue -> [(JournalEntry, CheckedContinuation<Void, any Error>)] in
                let batch = queue.entries
                queue.entries = []
                if batch.isEmpty { queue.writing = false }
                return batch
            }
            if batch.isEmpty { return }
            do {
                try store.recordJournal(batch.map(\.0))
                for (_, continuation) in batch { continuation.resume() }
            } catch {
                for (_, continuation) in batch { continuation.resume(throwing: error) }
            }
        }
    }
}
