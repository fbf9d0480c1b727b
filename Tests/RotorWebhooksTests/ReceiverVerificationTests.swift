import Crypto
import Foundation
import Testing
import RotorCore
import RotorStore
import RotorTesting
@testable import RotorWebhooks

/// rotor's real deliveries, checked by an independent Standard Webhooks implementation.
@Suite("Deliveries verified by an independent receiver")
struct ReceiverVerificationTests {
    @Test func theJSONReportHasEveryAttemptAndThePassTimes() async throws {
        let receiver = try WebhookReceiver(routes: [.init("/hooks", service: "billing-api")])
        let scenario = try WebhookScenario(consumers: [("billing-api", receiver.url("/hooks"))])
        try scenario.applyWithoutDelivery()
        try receiver.setSecrets(["billing-api": [try scenario.signingSecret("billing-api")]])
        let deliver = try scenario.rotor(["deliver", "--at", WebhookScenario.t0, "--format", "json"])
        #expect(deliver.status == 0, "\(deliver.stdout)\(deliver.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(deliver.stdout.utf8)) as? [String: Any])
        let results = try #require(report["results"] as? [[String: Any]])
        #expect(results.count == 2 && results.allSatisfy { $0["result"] as? String == "delivered" && $0["statusCode"] as? Int == 200 })
        // Real time and CPU time of the pass (signing, two requests, the store's claims and outcomes).
        let seconds = try #require(report["passSeconds"] as? Double), cpu = try #require(report["passCPUSeconds"] as? Double)
        #expect(seconds > 0 && seconds < 60 && cpu > 0 && cpu < 60, "\(deliver.stdout)")
    }

    @Test func realDeliveriesAreAcceptedAndForgeriesRejected() async throws {
        // Given a consumer whose receiver verifies with PyPI's standardwebhooks and the secret `rotor get` hands out,
        let receiver = try WebhookReceiver(routes: [.init("/hooks", service: "billing-api")])
        let scenario = try WebhookScenario(consumers: [("billing-api", receiver.url("/hooks"))])
        try scenario.applyWithoutDelivery()
        let secret = try scenario.signingSecret("billing-api")
        #expect(secret.hasPrefix("whsec_") && secret.count == 6 + 44)
        try receiver.setSecrets(["billing-api": [secret]])

        // When rotor delivers,
        let deliver = try scenario.rotor(["deliver", "--at", WebhookScenario.t0])

        // Then both events (the secret's and its own signing secret's creation) are accepted, once each.
        #expect(deliver.status == 0, "\(deliver.stdout)\(deliver.stderr)")
        #expect(deliver.stdout.hasPrefix("Webhooks: 2 delivered.\n"))
        let requests = try receiver.requests()
        #expect(requests.count == 2)
        #expect(requests.allSatisfy { $0.status == .code(200) && $0.verifiedWith == [0] && $0.signatures == 1 })
        #expect(requests.allSatisfy { $0.contentType == "application/json" })
        let store = try scenario.store()
        #expect(Set(requests.compactMap(\.webhookID)) == Set(try store.events().map(\.id)))
        #expect(try store.jobs().allSatisfy { $0.status == .completed && $0.attempts == 1 })

        // The payload: type, timestamp, data about the change, never a value.
        let created = try #require(requests.first { $0.body.contains("\"secret_id\":\"payments/db-password\"") })
        let payload = try #require(try JSONSerialization.jsonObject(with: Data(created.body.utf8)) as? [String: Any])
        #expect(payload["type"] as? String == "secret.created")
        #expect(payload["timestamp"] as? String == WebhookScenario.t0)
        let data = try #require(payload["data"] as? [String: Any])
        #expect(data["project"] as? String == "payments" && data["name"] as? String == "db-password" && data["new_version"] as? Int == 1)
        #expect(Set(data.keys) == ["secret_id", "project", "name", "new_version", "rotation_reason", "version_id"])

        // And forgeries are refused by the same receiver: a tampered body, a wrong secret, an old timestamp.
        let key = try Array(secret.utf8).withUnsafeBytes { try WebhookSecret.key(fromText: $0, secretName: "test") }
        let http = WebhookSender(connectTimeout: 5, environment: [:])
        let now = Int64(Date().timeIntervalSince1970)
        func post(_ body: String, signedBody: String? = nil, key: SymmetricKey, timestamp: Int64, id: String) async throws -> Int? {
            let signature = WebhookSignature.sign(id: id, timestamp: timestamp, body: Array((signedBody ?? body).utf8), key: key)
            let outcome = try await http.post(url: receiver.url("/hooks"), headers: [
                ("content-type", "application/json"), ("webhook-id", id), ("webhook-timestamp", String(timestamp)), ("webhook-signature", signature),
            ], body: Array(body.utf8), timeout: 10)
            return outcome.statusCode
        }
        let tampered = created.body.replacingOccurrences(of: "\"new_version\":1", with: "\"new_version\":9")
        #expect(try await post(created.body, key: key, timestamp: now, id: "evt_control") == 200)
        #expect(try await post(tampered, signedBody: created.body, key: key, timestamp: now, id: "evt_tampered") == 401)
        #expect(try await post(created.body, key: SymmetricKey(size: .bits256), timestamp: now, id: "evt_wrong_secret") == 401)
        #expect(try await post(created.body, key: key, timestamp: now - 600, id: "evt_old") == 401)
        try await http.shutdown()
        let refused = try receiver.requests().suffix(3)
        #expect(refused.map(\.error) == ["No matching signature found", "No matching signature found", "Message timestamp too old"])
    }
}
