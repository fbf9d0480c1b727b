import Foundation
import Testing
import RotorCore
import RotorStore
import RotorTesting

@Suite("Rotating a consumer's signing secret")
struct SigningRotationTests {
    @Test func bothSignaturesDuringGraceEitherSecretVerifiesAndNoValueLeaksAnywhere() throws {
        // Given a consumer that verifies with the signing secret it was handed,
        let receiver = try WebhookReceiver(routes: [.init("/hooks", service: "billing-api")])
        let scenario = try WebhookScenario(consumers: [("billing-api", receiver.url("/hooks"))])
        try scenario.applyWithoutDelivery()
        let old = try scenario.signingSecret("billing-api")
        try receiver.setSecrets(["billing-api": [old]])
        var printed = try scenario.rotor(["deliver", "--at", WebhookScenario.t0]).stdout

        // When the signing secret is rotated,
        let rotate = try scenario.rotor(["rotate", "webhooks/billing-api", "--reason", "scheduled key change",
                                         "--at", "2026-12-01T01:00:00Z", "--deliver-timeout", "0"])
        #expect(rotate.status == 0, "\(rotate.stderr)")
        let new = try scenario.signingSecret("billing-api")
        #expect(new != old && new.hasPrefix("whsec_"))
        #expect(try scenario.signingSecret("billing-api", version: 1) == old)
        // (the receiver tries each secret on its own: verified_with lists every one that verifies)
        try receiver.setSecrets(["billing-api": [old, new]])
        let deliver = try scenario.rotor(["deliver", "--at", "2026-12-01T01:00:00Z"])
        printed += deliver.stdout + deliver.stderr

        // Then during the grace period a delivery carries both signatures, and either secret alone verifies it.
        #expect(deliver.status == 0, "\(deliver.stdout)")
        let rotated = try #require(try receiver.requests().last)
        #expect(rotated.signatures == 2)
        #expect(rotated.verifiedWith == [0, 1])
        let payload = try #require(try JSONSerialization.jsonObject(with: Data(rotated.body.utf8)) as? [String: Any])
        let data = try #require(payload["data"] as? [String: Any])
        #expect(payload["type"] as? String == "secret.rotated")
        #expect(data["secret_id"] as? String == "webhooks/billing-api")
        #expect(data["rotated_from"] as? Int == 1 && data["new_version"] as? Int == 2)
        #expect(data["grace_expires_at"] as? String == "2026-12-04T01:00:00Z")
        #expect(data["rotation_reason"] as? String == "scheduled key change")

        // And once the grace period is over, only the new secret signs.
        let expire = try scenario.rotor(["apply", "--at", "2026-12-04T02:00:00Z"])
        printed += expire.stdout + expire.stderr
        #expect(expire.stdout.contains("- expire  webhooks/billing-api v1"))
        #expect(expire.stdout.contains("Webhooks: 1 delivered."))
        let expired = try #require(try receiver.requests().last)
        #expect(expired.body.contains("\"type\":\"secret.expired\""))
        #expect(expired.signatures == 1 && expired.verifiedWith == [1])

        // Canary: no value — neither signing secret nor the secret the events are about — in a payload,
        // a job row, an attempt, the receiver's log, rotor's output, or the store's files.
        let dbPassword = try scenario.rotor(["get", "payments/db-password", "--no-newline"]).stdout
        let values = [old, new, String(old.dropFirst(6)), String(new.dropFirst(6)), dbPassword]
        #expect(values.allSatisfy { $0.count >= 32 })
        let store = try scenario.store()
        var haystack = try store.events().map { $0.payload + $0.consumers }.joined()
        for job in try store.jobs() {
            haystack += job.payload + (job.lastError ?? "")
            haystack += try store.attempts(ofJob: job.id).map { $0.url + ($0.error ?? "") }.joined()
            printed += try scenario.rotor(["jobs", "show", job.id]).stdout
        }
        printed += try scenario.rotor(["jobs", "list"]).stdout + scenario.rotor(["jobs", "list", "--format", "json"]).stdout
        let log = try String(contentsOfFile: receiver.logPath, encoding: .utf8)
        #expect(log.split(separator: "\n").count == 4)
        for value in values {
            #expect(!haystack.contains(value) && !printed.contains(value) && !log.contains(value))
        }
        for path in FileManager.default.enumerator(atPath: scenario.repo.directory.path("state"))?.compactMap({ $0 as? String }) ?? [] {
            let bytes = (try? Data(contentsOf: URL(fileURLWithPath: scenario.repo.directory.path("state/\(path)")))) ?? Data()
            for value in values { #expect(bytes.range(of: Data(value.utf8)) == nil, "a value in state/\(path)") }
        }
    }
}
