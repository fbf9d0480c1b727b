import Foundation
import Testing
@testable import RotorCore
import RotorCrypto
@testable import RotorEngine
import RotorStore
import RotorTesting

@Suite("Engine: rollback")
struct RollbackTests {
    let t0 = RFC3339.parse("2026-12-01T00:00:00Z")!
    func at(hours: Double) -> Date { t0.addingTimeInterval(hours * 3_600) }
    let db = SecretID(project: "payments", name: "db-password")

    /// v1 created at t0, then a forced rotation at +1h: v2 active, v1 in grace until +25h.
    func rotatedRepository() throws -> (SecretsRepoFixture, Engine, v1: String) {
        let repo = try SecretsRepoFixture()
        let engine = try repo.engine(actor: "alice")
        _ = try engine.apply(now: t0)
        _ = try engine.apply(now: at(hours: 1), forced: [db: "bad rotation"], only: PlanTarget(db, .secret))
        let v1 = try #require(try engine.get(db, version: 1, now: at(hours: 1)).utf8String())
        return (repo, engine, v1)
    }

    /// The armored value of version `number` in the version file, decrypted with the gpg CLI of `home`.
    func decryptWithGPG(_ repo: SecretsRepoFixture, version number: Int, home: String? = nil) throws -> String {
        let file = try #require(try repo.engine().snapshot().versionFiles[db])
        let version = try #require(file.versions.first { $0.version == number })
        let out = try Shell.run("gpg", ["--homedir", home ?? repo.keyring.path, "--batch", "--quiet", "--decrypt"],
                                input: Array(version.valueEncrypted.utf8))
        #expect(out.status == 0, "\(out.stderr)")
        return out.stdout
    }

    /// What the store holds, to compare before and after a refused rollback.
    func storeState(_ repo: SecretsRepoFixture) throws -> [String] {
        let store = try #require(try StateStore.openReadOnly(path: repo.statePath))
        let db = SecretID(project: "payments", name: "db-password")
        return try store.history(of: db).map { "\($0.version) \($0.state) \($0.valueEncrypted?.count ?? 0)" }
            + store.events().map(\.id) + store.auditLog().map(\.hash) + store.jobs().map(\.id)
    }

    @Test func aRollbackDuringGraceMakesANewVersionWithTheOldValue() throws {
        // Given v2 active and v1 in its grace period
        let (repo, engine, v1) = try rotatedRepository()
        let before = try repo.git(["rev-parse", "HEAD"])

        // When alice rolls back without naming a version
        let result = try engine.rollback(db, reason: "bad deploy", now: at(hours: 2))

        // Then v3 is a new version with v1's value, rotated from v2, which enters its grace period
        let action = try #require(result.plan.actions.first)
        #expect(result.plan.actions.count == 1)
        #expect(action.kind == .rotate && action.cause == .rollback)
        #expect(action.version == 3 && action.fromVersion == 2 && action.rollbackTo == 1)
        #expect(action.reason == "rollback to v1: bad deploy")
        #expect(try decryptWithGPG(repo, version: 3) == v1)
        #expect(try engine.get(db, version: nil, now: at(hours: 2)).utf8String() == v1)
        let file = try #require(try engine.snapshot().versionFiles[db])
        #expect(file.versions.map(\.version) == [3, 2, 1])
        #expect(file.versions.map(\.state) == [.active, .grace, .grace])
        #expect(file.versions[0].rolledBackTo == 1 && file.versions[0].rotatedFrom == 2)
        #expect(file.versions[1].graceExpiresAt == at(hours: 26))
        #expect(file.versions[2].graceExpiresAt == at(hours: 25))
        let text = try String(contentsOfFile: repo.root + "/versions/payments/db-password.yaml", encoding: .utf8)
        #expect(text.contains("    rotatedFrom: 2\n    rotationReason: \"rollback to v1: bad deploy\"\n    rolledBackTo: 1\n"))

        // And one commit that names it
        #expect(try repo.git(["rev-list", "--count", "\(before.trimmingCharacters(in: .whitespacesAndNewlines))..HEAD"]) == "1\n")
        let message = try repo.git(["log", "-1", "--format=%B"])
        #expect(message.hasPrefix("rotor: 1 rolled back\n"))
        #expect(message.contains("~ rotate payments/db-password v2 → v3: rollback to v1: bad deploy\n"))
        #expect(try Shell.run("git", ["-C", repo.root, "fsck", "--strict"]).status == 0)

        // And the store: history, the audit row with its actor, and the consumers' secret.rotated event and delivery job
        let history = try engine.history(of: db, now: at(hours: 2))
        #expect(history.map(\.version) == [3, 2, 1])
        #expect(history.first?.rotationReason == "rollback to v1: bad deploy")
        #expect(history.first?.createdBy == "alice" && history.first?.rotatedFromVersion == 2)
        let store = try #require(try StateStore.openReadOnly(path: repo.statePath))
        let audit = try store.auditLog(action: "secret.rolled_back")
        #expect(audit.count == 1)
        #expect(audit.first?.actor == "alice" && audit.first?.targetID == file.versions[0].id)
        #expect(audit.first?.metadata.contains("\"rolled_back_to\":\"1\"") == true, "\(audit.first?.metadata ?? "")")
        let events = try store.events().filter { $0.secretID == db.description }
        #expect(events.map(\.type) == ["secret.created", "secret.rotated", "secret.rotated"])
        #expect(events.last?.versionID == file.versions[0].id)
        #expect(events.last?.payload.contains("\"rolled_back_to\":1") == true, "\(events.last?.payload ?? "")")
        #expect(result.store.events == 1 && result.store.jobs == 1)
        #expect(try store.jobs().filter { $0.payload.contains(events.last?.id ?? "-") }.count == 1)
        #expect(try store.verifyAudit() == nil)
    }

    @Test func expireCurrentRemovesTheCurrentVersionAtOnce() throws {
        // Given v2 active (its value leaked) and v1 in grace
        let (repo, engine, v1) = try rotatedRepository()

        // When rolling back with expireCurrent
        let result = try engine.rollback(db, to: 1, reason: "v2 leaked", expireCurrent: true, now: at(hours: 2))

        // Then v3 carries v1's value, and v2 is gone from git at once and expired in the store
        #expect(result.plan.actions.map(\.kind) == [.rotate, .expire])
        #expect(result.plan.actions.last?.version == 2)
        #expect(!result.plan.renderText().contains("v2 stays valid"))
        let file = try #require(try engine.snapshot().versionFiles[db])
        #expect(file.versions.map(\.version) == [3, 1])
        #expect(try decryptWithGPG(repo, version: 3) == v1)
        #expect(try repo.git(["log", "-1", "--format=%s"]) == "rotor: 1 rolled back, 1 expired\n")
        let error = try #require(throws: EngineError.self) { try engine.get(db, version: 2, now: at(hours: 3)) }
        #expect(error.description.contains("v2 expired at 2026-12-01T02:00:00Z"))
        let history = try engine.history(of: db, now: at(hours: 3))
        #expect(history.map(\.state) == ["active", "expired", "grace"])
        let store = try #require(try StateStore.openReadOnly(path: repo.statePath))
        #expect(try store.events().filter { $0.secretID == db.description }.map(\.type).suffix(2) == ["secret.rotated", "secret.expired"])
        #expect(try store.auditLog(action: "secret.expired").first?.actor == "alice")

        // And numbers keep growing: the next rotation is v4
        let next = try engine.apply(now: at(hours: 4), forced: [db: "again"], only: PlanTarget(db, .secret))
        #expect(next.plan.actions.first?.version == 4)
    }

    @Test func afterTheGracePeriodTheValueIsGoneAndNothingChanges() throws {
        // Given v1's grace period ended at +25h, and no pass has removed it yet
        let (repo, engine, _) = try rotatedRepository()
        let head = try repo.git(["rev-parse", "HEAD"])
        let stored = try storeState(repo)

        // When rolling back at +26h, Then it is refused, and git and the store are as they were
        let listed = try #require(throws: EngineError.self) { try engine.rollback(db, reason: "too late", now: at(hours: 26)) }
        #expect(listed.description == "payments/db-password: v1's grace period ended at 2026-12-02T01:00:00Z: its value is removed at the next apply; nothing to roll back to. Live versions: v2 (active)")
        #expect(try repo.git(["rev-parse", "HEAD"]) == head)
        #expect(try storeState(repo) == stored)

        // And once the pass removed v1, the store says when its grace ended
        _ = try engine.apply(now: at(hours: 27))
        let head2 = try repo.git(["rev-parse", "HEAD"])
        let stored2 = try storeState(repo)
        for version in [nil, 1] as [Int?] {
            let gone = try #require(throws: EngineError.self) { try engine.rollback(db, to: version, reason: "too late", now: at(hours: 28)) }
            let expected = version == nil
                ? "payments/db-password: no version is in its grace period, so there is no earlier value to roll back to. Live versions: v2 (active)"
                : "payments/db-password: v1's grace period ended at 2026-12-02T01:00:00Z: its value was removed; nothing to roll back to. Live versions: v2 (active)"
            #expect(gone.description == expected)
        }
        #expect(try repo.git(["rev-parse", "HEAD"]) == head2)
        #expect(try storeState(repo) == stored2)
        #expect(try Shell.run("git", ["-C", repo.root, "fsck", "--strict"]).status == 0)
    }

    @Test(arguments: [(2, "payments/db-password: v2 is the active version; name a version in its grace period. Live versions: v2 (active), v1 (grace until 2026-12-02T01:00:00Z)"),
                      (9, "payments/db-password has no version v9. Live versions: v2 (active), v1 (grace until 2026-12-02T01:00:00Z)")])
    func aVersionThatIsNotInGraceIsRefused(_ version: Int, _ message: String) throws {
        // Given v2 active and v1 in grace
        let (repo, engine, _) = try rotatedRepository()
        let head = try repo.git(["rev-parse", "HEAD"])
        // When rolling back to the active version or one never made, Then it is refused with nothing changed
        let error = try #require(throws: EngineError.self) { try engine.rollback(db, to: version, reason: "r", now: at(hours: 2)) }
        #expect(error.description == message)
        #expect(try engine.previewRollback(db, to: 1, reason: "r", now: at(hours: 2)).actions.map(\.kind) == [.rotate])
        #expect(throws: EngineError.self) { try engine.previewRollback(db, to: version, reason: "r", now: at(hours: 2)) }
        #expect(try repo.git(["rev-parse", "HEAD"]) == head)
    }

    @Test func keysExternalValuesAndUnknownNamesAreRefused() throws {
        // Given an API key, an externally issued secret with a version in grace, and the usual secret
        let repo = try SecretsRepoFixture()
        let engine = try repo.engine()
        let encrypt = { (text: String) in
            try Shell.run("gpg", ["--homedir", repo.keyring.path, "--batch", "--trust-model", "always", "--encrypt", "--armor",
                                  "-r", repo.keyring.fingerprint], input: Array(text.utf8)).stdout
        }
        try repo.commit(["policies/partner-keys.yaml": SecretsRepoFixture.keyPolicy(),
                         "keys/payments/partner.yaml": SecretsRepoFixture.apiKey(project: "payments", name: "partner"),
                         "secrets/payments/stripe.yaml": SecretsRepoFixture.secretSpec(project: "payments", name: "stripe", value: try encrypt("one"))])
        _ = try engine.apply(now: t0)
        try repo.commit(["secrets/payments/stripe.yaml": SecretsRepoFixture.secretSpec(project: "payments", name: "stripe", value: try encrypt("two"))])
        _ = try engine.apply(now: at(hours: 1))
        let head = try repo.git(["rev-parse", "HEAD"])

        // When rolling each back, Then each is refused with what to do instead
        let key = try #require(throws: EngineError.self) { try engine.rollback(SecretID(project: "payments", name: "partner"), reason: "r", now: at(hours: 2)) }
        #expect(key.description.hasPrefix("payments/partner is an API key: keys are not rolled back"))
        let external = try #require(throws: EngineError.self) { try engine.rollback(SecretID(project: "payments", name: "stripe"), reason: "r", now: at(hours: 2)) }
        #expect(external.description.hasPrefix("payments/stripe takes its value from `value:` in secrets/payments/stripe.yaml"))
        let unknown = try #require(throws: EngineError.self) { try engine.rollback(SecretID(project: "payments", name: "nope"), reason: "r", now: at(hours: 2)) }
        #expect(unknown.description.hasPrefix("no secret payments/nope in this repository; known: payments/db-password"))
        let empty = try #require(throws: EngineError.self) { try engine.rollback(db, reason: "  ", now: at(hours: 2)) }
        #expect(empty.description.hasPrefix("a rollback needs a reason"))
        #expect(try repo.git(["rev-parse", "HEAD"]) == head)
    }

    @Test func aValueEncryptedToOtherRecipientsIsReencryptedToRotorYAMLs() throws {
        // Given v1 in grace encrypted to the old recipient only, and a newcomer added to rotor.yaml since
        let (repo, engine, v1) = try rotatedRepository()
        let newcomer = try TestKeyring(userID: "newcomer <n@x.invalid>")
        try repo.commit(["rotor.yaml": Scaffold.config(recipients: [repo.keyring.fingerprint, newcomer.fingerprint]),
                         "recipients/\(newcomer.fingerprint).asc": try newcomer.publicKey()])

        // When rolling back to v1
        _ = try engine.rollback(db, to: 1, reason: "bad deploy", now: at(hours: 2))

        // Then v3 is encrypted to both, and the newcomer's own key opens it to v1's value
        let v3 = try #require(try engine.snapshot().versionFiles[db]?.active)
        #expect(v3.recipients == [repo.keyring.fingerprint, newcomer.fingerprint])
        #expect(try decryptWithGPG(repo, version: 3, home: newcomer.path) == v1)
    }
}
