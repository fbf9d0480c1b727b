import Foundation
import GRDB
import Testing
@testable import RotorCore
@testable import RotorStore

@Suite("State store")
struct StateStoreTests {
    static let fpr = "0123456789ABCDEF0123456789ABCDEF01234567"
    static let armored = "-----BEGIN PGP MESSAGE-----\n\nhF4DAAAAAAAAAAA=\n-----END PGP MESSAGE-----\n"
    static let secret = SecretID(project: "payments", name: "db")
    static let t0 = RFC3339.parse("2027-01-01T00:00:00Z")!

    func temporaryPath() -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rotor-store-\(UUID().uuidString.prefix(8))")
        return dir.appendingPathComponent("state.db").path
    }

    func version(_ number: Int, _ state: SecretVersion.State, grace: Date? = nil) -> SecretVersion {
        SecretVersion(id: "v\(number)", version: number, state: state, createdAt: Self.t0.addingTimeInterval(Double(number) * 3_600),
                      createdBy: "rotor", rotatedFrom: number > 1 ? number - 1 : nil, rotationReason: "r\(number)",
                      graceExpiresAt: grace, source: .generated, sourceDigest: nil, recipients: [Self.fpr], valueEncrypted: Self.armored)
    }

    func files(_ versions: [SecretVersion]) -> [SecretID: VersionFile] {
        [Self.secret: VersionFile(secret: Self.secret, versions: versions)]
    }

    @Test func aNewActiveVersionWhosePredecessorGitNoLongerListsIsAdoptedAndTheOtherExpired() throws {
        // Given v2 active and v1 in grace
        let store = try StateStore(path: temporaryPath())
        _ = try store.reconcile(files: files([version(2, .active), version(1, .grace, grace: Self.t0.addingTimeInterval(86_400))]),
                                desired: nil, revision: "c1", now: Self.t0, actor: "rotor")
        // When git has v3 (a rollback to v1) and no v2 any more (`rollback --expire-current`)
        var v3 = version(3, .active)
        v3.rolledBackTo = 1
        let summary = try store.reconcile(files: files([v3, version(1, .grace, grace: Self.t0.addingTimeInterval(86_400))]),
                                          desired: nil, revision: "c2", now: Self.t0, actor: "alice")
        // Then v3 is adopted and audited as a rollback, and v2 expired, in one transaction
        #expect(summary.adopted == 1 && summary.expired == 1)
        #expect(try store.history(of: Self.secret).map(\.state) == ["active", "expired", "grace"])
        #expect(try store.auditLog().suffix(2).map(\.action) == ["secret.rolled_back", "secret.expired"])
        #expect(try store.events().suffix(2).map(\.type) == ["secret.rotated", "secret.expired"])
        #expect(try store.verifyAudit() == nil)
    }

    @Test func adoptsThenRotatesThenExpiresKeepingHistory() throws {
        let store = try StateStore(path: temporaryPath())
        // Given v1 in git, When reconciling, Then it is adopted with a created event and audit row.
        var summary = try store.reconcile(files: files([version(1, .active)]), desired: nil, revision: "c1", now: Self.t0, actor: "rotor")
        #expect(summary.adopted == 1 && summary.events == 1)
        // When v2 arrives and v1 enters grace,
        summary = try store.reconcile(files: files([version(2, .active), version(1, .grace, grace: Self.t0.addingTimeInterval(86_400))]),
                                      desired: nil, revision: "c2", now: Self.t0, actor: "rotor")
        #expect(summary.adopted == 1 && summary.updated == 1)
        // When v1 leaves git, it is expired: ciphertext dropped, row kept.
        summary = try store.reconcile(files: files([version(2, .active)]), desired: nil, revision: "c3", now: Self.t0, actor: "rotor")
        #expect(summary.expired == 1)
        let history = try store.history(of: Self.secret)
        #expect(history.map(\.version) == [2, 1])
        #expect(history.last?.state == "expired" && history.last?.valueEncrypted == nil)
        #expect(history.first?.rotatedFromVersion == 1)
        #expect(try store.events().map(\.type) == ["secret.created", "secret.rotated", "secret.expired"])
        #expect(try store.verifyAudit() == nil)
    }

    @Test func reconcilingTwiceChangesNothing() throws {
        let store = try StateStore(path: temporaryPath())
        let input = files([version(2, .active), version(1, .grace, grace: Self.t0)])
        _ = try store.reconcile(files: input, desired: nil, revision: "c1", now: Self.t0, actor: "rotor")
        let again = try store.reconcile(files: input, desired: nil, revision: "c1", now: Self.t0, actor: "rotor")
        #expect(!again.changedAnything)
        #expect(try store.events().count == 2)
    }

    @Test func consumersAndPoliciesFollowTheSpecsAndUnchangedRowsAreLeftAlone() throws {
        let path = temporaryPath()
        let store = try StateStore(path: path)
        func desired(policy: String, _ consumers: [Consumer]) -> DesiredState {
            DesiredState(config: RepoConfig(recipients: [Self.fpr]), policies: [:],
                         secrets: [Self.secret: SecretSpec(id: Self.secret, location: SourceLocation(path: "secrets/payments/db.yaml"),
                                                           policy: policy, consumers: consumers)], revision: "c1")
        }
        let database = try DatabaseQueue(path: path)
        func policy() throws -> String? { try database.read { try String.fetchOne($0, sql: "SELECT policy FROM secrets") } }
        func consumers() throws -> [String] { try store.consumers(of: Self.secret).map { "\($0.service)=\($0.webhookURL ?? "-")" } }
        let input = files([version(1, .active)])
        _ = try store.reconcile(files: input, desired: desired(policy: "p1", [Consumer(service: "api", webhook: "http://h/a"), Consumer(service: "batch")]),
                                revision: "c1", now: Self.t0, actor: "rotor")
        #expect(try consumers() == ["api=http://h/a", "batch=-"] && policy() == "p1")
        // The same specs again: no row is written (a trigger counts the writes).
        try database.write { db in
            try db.execute(sql: """
                CREATE TABLE writes (n INTEGER);
                CREATE TRIGGER c_ins AFTER INSERT ON secret_consumers BEGIN INSERT INTO writes VALUES (1); END;
                CREATE TRIGGER c_upd AFTER UPDATE ON secret_consumers BEGIN INSERT INTO writes VALUES (1); END;
                CREATE TRIGGER s_upd AFTER UPDATE ON secrets BEGIN INSERT INTO writes VALUES (1); END;
                """)
        }
        _ = try store.reconcile(files: input, desired: desired(policy: "p1", [Consumer(service: "api", webhook: "http://h/a"), Consumer(service: "batch")]),
                                revision: "c1", now: Self.t0, actor: "rotor")
        #expect(try database.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM writes") } == 0)
        // A new URL, a consumer gone, one added, another policy: the store follows.
        _ = try store.reconcile(files: input, desired: desired(policy: "p2", [Consumer(service: "api", webhook: "http://h/a2"), Consumer(service: "ledger", webhook: "http://h/l")]),
                                revision: "c2", now: Self.t0, actor: "rotor")
        #expect(try consumers() == ["api=http://h/a2", "ledger=http://h/l"] && policy() == "p2")
        // A secret deleted from git and added back is live again.
        _ = try store.reconcile(files: [:], desired: nil, revision: "c3", now: Self.t0, actor: "rotor")
        #expect(try database.read { try Bool.fetchOne($0, sql: "SELECT deleted_at IS NOT NULL FROM secrets") } == true)
        _ = try store.reconcile(files: files([version(2, .active)]), desired: desired(policy: "p2", [Consumer(service: "api", webhook: "http://h/a2")]),
                                revision: "c4", now: Self.t0, actor: "rotor")
        #expect(try database.read { try Bool.fetchOne($0, sql: "SELECT deleted_at IS NOT NULL FROM secrets") } == false)
        #expect(try consumers() == ["api=http://h/a2"])
    }

    @Test func aVersionBackInGitAfterItExpiredIsLiveAgainAndAReusedNumberIsRefusedSayingWhy() throws {
        let path = temporaryPath()
        let store = try StateStore(path: path)
        let live = files([version(2, .active), version(1, .grace, grace: Self.t0.addingTimeInterval(86_400))])
        _ = try store.reconcile(files: live, desired: nil, revision: "c1", now: Self.t0, actor: "rotor")
        // The secret is deleted from git: its versions expire, its ciphertexts are dropped.
        _ = try store.reconcile(files: [:], desired: nil, revision: "c2", now: Self.t0, actor: "rotor")
        #expect(try store.history(of: Self.secret).allSatisfy { $0.state == "expired" && $0.valueEncrypted == nil })
        let events = try store.events().count
        // The deletion is reverted (the same version files come back): the versions are live again, as git has them.
        let summary = try store.reconcile(files: live, desired: nil, revision: "c3", now: Self.t0.addingTimeInterval(60), actor: "rotor")
        #expect(summary.updated == 2 && summary.adopted == 0)
        let history = try store.history(of: Self.secret)
        #expect(history.map(\.state) == ["active", "grace"])
        #expect(history.allSatisfy { $0.valueEncrypted == Self.armored })
        #expect(try store.events().count == events)  // consumers heard of these versions when they first appeared
        let database = try DatabaseQueue(path: path)
        #expect(try database.read { try String.fetchAll($0, sql: "SELECT action FROM audit_log WHERE action = 'secret.restored'") }.count == 2)
        #expect(try database.read { try Bool.fetchOne($0, sql: "SELECT deleted_at IS NULL FROM secrets") } == true)
        #expect(try store.verifyAudit() == nil)
        // A reconcile after that changes nothing.
        #expect(try !store.reconcile(files: live, desired: nil, revision: "c3", now: Self.t0.addingTimeInterval(120), actor: "rotor").changedAnything)
        // Another version under a number the store already holds is refused, naming both, and nothing is written.
        var reused = version(3, .active)
        reused.version = 2
        reused.rotatedFrom = 1
        #expect {
            try store.reconcile(files: files([reused, version(1, .grace, grace: Self.t0.addingTimeInterval(86_400))]), desired: nil,
                                revision: "c4", now: Self.t0.addingTimeInterval(180), actor: "rotor")
        } throws: { error in
            let text = "\(error)"
            return text.contains("secret payments/db: git has v2 with id v3, but the store already holds v2 with id v2 (active)")
                && text.contains("versions/payments/db.yaml")
        }
        #expect(try store.history(of: Self.secret).map(\.state) == ["active", "grace"])
    }

    @Test func auditLogIsAppendOnlyAndTamperingIsDetected() throws {
        let path = temporaryPath()
        let store = try StateStore(path: path)
        _ = try store.reconcile(files: files([version(2, .active), version(1, .grace, grace: Self.t0)]), desired: nil, revision: "c1", now: Self.t0, actor: "rotor")
        try store.recordAccess(secret: Self.secret, version: 2, versionID: "v2", actor: "alice", at: Self.t0)
        #expect(try store.verifyAudit() == nil)
        // The schema refuses edits outright...
        #expect(throws: DatabaseError.self) { try store.writer.write { try $0.execute(sql: "UPDATE audit_log SET actor = 'mallory'") } }
        // ...and an edit that bypasses the trigger is caught by the hash chain.
        try store.writer.write { db in
            try db.execute(sql: "DROP TRIGGER audit_log_append_only_update")
            try db.execute(sql: "UPDATE audit_log SET actor = 'mallory' WHERE seq = 2")
        }
        #expect(try store.verifyAudit()?.contains("audit row 2 was edited") == true)
    }

    @Test func warningsAreRecordedOnce() throws {
        let store = try StateStore(path: temporaryPath())
        let input = files([version(2, .active), version(1, .grace, grace: Self.t0.addingTimeInterval(3_600))])
        let warn = PlanAction(kind: .warn, secret: Self.secret, version: 1, reason: "ends soon")
        _ = try store.reconcile(files: input, desired: nil, revision: "c1", now: Self.t0, actor: "rotor", warnings: [warn])
        _ = try store.reconcile(files: input, desired: nil, revision: "c1", now: Self.t0, actor: "rotor", warnings: [warn])
        #expect(try store.observedExtras().warned == ["v1"])
        #expect(try store.events().filter { $0.type == "secret.expiring" }.count == 1)
    }

    @Test func readOnlyOpenOfAMissingStoreIsNil() throws {
        #expect(try StateStore.openReadOnly(path: temporaryPath()) == nil)
    }
}
