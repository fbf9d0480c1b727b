import Foundation
import Testing
@testable import RotorCore
@testable import RotorEngine
import RotorGit
import RotorStore
import RotorTesting

@Suite("Engine: publish between commit and store; pending versions are reused, never regenerated")
struct PublishTests {
    let t0 = RFC3339.parse("2026-12-01T00:00:00Z")!
    let db = SecretID(project: "payments", name: "db-password")

    struct Refused: Error {}

    @Test func publishRunsAfterTheCommitAndBeforeTheStore() throws {
        let repo = try SecretsRepoFixture()
        let engine = try repo.engine()
        var published: ObjectID?
        let result = try engine.apply(now: t0, publish: { commit in
            // Given the local commit exists, when publish runs, then the store does not know the version yet.
            #expect(try engine.repository.headCommit() == commit)
            let store = try StateStore.openReadOnly(path: repo.statePath)
            #expect(try store?.history(of: db).isEmpty ?? true)
            published = commit
        })
        #expect(published != nil && published == result.commit)
        #expect(try StateStore.openReadOnly(path: repo.statePath)?.history(of: db).map(\.version) == [1])
    }

    @Test func aRefusedPublishKeepsTheVersionsAndTheRetryReusesThem() throws {
        let repo = try SecretsRepoFixture()
        let engine = try repo.engine()
        let base = try engine.head()
        // Given a publish that fails (the remote moved),
        #expect(throws: Refused.self) { try engine.apply(now: t0, publish: { _ in throw Refused() }) }
        let unpushed = try engine.head()
        #expect(unpushed != base)
        #expect(try StateStore.openReadOnly(path: repo.statePath)?.history(of: db).isEmpty ?? true)
        let first = try #require(try engine.snapshot().versionFiles[db]?.active)

        // When its versions are kept as pending and the branch goes back to the remote's tip,
        let lock = try StateLock(storePath: engine.statePath)
        let kept = try engine.keepUnpushedVersions(unpushed: unpushed, remote: base, now: t0, holding: lock)
        // (the scaffold's webhook consumer also gets its signing secret, webhooks/billing-api, in the same commit)
        #expect(kept.map(\.versionID).contains(first.id))
        try engine.repository.resetBranch("main", to: base, expected: unpushed)
        let retry = try engine.apply(now: t0.addingTimeInterval(60), holding: lock)

        // Then the retry reuses the same version id and ciphertext, and the pending row is gone.
        #expect(retry.reusedVersionIDs.contains(first.id))
        #expect(retry.reusedVersionIDs.count == kept.count)
        let second = try #require(try engine.snapshot().versionFiles[db]?.active)
        #expect(second.id == first.id)
        #expect(second.valueEncrypted == first.valueEncrypted)
        #expect(try engine.pendingVersions().isEmpty)
        withExtendedLifetime(lock) {}
    }

    @Test func anAPIKeyFromARefusedPublishIsReusedWithItsHash() throws {
        let repo = try SecretsRepoFixture()
        try repo.commit(["policies/partner-keys.yaml": SecretsRepoFixture.keyPolicy(),
                         "keys/payments/partner.yaml": SecretsRepoFixture.apiKey(project: "payments", name: "partner")])
        let engine = try repo.engine()
        let base = try engine.head()
        let key = SecretID(project: "payments", name: "partner")
        #expect(throws: Refused.self) { try engine.apply(now: t0, publish: { _ in throw Refused() }) }
        let first = try #require(try engine.snapshot().keyFiles[key]?.active)
        let lock = try StateLock(storePath: engine.statePath)
        try engine.keepUnpushedVersions(unpushed: try engine.head(), remote: base, now: t0, holding: lock)
        try engine.repository.resetBranch("main", to: base, expected: try engine.head())
        let retry = try engine.apply(now: t0, holding: lock)
        let second = try #require(try engine.snapshot().keyFiles[key]?.active)
        #expect(retry.reusedVersionIDs.contains(first.id))
        #expect(second.id == first.id && second.hash == first.hash && second.hint == first.hint)
        #expect(second.valueEncrypted == first.valueEncrypted)
        #expect(try engine.pendingVersions().isEmpty)
        withExtendedLifetime(lock) {}
    }

    @Test func aPendingVersionForOtherRecipientsIsNotReusedAndIsDroppedOnceTheNumberIsTaken() throws {
        let repo = try SecretsRepoFixture()
        let engine = try repo.engine()
        let store = try StateStore(path: repo.statePath)
        try store.savePending([PendingVersion(resource: .secret, target: db, version: 1, versionID: "stale", valueEncrypted: "x",
                                              recipients: [String(repeating: "AB", count: 20)], source: "generated", savedAt: t0)])
        let result = try engine.apply(now: t0)
        #expect(result.reusedVersionIDs.isEmpty)
        #expect(try engine.snapshot().versionFiles[db]?.active?.id != "stale")
        #expect(try engine.pendingVersions().isEmpty)
    }
}
