import Foundation
import Testing
import RotorTesting

/// `rotor rollback` end to end: the built binary against real git, gpg, SQLite and a webhook receiver.
@Suite("rotor rollback")
struct CLIRollbackTests {
    @Test func aRollbackIsCommittedDeliveredAuditedAndRefusedOnceTheGraceEnded() throws {
        // Given payments/db-password consumed by billing-api (a verifying receiver), v1 created, then rotated to v2
        let receiver = try WebhookReceiver(routes: [.init("/hooks", service: "billing-api")])
        defer { receiver.stop() }
        let repo = try SecretsRepoFixture()
        try repo.commit(["secrets/payments/db-password.yaml": """
            apiVersion: rotor.dev/v1
            kind: Secret
            metadata:
              project: payments
              name: db-password
            spec:
              policy: database-credentials
              consumers:
                - service: billing-api
                  webhook: \(receiver.url("/hooks"))

            """])
        var printed = ""
        func rotor(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
            let output = try repo.rotor(arguments)
            printed += output.stdout + output.stderr
            return (output.status, output.stdout, output.stderr)
        }
        #expect(try rotor(["apply", "--at", "2026-12-01T00:00:00Z", "--deliver-timeout", "0"]).status == 0)
        let signing = try repo.rotor(["get", "webhooks/billing-api", "--no-newline"])
        try receiver.setSecrets(["billing-api": [signing.stdout]])
        #expect(try rotor(["rotate", "payments/db-password", "--reason", "bad rotation", "--at", "2026-12-01T01:00:00Z", "--deliver-timeout", "0"]).status == 0)
        // (The one command allowed to print a value; its output is the canary below.)
        let v1 = try repo.rotor(["get", "payments/db-password", "--version", "1", "--no-newline", "--at", "2026-12-01T01:00:00Z"]).stdout
        #expect(v1.count == 32)
        let head = try repo.git(["rev-parse", "HEAD"])

        // When previewing, Then the plan shows the rollback and nothing changes
        let dry = try rotor(["rollback", "payments/db-password", "--reason", "bad deploy", "--dry-run", "--at", "2026-12-01T02:00:00Z"])
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout.contains("~ rotate  payments/db-password v2 → v3: rollback to v1: bad deploy\n"))
        #expect(dry.stdout.contains("v2 stays valid in its grace period until 2026-12-02T02:00:00Z"))
        #expect(try repo.git(["rev-parse", "HEAD"]) == head)

        // When rolling back, Then it is committed, v1's value is live as v3, and billing-api hears of it as of any rotation
        let rolled = try rotor(["rollback", "payments/db-password", "--reason", "bad deploy", "--at", "2026-12-01T02:00:00Z"])
        #expect(rolled.status == 0, "\(rolled.stderr)")
        #expect(rolled.stdout.contains("~ rotate  payments/db-password v2 → v3: rollback to v1: bad deploy\n"))
        #expect(rolled.stdout.contains("Committed "))
        #expect(rolled.stdout.contains("Webhooks: "))
        #expect(try repo.rotor(["get", "payments/db-password", "--no-newline", "--at", "2026-12-01T02:00:00Z"]).stdout == v1)
        let announced = try receiver.requests().filter { $0.body.contains("\"new_version\":3") }
        #expect(announced.count == 1)
        #expect(announced.first?.body.contains("\"type\":\"secret.rotated\"") == true)
        #expect(announced.first?.body.contains("\"rolled_back_to\":1") == true)
        #expect(announced.first?.verifiedWith == [0] && announced.first?.status == .code(200))

        // And history and the audit log show it
        let history = try rotor(["history", "payments/db-password", "--at", "2026-12-01T02:00:00Z"])
        #expect(history.stdout.contains("rollback to v1: bad deploy"))
        let audit = try rotor(["audit", "--action", "secret.rolled_back"])
        #expect(audit.stdout.contains("secret.rolled_back") && audit.stdout.contains("Test Person <test@rotor.invalid>"))

        // When v1's grace period has ended, Then a rollback to it is refused, exit 1, nothing changed
        let head2 = try repo.git(["rev-parse", "HEAD"])
        let late = try rotor(["rollback", "payments/db-password", "--to-version", "1", "--reason", "late", "--at", "2026-12-03T00:00:00Z"])
        #expect(late.status == 1)
        #expect(late.stderr == "error: payments/db-password: v1's grace period ended at 2026-12-02T01:00:00Z: its value is removed at the next apply; nothing to roll back to. Live versions: v3 (active)\n")
        #expect(late.stdout.isEmpty)
        #expect(try repo.git(["rev-parse", "HEAD"]) == head2)

        // And usage errors exit 64
        #expect(try rotor(["rollback", "payments/db-password", "--to-version", "0", "--reason", "r"]).status == 64)
        #expect(try rotor(["rollback", "payments/db-password"]).status == 64)
        #expect(try rotor(["rollback", "payments", "--reason", "r"]).status == 64)

        // And git is sound, and v1's value was printed only by `rotor get`: not by any other command,
        // nor in a webhook, git's objects, the store or any file beside them
        #expect(try Shell.run("git", ["-C", repo.root, "fsck", "--strict"]).status == 0)
        #expect(!printed.contains(v1))
        #expect(try !String(contentsOfFile: receiver.logPath, encoding: .utf8).contains(v1))
        let objects = try Shell.run("sh", ["-c", "git -C \(repo.root) cat-file --batch-all-objects --batch"])
        #expect(objects.status == 0 && !objects.stdout.contains(v1))
        for path in FileManager.default.enumerator(atPath: repo.directory.path)?.compactMap({ $0 as? String }) ?? [] {
            let data = (try? Data(contentsOf: URL(fileURLWithPath: repo.directory.path(path)))) ?? Data()
            #expect(data.range(of: Data(v1.utf8)) == nil, "the value found in \(path)")
        }
    }
}
