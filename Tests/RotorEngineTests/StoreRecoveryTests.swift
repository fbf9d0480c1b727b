import Foundation
import Testing
@testable import RotorCore
@testable import RotorEngine
import RotorStore
import RotorTesting

@Suite("Engine: git is the source of truth for the store")
struct StoreRecoveryTests {
    let t0 = RFC3339.parse("2026-12-01T00:00:00Z")!
    let db = SecretID(project: "payments", name: "db-password")

    @Test func deletedStoreIsRebuiltFromGitWithTheSameStatus() throws {
        let repo = try SecretsRepoFixture()
        let engine = try repo.engine()
        _ = try engine.apply(now: t0)
        _ = try engine.apply(now: t0.addingTimeInterval(31 * 86_400))
        let later = t0.addingTimeInterval(31 * 86_400 + 60)
        let before = try RotorJSON.encoder().encode(try engine.status(now: later))
        try FileManager.default.removeItem(atPath: repo.directory.path("state"))
        let after = try RotorJSON.encoder().encode(try engine.status(now: later))
        #expect(after == before)
        let store = try #require(try StateStore.openReadOnly(path: repo.statePath))
        #expect(try store.history(of: db).map(\.version) == [2, 1])
    }

    @Test func aCrashBetweenCommitAndStoreIsHealedWithEveryEvent() throws {
        // Given a pass whose commit landed but whose store write was lost (a fresh store stands in for it),
        let repo = try SecretsRepoFixture()
        _ = try repo.engine().apply(now: t0)
        _ = try repo.engine().apply(now: t0.addingTimeInterval(31 * 86_400))
        try FileManager.default.removeItem(atPath: repo.directory.path("state"))
        // When the next pass runs,
        let result = try repo.engine().apply(now: t0.addingTimeInterval(31 * 86_400 + 60))
        // Then nothing is rotated twice and the events of the lost pass are in the outbox.
        #expect(result.plan.actions.isEmpty)
        let store = try #require(try StateStore.openReadOnly(path: repo.statePath))
        #expect(try store.events().filter { $0.secretID == db.description }.map(\.type) == ["secret.created", "secret.rotated"])
        #expect(try store.events().filter { $0.secretID == "webhooks/billing-api" }.map(\.type) == ["secret.created"])
        #expect(try store.history(of: db).count == 2)
    }
}
