import Foundation
import Testing
@testable import RotorCore
@testable import RotorEngine
import RotorStore
import RotorTesting

@Suite("Engine: lifecycle with injected time")
struct LifecycleTests {
    let t0 = RFC3339.parse("2026-12-01T00:00:00Z")!
    func at(days: Double = 0, hours: Double = 0) -> Date { t0.addingTimeInterval(days * 86_400 + hours * 3_600) }
    let db = SecretID(project: "payments", name: "db-password")

    @Test func createRotateWarnExpire() throws {
        let repo = try SecretsRepoFixture()
        let engine = try repo.engine()

        // Create: v1 of the scaffolded secret (and of billing-api's webhook signing secret), one commit touching only versions/.
        let created = try engine.apply(now: t0)
        #expect(created.plan.actions.map(\.kind) == [.create, .create])
        #expect(created.plan.actions.map(\.secret.description) == ["payments/db-password", "webhooks/billing-api"])
        #expect(created.commit != nil)
        let v1 = try engine.get(db, version: nil, now: t0)
        #expect(v1.count == 32)

        // Nothing due a day later: no commit, HEAD unchanged.
        let head = try engine.head()
        let quiet = try engine.apply(now: at(days: 1))
        #expect(!quiet.plan.hasChanges && quiet.commit == nil)
        #expect(try engine.head() == head)

        // Rotate when due: v2 active, v1 in grace for 24h.
        let rotated = try engine.apply(now: at(days: 31))
        #expect(rotated.plan.actions.map(\.kind) == [.rotate])
        let v2 = try engine.get(db, version: nil, now: at(days: 31))
        #expect(v2.withUnsafeBytes { Array($0) } != v1.withUnsafeBytes { Array($0) })
        let v1Again = try engine.get(db, version: 1, now: at(days: 31, hours: 1))
        #expect(v1Again.withUnsafeBytes { Array($0) } == v1.withUnsafeBytes { Array($0) })

        // Warn within warnBefore (1h) of the grace end, once.
        let warned = try engine.apply(now: at(days: 32, hours: -0.5))
        #expect(warned.plan.actions.map(\.kind) == [.warn])
        #expect(warned.commit == nil)
        #expect(try engine.apply(now: at(days: 32, hours: -0.25)).plan.actions.isEmpty)

        // Expire once the grace period ends: v1 leaves git; its history row stays.
        let expired = try engine.apply(now: at(days: 32, hours: 1))
        #expect(expired.plan.actions.map(\.kind) == [.expire])
        #expect(throws: EngineError.self) { try engine.get(db, version: 1, now: at(days: 33)) }
        let history = try engine.history(of: db, now: at(days: 33))
        #expect(history.map(\.version) == [2, 1])
        #expect(history.map(\.state) == ["active", "expired"])
        #expect(history.first?.rotatedFromVersion == 1)
        #expect(history.first?.rotationReason.hasPrefix("due: rotateEvery 30d") == true)

        let store = try #require(try StateStore.openReadOnly(path: repo.statePath))
        #expect(try store.events().filter { $0.secretID == db.description }.map(\.type) == ["secret.created", "secret.rotated", "secret.expiring", "secret.expired"])
        #expect(try store.verifyAudit() == nil)
    }

    @Test func manualRotationFollowsTheSameRules() throws {
        let repo = try SecretsRepoFixture()
        let engine = try repo.engine(actor: "alice")
        _ = try engine.apply(now: t0)
        let result = try engine.apply(now: at(hours: 2), forced: [db: "leaked in a log"], only: PlanTarget(db, .secret))
        #expect(result.plan.actions.first?.kind == .rotate)
        let history = try engine.history(of: db, now: at(hours: 2))
        #expect(history.first?.rotationReason == "leaked in a log")
        #expect(history.first?.createdBy == "alice")
        #expect(history.last?.graceExpiresAt == at(hours: 26))
    }

    @Test func deletingASpecRemovesItsVersions() throws {
        let repo = try SecretsRepoFixture()
        let engine = try repo.engine()
        _ = try engine.apply(now: t0)
        try repo.commit(["secrets/payments/db-password.yaml": nil])
        let result = try engine.apply(now: at(hours: 1))
        // billing-api consumed only this secret, so its webhook signing secret goes too.
        #expect(result.plan.actions.map(\.kind) == [.delete, .delete])
        #expect(result.plan.actions.map(\.secret.description) == ["payments/db-password", "webhooks/billing-api"])
        #expect(!FileManager.default.fileExists(atPath: repo.root + "/versions/payments/db-password.yaml"))
        // Re-creating it later continues the numbering instead of reusing v1.
        try repo.commit(["secrets/payments/db-password.yaml": SecretsRepoFixture.secretSpec(project: "payments", name: "db-password")])
        let again = try engine.apply(now: at(hours: 2))
        #expect(again.plan.actions.first?.version == 2)
    }
}
