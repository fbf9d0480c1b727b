import Crypto
import Foundation
import RotorStore
import RotorTesting
import Testing
@testable import RotorWebhooks

/// A claimed job must not outlive its lease before it is sent, even when every request before
/// it times out: else another process could take it back and send it too. The worker's claim
/// lease is checked here against a simulation of the worst case (every request takes the full
/// timeout), independent of the worker's formula.
@Suite("Claim windows and leases")
struct ClaimLeaseTests {
    /// No keys: the lease arithmetic never signs anything.
    struct NoKeys: SigningKeyProvider {
        func signingKeys(for service: String, at now: Date) throws -> [SymmetricKey] { [] }
        func prefetch(_ services: Set<String>, at now: Date) {}
    }

    func worker(_ options: DeliveryOptions, in folder: TemporaryDirectory) throws -> WebhookWorker {
        let store = try StateStore(path: folder.path("state.db"))
        return WebhookWorker(store: store, keys: NoKeys(), clock: TestDeliveryClock(Date(timeIntervalSince1970: 1_800_000_000)), options: options)
    }

    /// When each of `count` queued requests starts, at the latest, with `concurrency` slots
    /// and every request taking `timeout` (first come, first served).
    func worstCaseStarts(count: Int, concurrency: Int, timeout: Double) -> [Double] {
        var slotsFreeAt = Array(repeating: 0.0, count: concurrency)
        return (0..<count).map { _ in
            let slot = slotsFreeAt.indices.min { slotsFreeAt[$0] < slotsFreeAt[$1] }!
            let start = slotsFreeAt[slot]
            slotsFreeAt[slot] = start + timeout
            return start
        }
    }

    @Test func theDefaultsClaim128AtATimeAndHoldEachJobUntilItsLatestStartPlusTheLease() throws {
        let folder = try TemporaryDirectory()
        let worker = try worker(DeliveryOptions(), in: folder)
        #expect(worker.claimWindow == 256 && worker.claimBatchSize == 128 && worker.refillThreshold == 128)
        #expect(worker.recordBatchSize == 256)
        // 120 s lease (4 × 15 s + 60 s); the 128th job waits behind 127 others, 8 at a time.
        #expect(worker.claimLease(queuedAhead: 0) == 120 + 15 * 15)
        #expect(worker.claimLease(queuedAhead: 128) == 120 + 31 * 15)
    }

    @Test func aHighConcurrencyWidensTheWindow() throws {
        let folder = try TemporaryDirectory()
        let worker = try worker(DeliveryOptions(concurrency: 300), in: folder)
        #expect(worker.claimWindow == 600 && worker.claimBatchSize == 300)
        // Every job of the first batch starts at once.
        #expect(worker.claimLease(queuedAhead: 0) == worker.options.effectiveLease)
    }

    @Test(arguments: [(1, 15.0, 60.0), (2, 0.5, 3.0), (3, 7.0, 10.0), (8, 15.0, 120.0), (16, 2.0, 5.0), (64, 30.0, 30.0)])
    func noClaimedJobCanStartAfterItsLeaseEnds(concurrency: Int, timeout: Double, lease: Double) throws {
        let folder = try TemporaryDirectory()
        let worker = try worker(DeliveryOptions(requestTimeout: timeout, concurrency: concurrency, lease: lease), in: folder)
        for queuedAhead in [0, 1, concurrency - 1, concurrency, worker.refillThreshold, worker.claimWindow - 1] where queuedAhead >= 0 {
            let starts = worstCaseStarts(count: queuedAhead + worker.claimBatchSize, concurrency: concurrency, timeout: timeout)
            let latest = starts.suffix(worker.claimBatchSize).max()!
            let held = worker.claimLease(queuedAhead: queuedAhead)
            #expect(latest + lease <= held, "queued \(queuedAhead): the last job starts at \(latest) s, held \(held) s")
            // …and not needlessly longer: the lease counts from the latest start, not beyond it.
            #expect(held - lease <= latest + 0.000_001)
        }
    }
}
