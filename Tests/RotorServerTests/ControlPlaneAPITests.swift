import Foundation
import Testing
import RotorCore
import RotorTesting

/// The control plane over real HTTP: `rotor serve` on 127.0.0.1, keys from real specs, curl as the client.
@Suite("Control plane API: authentication, value reads, writes", .serialized)
struct ControlPlaneAPITests {
    @Test func withoutAValidKeyEveryCallIs401AndAudited() throws {
        let fixture = try APIFixture()
        let server = try fixture.serve()
        let none = try server.request("GET", "/v1/secrets")
        #expect(none.status == 401)
        #expect(none.headers["content-type"] == "application/problem+json")
        #expect(try none.json()["type"] as? String == "https://rotor.dev/problems/unauthorized")
        #expect(try server.request("GET", "/v1/secrets", key: "rk_sec_not-a-key").status == 401)
        #expect(try server.request("GET", "/v1/secrets", headers: ["Authorization: Basic Zm9vOmJhcg=="]).status == 401)
        #expect(try server.request("GET", "/v1/secrets", key: fixture.admin).status == 200)
        _ = server.stop()
        let failures = try fixture.audit("auth.failed")
        #expect(failures.count == 3)
        #expect(failures.allSatisfy { ($0["targetID"] as? String) == "127.0.0.1" })
        // The presented key is never written anywhere: not even a wrong one.
        let store = try Data(contentsOf: URL(fileURLWithPath: fixture.repo.statePath))
        #expect(!String(decoding: store, as: UTF8.self).contains("rk_sec_not-a-key"))
    }

    @Test func revokedExpiredAndRotatedOutKeysAre401() throws {
        let fixture = try APIFixture()
        // Rotate the admin key: the old one verifies through its 24 h overlap, then no more.
        let rotated = try fixture.repo.rotor(["rotate", "rotor/admin", "--key", "--reason", "test", "--yes", "--at", APIFixture.at(days: 1),
                                              "--deliver-timeout", "0"])
        #expect(rotated.status == 0, "\(rotated.stderr)")
        let during = try fixture.serve(at: APIFixture.at(days: 1, hours: 12))
        #expect(try during.request("GET", "/v1/secrets", key: fixture.admin).status == 200)
        _ = during.stop()
        let after = try fixture.serve(at: APIFixture.at(days: 2, hours: 1))
        let out = try after.request("GET", "/v1/secrets", key: fixture.admin)
        #expect(out.status == 401)
        #expect((try out.json()["detail"] as? String)?.contains("rotated out") == true)
        _ = after.stop()

        // Revoke the reader: refused at once.
        #expect(try fixture.repo.rotor(["revoke", "payments/billing-reader", "--reason", "leaked", "--at", APIFixture.at(days: 3)]).status == 0)
        let revoked = try fixture.serve(at: APIFixture.at(days: 3, hours: 1))
        let answer = try revoked.request("GET", "/v1/secrets/payments/db-password/value", key: fixture.reader)
        #expect(answer.status == 401)
        #expect((try answer.json()["detail"] as? String)?.contains("revoked") == true)
        _ = revoked.stop()

        // An expiry in the spec ends the key at that instant.
        try fixture.repo.commit(["keys/payments/other-reader.yaml": SecretsRepoFixture.apiKey(
            project: "payments", name: "other-reader", scopes: ["rotor:values:read"], policy: "control-plane",
            consumers: ["other-svc"], expiresAt: APIFixture.at(days: 4))])
        let expired = try fixture.serve(at: APIFixture.at(days: 4, hours: 1))
        let late = try expired.request("GET", "/v1/secrets", key: fixture.stranger)
        #expect(late.status == 401)
        #expect((try late.json()["detail"] as? String)?.contains("expired") == true)
    }

    @Test func keysWithoutARotorScopeNeverOpenTheControlPlane() throws {
        let fixture = try APIFixture()
        let server = try fixture.serve()
        let partner = try server.request("GET", "/v1/secrets", key: fixture.partner)
        #expect(partner.status == 403)
        #expect((try partner.json()["detail"] as? String)?.contains("no rotor: scope") == true)
        // A scope the key lacks: 403, naming the scope.
        let jobs = try server.request("GET", "/v1/jobs", key: fixture.reader)
        #expect(jobs.status == 403)
        #expect((try jobs.json()["detail"] as? String)?.contains("rotor:jobs:read") == true)
    }

    @Test func valueReadsAreBoundToConsumersAuditedAndNeverCached() throws {
        let fixture = try APIFixture()
        let expected = try fixture.get("payments/db-password")
        let server = try fixture.serve()
        // billing-api consumes db-password: the same value as `rotor get`.
        let read = try server.request("GET", "/v1/secrets/payments/db-password/value", key: fixture.reader)
        #expect(read.status == 200)
        #expect(read.headers["cache-control"] == "no-store")
        let body = try read.json()
        #expect(body["value"] as? String == expected)
        #expect(body["version"] as? Int == 1)
        // other-svc does not: 403, and the answer says how access is granted.
        let denied = try server.request("GET", "/v1/secrets/payments/db-password/value", key: fixture.stranger)
        #expect(denied.status == 403)
        #expect((try denied.json()["detail"] as? String)?.contains("add the service as a consumer") == true)
        // The admin may read any.
        #expect(try server.request("GET", "/v1/secrets/payments/db-password/value", key: fixture.admin).status == 200)
        // Metadata never carries the value.
        for path in ["/v1/secrets", "/v1/secrets/payments/db-password", "/v1/secrets/payments/db-password/consumers", "/v1/audit", "/v1/plan"] {
            let answer = try server.request("GET", path, key: fixture.admin)
            #expect(answer.status == 200, "\(path): \(answer.body)")
            #expect(!answer.body.contains(expected), "\(path) leaked the value")
        }
        #expect(server.stop() == 0, "\(server.process.stderr)")
        // One audit row per value served, with the key and its service as the actor; none in the logs.
        let reads = try fixture.audit("secret.accessed").filter { ($0["metadata"] as? String)?.contains("\"via\":\"api\"") == true }
        #expect(reads.count == 2)
        #expect(reads.contains { ($0["actor"] as? String) == "payments/billing-reader v1 (billing-api)" })
        #expect(!server.process.stdout.contains(expected) && !server.process.stderr.contains(expected))
        #expect(!server.process.stdout.contains(fixture.reader) && !server.process.stderr.contains(fixture.reader))
    }

    @Test func aVersionInGraceIsReadableByNumberAndAnExpiredOneIsGone() throws {
        let fixture = try APIFixture()
        let v1 = try fixture.get("payments/db-password")
        #expect(try fixture.repo.rotor(["rotate", "payments/db-password", "--reason", "test", "--at", APIFixture.at(days: 1),
                                        "--deliver-timeout", "0"]).status == 0)
        let during = try fixture.serve(at: APIFixture.at(days: 1, hours: 1))
        let old = try during.request("GET", "/v1/secrets/payments/db-password/value?version=1", key: fixture.reader)
        #expect(old.status == 200)
        #expect(try old.json()["value"] as? String == v1)
        #expect(try during.request("GET", "/v1/secrets/payments/db-password/value", key: fixture.reader).json()["version"] as? Int == 2)
        #expect(try during.request("GET", "/v1/secrets/payments/db-password/value?version=7", key: fixture.reader).status == 404)
        _ = during.stop()
        // The grace period is 24 h: after it the value is not served, even before a pass removes it.
        let after = try fixture.serve(at: APIFixture.at(days: 2, hours: 1))
        let gone = try after.request("GET", "/v1/secrets/payments/db-password/value?version=1", key: fixture.reader)
        #expect(gone.status == 410)
        #expect((try gone.json()["detail"] as? String)?.contains("grace period ended") == true)
    }

    @Test func rotateThroughTheAPICommitsStoresAndNotifies() throws {
        let receiver = try WebhookReceiver(routes: [.init("/hooks/rotor", service: "billing-api")])
        let fixture = try APIFixture()
        // Point billing-api's webhook at the independent receiver, with its signing secret.
        try fixture.repo.commit(["secrets/payments/db-password.yaml": SecretsRepoFixture.secretSpec(project: "payments", name: "db-password")
            + "  consumers:\n    - service: billing-api\n      webhook: \(receiver.url("/hooks/rotor"))\n"])
        #expect(try fixture.repo.rotor(["apply", "--at", APIFixture.at(hours: 1), "--deliver-timeout", "0"]).status == 0)
        try receiver.setSecrets(["billing-api": [try fixture.get("webhooks/billing-api", at: APIFixture.at(hours: 1))]])
        let head = try fixture.repo.git(["rev-parse", "HEAD"])
        let server = try fixture.serve(at: APIFixture.at(hours: 2))
        let rotated = try server.request("POST", "/v1/secrets/payments/db-password/rotate", key: fixture.admin, json: #"{"reason":"suspected leak"}"#)
        #expect(rotated.status == 200, "\(rotated.body)")
        let body = try rotated.json()
        #expect(body["version"] as? Int == 2)
        #expect(body["rotatedFrom"] as? Int == 1)
        #expect(body["value"] == nil)
        #expect(body["consumers"] as? [String] == ["billing-api"])
        // git: a new commit with v2; the store's history shows it, made by the key.
        #expect(try fixture.repo.git(["rev-parse", "HEAD"]) != head)
        #expect(try fixture.repo.git(["show", "--stat", "--format=%s", "HEAD"]).contains("versions/payments/db-password.yaml"))
        let history = try server.request("GET", "/v1/secrets/payments/db-password", key: fixture.admin).json()
        let versions = try #require(history["versions"] as? [[String: Any]])
        #expect(versions.first?["version"] as? Int == 2)
        #expect(versions.first?["createdBy"] as? String == "rotor/admin v1 (ops)")
        // The consumer hears about it, signed so an independent verifier accepts it.
        #expect(waitUntil(timeout: 30) { ((try? receiver.requests()) ?? []).contains { $0.body.contains("\"new_version\":2") } },
                "\((try? receiver.requests().map(\.body)) ?? []) \(server.process.stderr)")
        let delivered = try receiver.requests().filter { $0.body.contains("\"new_version\":2") }
        #expect(delivered.allSatisfy { !$0.verifiedWith.isEmpty })
        #expect(try Shell.run("git", ["-C", fixture.repo.root, "fsck", "--strict"]).status == 0)
        // A rotation of a name that is not a secret is 404.
        #expect(try server.request("POST", "/v1/secrets/payments/nope/rotate", key: fixture.admin, json: #"{"reason":"x"}"#).status == 404)
    }

    @Test func rollbackDuringGraceMakesTheOldValueLiveAsANewVersion() throws {
        let fixture = try APIFixture()
        let v1 = try fixture.get("payments/db-password")
        let server = try fixture.serve(at: APIFixture.at(hours: 2))
        #expect(try server.request("POST", "/v1/secrets/payments/db-password/rotate", key: fixture.admin, json: #"{"reason":"scheduled"}"#).status == 200)
        // The reader may not roll back: that takes rotor:secrets:rollback.
        #expect(try server.request("POST", "/v1/secrets/payments/db-password/rollback", key: fixture.reader, json: #"{"reason":"x"}"#).status == 403)
        let rolled = try server.request("POST", "/v1/secrets/payments/db-password/rollback", key: fixture.admin,
                                        json: #"{"reason":"bad deploy","toVersion":1,"expireCurrent":true}"#)
        #expect(rolled.status == 200, "\(rolled.body)")
        let body = try rolled.json()
        #expect(body["version"] as? Int == 3)
        #expect(body["rotatedFrom"] as? Int == 2)
        #expect((body["reason"] as? String)?.hasPrefix("rollback to v1: bad deploy") == true)
        // v3 carries v1's value; v2 (the leaked one) is gone at once.
        let read = try server.request("GET", "/v1/secrets/payments/db-password/value", key: fixture.reader).json()
        #expect(read["version"] as? Int == 3)
        #expect(read["value"] as? String == v1)
        #expect(try server.request("GET", "/v1/secrets/payments/db-password/value?version=2", key: fixture.reader).status == 410)
        #expect(try fixture.get("payments/db-password", at: APIFixture.at(hours: 3)) == v1)
        _ = server.stop()
        // After v1's grace has ended there is nothing to roll back to, and the answer says why.
        let later = try fixture.serve(at: APIFixture.at(days: 3))
        let refused = try later.request("POST", "/v1/secrets/payments/db-password/rollback", key: fixture.admin, json: #"{"reason":"again","toVersion":1}"#)
        #expect(refused.status == 409)
        #expect(try Shell.run("git", ["-C", fixture.repo.root, "fsck", "--strict"]).status == 0)
    }

    @Test func specChangesBecomeProposalBranchesWithTheirPlan() throws {
        let fixture = try APIFixture()
        let head = try fixture.repo.git(["rev-parse", "HEAD"])
        let server = try fixture.serve()
        let draft = #"{"project":"payments","name":"stripe-webhook","policy":"database-credentials","consumers":[{"service":"billing-api"}],"reason":"billing needs it"}"#
        #expect(try server.request("POST", "/v1/secrets", key: fixture.reader, json: draft).status == 403)
        let made = try server.request("POST", "/v1/secrets", key: fixture.admin, json: draft)
        #expect(made.status == 202, "\(made.body)")
        let proposal = try made.json()
        let branch = try #require(proposal["branch"] as? String)
        #expect(branch.hasPrefix("rotor/proposals/"))
        let plan = try #require(proposal["plan"] as? [String: Any])
        #expect("\(plan)".contains("payments/stripe-webhook"))
        // The reconciled branch, the working tree and the index are untouched; the branch holds the spec.
        #expect(try fixture.repo.git(["rev-parse", "HEAD"]) == head)
        #expect(try fixture.repo.git(["status", "--porcelain"]).isEmpty)
        #expect(try fixture.repo.git(["show", "\(branch):secrets/payments/stripe-webhook.yaml"]).contains("service: billing-api"))
        // rotor plan --base says the same: the secret is created at merge, and billing-api gains read access.
        let planned = try fixture.repo.rotor(["plan", "--base", "main", "--head", branch])
        #expect(planned.stdout.contains("payments/stripe-webhook"), "\(planned.stdout)\(planned.stderr)")
        #expect(planned.stdout.contains("gains read access"), "\(planned.stdout)")
        // A secret the reconciled branch has is a conflict; a policy that does not exist does not validate: no branch either way.
        #expect(try server.request("POST", "/v1/secrets", key: fixture.admin, json: draft.replacingOccurrences(of: "stripe-webhook", with: "db-password")).status == 409)
        let invalid = try server.request("POST", "/v1/secrets", key: fixture.admin, json: draft.replacingOccurrences(of: "stripe-webhook", with: "other")
            .replacingOccurrences(of: "database-credentials", with: "no-such-policy"))
        #expect(invalid.status == 422, "\(invalid.body)")
        // Deleting a secret and setting a webhook are proposals too.
        #expect(try server.request("DELETE", "/v1/secrets/payments/db-password?reason=retired", key: fixture.admin).status == 202)
        #expect(try server.request("PUT", "/v1/webhooks/billing-api", key: fixture.admin,
                                   json: #"{"url":"https://billing.example.internal/hooks/rotor","reason":"new endpoint"}"#).status == 202)
        #expect(try fixture.repo.git(["branch", "--list", "rotor/proposals/*"]).split(separator: "\n").count == 3)
        #expect(try Shell.run("git", ["-C", fixture.repo.root, "fsck", "--strict"]).status == 0)
        _ = server.stop()
        #expect(try fixture.audit("proposal.created").count == 3)
    }

    @Test func failedAuthenticationsAreRateLimitedPerAddress() throws {
        let fixture = try APIFixture()
        let server = try fixture.serve(arguments: ["--auth-failure-limit", "3"])
        for _ in 0..<3 { #expect(try server.request("GET", "/v1/secrets", key: "rk_sec_wrong").status == 401) }
        let limited = try server.request("GET", "/v1/secrets", key: "rk_sec_wrong")
        #expect(limited.status == 429)
        #expect(limited.headers["retry-after"] != nil)
        // While limited, even a good key from that address waits: guessing cannot continue in parallel.
        #expect(try server.request("GET", "/v1/secrets", key: fixture.admin).status == 429)
        _ = server.stop()
        #expect(try fixture.audit("auth.failed").count == 3)
    }

    @Test func theContractIsServedAndHealthAndMetricsAnswer() throws {
        let fixture = try APIFixture()
        let server = try fixture.serve()
        let contract = try server.request("GET", "/v1/openapi.yaml")
        #expect(contract.status == 200)
        #expect(contract.body.hasPrefix("openapi: 3.1.0"))
        #expect(try server.request("GET", "/healthz").status == 200)
        _ = try server.request("GET", "/v1/secrets", key: fixture.admin)
        let metrics = try server.request("GET", "/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.body.contains(#"rotor_http_requests_total{route="/v1/secrets",method="GET",status="200"} 1"#), "\(metrics.body)")
        #expect(metrics.body.contains("rotor_http_request_duration_seconds_bucket"))
        // A method the contract does not list for a path: 405 naming the ones it does.
        let patch = try server.request("PATCH", "/v1/secrets", key: fixture.admin)
        #expect(patch.status == 405)
        #expect(patch.headers["allow"] == "GET, POST")
        // Input the contract forbids is 400 and changes nothing.
        #expect(try server.request("GET", "/v1/audit?limit=5000", key: fixture.admin).status == 400)
        #expect(try server.request("GET", "/v1/forecast?days=0", key: fixture.admin).status == 400)
        #expect(try server.request("POST", "/v1/secrets/payments/db-password/rotate", key: fixture.admin, json: #"{"reason":"  "}"#).status == 400)
        #expect(try server.request("GET", "/v1/secrets/payments/db-password", key: fixture.admin).json()["versions"] as? [Any] != nil)
    }

    @Test func aNonLoopbackAddressWithoutTLSIsRefusedAtStart() throws {
        let fixture = try APIFixture()
        let output = try fixture.repo.rotor(["serve", "--listen", "0.0.0.0:0"])
        #expect(output.status == 1)
        #expect(output.stderr.contains("without TLS"))
    }

    @Test func tlsWithAThrowawayCA() throws {
        let fixture = try APIFixture()
        let pki = try ThrowawayCA(directory: fixture.repo.directory.path("pki"))
        let server = try APIServer(repo: fixture.repo, arguments: ["--at", APIFixture.at(hours: 1), "--tls-cert", pki.certificate, "--tls-key", pki.key],
                                   caCertificate: pki.caCertificate)
        #expect(server.baseURL.hasPrefix("https://"))
        let answer = try server.request("GET", "/v1/secrets/payments/db-password/value", key: fixture.reader)
        #expect(answer.status == 200)
        #expect(try answer.json()["value"] as? String == fixture.get("payments/db-password"))
    }
}
