import Foundation
import Testing
@testable import RotorCore
@testable import RotorEngine
import RotorCrypto
import RotorStore
import RotorTesting

@Suite("API keys: lifecycle, verification, revocation, audit")
struct ApiKeyTests {
    let t0 = RFC3339.parse("2026-12-01T00:00:00Z")!
    let partner = SecretID(project: "payments", name: "partner")
    func at(days: Double = 0, hours: Double = 0) -> Date { t0.addingTimeInterval(days * 86_400 + hours * 3_600) }

    func repoWithKey(overlap: String = "24h", consumers: [String] = ["partner-gateway"]) throws -> SecretsRepoFixture {
        let repo = try SecretsRepoFixture()
        try repo.commit(["policies/partner-keys.yaml": SecretsRepoFixture.keyPolicy(overlap: overlap),
                         "keys/payments/partner.yaml": SecretsRepoFixture.apiKey(project: "payments", name: "partner",
                                                                                   scopes: ["payments:read", "payments:refund"], consumers: consumers)],
                        message: "add the partner key")
        return repo
    }

    func verify(_ engine: Engine, _ key: SecretBytes, at now: Date) throws -> KeyVerification {
        try engine.verifyKey(key, now: now)
    }

    @Test func fullLifecycle() throws {
        let repo = try repoWithKey()
        let engine = try repo.engine()
        // Create: a typed, prefixed key with 256 bits after the prefix, and its hash in git.
        #expect(try engine.apply(now: t0).plan.actions.filter { $0.resource == .key }.map(\.kind) == [.create])
        let v1 = try engine.getKey(partner, version: nil, now: t0)
        let v1Text = try #require(v1.utf8String())
        #expect(v1Text.hasPrefix("rk_sec_") && v1Text.count == 7 + 43)
        let file = try String(contentsOfFile: repo.root + "/versions/keys/payments/partner.yaml", encoding: .utf8)
        #expect(file.contains("hash: \"\(ApiKeyHash.of(Array(v1Text.utf8)))\""))
        #expect(try verify(engine, v1, at: at(days: 1)).valid)

        // Rotate when due: both keys verify during the overlap; the old one points at the new one.
        let rotation = try engine.apply(now: at(days: 90))
        #expect(rotation.plan.actions.filter { $0.resource == .key }.map(\.kind) == [.rotate])
        let v2 = try engine.getKey(partner, version: nil, now: at(days: 90))
        #expect(try verify(engine, v1, at: at(days: 90, hours: 12)).valid)
        #expect(try verify(engine, v2, at: at(days: 90, hours: 12)).valid)
        let records = try engine.keyUsage(of: partner, now: at(days: 90, hours: 12))
        #expect(records.map(\.state) == ["active", "overlap"])
        #expect(records.last?.rotatedTo == records.first?.id)
        #expect(records.last?.expiresAt == at(days: 91))

        // After the overlap the old key fails even before a pass runs, and the next pass expires it.
        let late = try verify(engine, v1, at: at(days: 91, hours: 1))
        #expect(!late.valid && late.reason?.hasPrefix("rotated out; its overlap ended") == true)
        #expect(try engine.apply(now: at(days: 91, hours: 1)).plan.actions.filter { $0.resource == .key }.map(\.kind) == [.expire])
        #expect(try verify(engine, v1, at: at(days: 91, hours: 2)).reason?.hasPrefix("expired") == true)

        // Revoke: invalid at once, no grace; it never comes back by itself.
        let revoked = try engine.apply(now: at(days: 92), revocations: [partner: "leaked in a ticket"], only: PlanTarget(partner, .key))
        #expect(revoked.plan.actions.map(\.kind) == [.revoke])
        let after = try verify(engine, v2, at: at(days: 92))
        #expect(!after.valid && after.reason == "revoked at 2027-03-03T00:00:00Z: leaked in a ticket")
        let next = try engine.apply(now: at(days: 200))
        #expect(next.plan.actions.filter { $0.resource == .key }.isEmpty)
        #expect(next.plan.notices.contains { $0.message.contains("was revoked") })

        let store = try #require(try StateStore.openReadOnly(path: repo.statePath))
        #expect(try store.events().map(\.type).filter { $0.hasPrefix("key.") } == ["key.created", "key.rotated", "key.expired", "key.revoked"])
        let actions = try store.auditLog().map(\.action)
        for action in ["key.created", "key.rotated", "key.revoked", "key.accessed"] { #expect(actions.contains(action)) }
    }

    @Test func verifyCountsUsageAndRejectsGarbage() throws {
        let repo = try repoWithKey()
        let engine = try repo.engine()
        _ = try engine.apply(now: t0)
        let key = try engine.getKey(partner, version: nil, now: t0)
        for hour in 1...3 { #expect(try verify(engine, key, at: at(hours: Double(hour))).valid) }
        let garbage = try verify(engine, SecretBytes(Array("rk_sec_not-a-real-key".utf8)), at: at(hours: 4))
        #expect(!garbage.valid && garbage.reason == "unknown key")
        let usage = try engine.keyUsage(of: partner, now: at(hours: 5))
        #expect(usage.first?.usageCount == 3)
        #expect(usage.first?.lastUsed == at(hours: 3))
    }

    @Test func revokedInASpecIsInvalidAtOnce() throws {
        let repo = try repoWithKey()
        let engine = try repo.engine()
        _ = try engine.apply(now: t0)
        let key = try engine.getKey(partner, version: nil, now: t0)
        try repo.commit(["keys/payments/partner.yaml": SecretsRepoFixture.apiKey(project: "payments", name: "partner", revoked: true)])
        // Even before apply runs, the spec's revocation counts.
        #expect(try verify(engine, key, at: at(hours: 1)).reason == "revoked in spec")
        let result = try engine.apply(now: at(hours: 1))
        #expect(result.plan.actions.map(\.kind) == [.revoke])
        #expect(result.plan.actions.first?.reason == "revoked in spec: leaked")
    }

    @Test func aRotationThatLeavesConsumersWithoutAKeyIsRefused() throws {
        let repo = try repoWithKey(overlap: "0s")
        let engine = try repo.engine()
        _ = try engine.apply(now: t0)
        let preview = try engine.previewKeyRotation(partner, reason: "test", now: at(hours: 1))
        #expect(preview.actions.isEmpty)
        #expect(preview.notices.first?.message.contains("partner-gateway would hold no valid key") == true)
    }

    @Test func theSpecAuthorIsTheActorOfACreation() throws {
        let repo = try repoWithKey()
        _ = try repo.engine().apply(now: t0)
        let created = try #require(try StateStore.openReadOnly(path: repo.statePath)?.auditLog(action: "key.created").first)
        #expect(created.actor == "Test Person <test@rotor.invalid>")
    }

    @Test func keySpecsAreValidated() throws {
        let repo = try repoWithKey()
        try repo.commit(["keys/payments/bad.yaml": SecretsRepoFixture.apiKey(project: "payments", name: "bad", type: "admin",
                                                                             scopes: ["Payments:READ"]),
                         "keys/payments/wrong-policy.yaml": SecretsRepoFixture.apiKey(project: "payments", name: "wrong-policy",
                                                                                      policy: "database-credentials")])
        let output = try repo.rotor(["validate"])
        #expect(output.status == 1)
        #expect(output.stdout.contains("keys/payments/bad.yaml:7:9: error: type must be one of public, secret, service_role, mcp"))
        #expect(output.stdout.contains("keys/payments/bad.yaml:8:12: error: scope must look like resource:action"))
        #expect(output.stdout.contains("unknown key policy \"database-credentials\" (\"database-credentials\" is a secret Policy; keys need kind: KeyPolicy)"))
    }

    @Test func auditTamperingIsDetectedAndNamed() throws {
        for tamper in ["edit", "reorder", "delete-middle", "delete-last"] {
            let repo = try repoWithKey()
            let engine = try repo.engine()
            _ = try engine.apply(now: t0)
            _ = try engine.getKey(partner, version: nil, now: at(hours: 1))
            _ = try engine.get(SecretID(project: "payments", name: "db-password"), version: nil, now: at(hours: 2))
            #expect(try repo.rotor(["audit", "verify"]).status == 0)
            let db = repo.statePath
            let sql: String
            switch tamper {
            case "edit": sql = "UPDATE audit_log SET actor = 'mallory' WHERE seq = 2;"
            case "reorder": sql = "UPDATE audit_log SET seq = 100 WHERE seq = 2; UPDATE audit_log SET seq = 2 WHERE seq = 3; UPDATE audit_log SET seq = 3 WHERE seq = 100;"
            case "delete-middle": sql = "DELETE FROM audit_log WHERE seq = 2;"
            default: sql = "DELETE FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log);"
            }
            let edit = try Shell.run("sqlite3", [db, "DROP TRIGGER audit_log_append_only_update; DROP TRIGGER audit_log_append_only_delete; \(sql)"])
            #expect(edit.status == 0, "\(edit.stderr)")
            let verify = try repo.rotor(["audit", "verify"])
            #expect(verify.status == 1, "\(tamper)")
            let expected = ["edit": "audit row 2 was edited", "reorder": "audit row 2", "delete-middle": "audit row 2 is missing",
                            "delete-last": "are missing (deleted from the end of the log)"][tamper]!
            #expect(verify.stderr.contains(expected), "\(tamper): \(verify.stderr)")
        }
    }

    @Test func keyMaterialAppearsNowhereButGet() throws {
        let repo = try repoWithKey()
        var printed = ""
        for arguments in [["plan"], ["apply", "--at", "2026-12-01T00:00:00Z"], ["status"], ["keys", "usage", "payments/partner"],
                          ["audit"], ["audit", "--format", "json"], ["rotate", "payments/partner", "--key", "--reason", "test", "--yes", "--at", "2026-12-02T00:00:00Z"]] {
            let output = try repo.rotor(arguments)
            #expect(output.status == 0, "\(arguments): \(output.stderr)")
            printed += output.stdout + output.stderr
        }
        let keys = try (1...2).map { version in
            try repo.rotor(["get", "payments/partner", "--key", "--version", String(version), "--no-newline"]).stdout
        }
        #expect(keys.allSatisfy { $0.hasPrefix("rk_sec_") })
        let verified = try Shell.run(Shell.rotorExecutable, ["keys", "verify", "--repo", repo.root, "--state", repo.statePath],
                                     input: Array((keys[1] + "\n").utf8), environment: ["GNUPGHOME": repo.keyring.path])
        #expect(verified.status == 0 && verified.stdout.hasPrefix("valid: key payments/partner v2, type secret"))
        printed += verified.stdout + verified.stderr
        let objects = try Shell.run("sh", ["-c", "git -C \(repo.root) cat-file --batch-all-objects --batch"]).stdout
        for key in keys {
            #expect(!printed.contains(key))
            #expect(!objects.contains(key))
            for path in FileManager.default.enumerator(atPath: repo.directory.path)?.compactMap({ $0 as? String }) ?? [] {
                let data = (try? Data(contentsOf: URL(fileURLWithPath: repo.directory.path(path)))) ?? Data()
                #expect(data.range(of: Data(key.utf8)) == nil, "key found in \(path)")
            }
        }
    }

    @Test func rotatingAKeyNeedsConfirmationOffATerminal() throws {
        let repo = try repoWithKey()
        #expect(try repo.rotor(["apply", "--at", "2026-12-01T00:00:00Z"]).status == 0)
        let refused = try repo.rotor(["rotate", "payments/partner", "--reason", "test", "--at", "2026-12-02T00:00:00Z"])
        #expect(refused.status == 1)
        #expect(refused.stdout.contains("Services that must switch to the new key (blast radius): partner-gateway."))
        #expect(refused.stdout.contains("The current key keeps working until 2026-12-03T00:00:00Z (its overlap)"))
        #expect(refused.stderr.contains("pass --yes"))
        // On a terminal (script(1) gives rotor a pseudo-terminal) it asks, and "n" leaves everything as it was.
        let head = try repo.git(["rev-parse", "HEAD"])
        let command = [Shell.rotorExecutable, "rotate", "payments/partner", "--reason", "test", "--at", "2026-12-02T00:00:00Z",
                       "--repo", repo.root, "--state", repo.statePath].map { "'\($0)'" }.joined(separator: " ")
        let declined = try Shell.run("script", ["-qec", command, "/dev/null"], input: Array("n\n".utf8), environment: ["GNUPGHOME": repo.keyring.path])
        #expect(declined.stdout.contains("Rotate key payments/partner? [y/N]"))
        #expect(declined.stdout.contains("Not rotated."))
        #expect(try repo.git(["rev-parse", "HEAD"]) == head)
        let confirmed = try repo.rotor(["rotate", "payments/partner", "--reason", "test", "--yes", "--at", "2026-12-02T00:00:00Z"])
        #expect(confirmed.status == 0, "\(confirmed.stderr)")
        #expect(confirmed.stdout.contains("~ rotate  key payments/partner v1 → v2: test"))
    }
}
