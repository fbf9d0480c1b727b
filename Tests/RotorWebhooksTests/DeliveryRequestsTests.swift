import Crypto
import Foundation
import GRDB
import NIOCore
import Testing
import RotorCore
import RotorStore
import RotorTesting
@testable import RotorWebhooks

@Suite("Delivery requests: their fields and signature, and what cannot be built")
struct DeliveryRequestsTests {
    static let t0 = RFC3339.parse("2027-01-01T00:00:00Z")!

    /// A store holding `jobs` (id, event id, service, url), all due at t0, and an event per distinct event id.
    static func store(jobs: [(id: String, event: String, service: String, url: String)], bodies: [String: String]) throws -> StateStore {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("rotor-requests-\(UUID().uuidString.prefix(8))/state.db").path
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let store = try StateStore(path: path)
        try DatabaseQueue(path: path).write { db in
            for (event, body) in bodies {
                try db.execute(sql: "INSERT INTO events (id, type, secret_id, occurred_at, payload, consumers) VALUES (?, 'secret.rotated', 'p/s', ?, ?, '[]')",
                               arguments: [event, "2026-12-31T00:00:00Z", body])
            }
            for (index, job) in jobs.enumerated() {
                let payload = try String(decoding: JSONSerialization.data(withJSONObject: [
                    "event_id": job.event, "event_type": "secret.rotated", "secret_id": "p/s", "service": job.service, "url": job.url,
                ], options: [.sortedKeys]), as: UTF8.self)
                let at = "2026-12-31T00:00:0\(index)Z"
                try db.execute(sql: """
                    INSERT INTO jobs (id, type, payload, status, attempts, max_attempts, run_at, created_at, updated_at)
                    VALUES (?, 'webhook.delivery', ?, 'pending', 0, 6, ?, ?, ?)
                    """, arguments: [job.id, payload, at, at, at])
            }
        }
        return store
    }

    @Test func whatCannotBeSignedOrSentFailsWithoutARequestAndTheRestGoOutSigned() async throws {
        // Given a receiver that verifies api's signatures, and four due jobs: one to it, one whose
        // service has no signing key, one whose URL carries credentials, and one whose event id
        // would end the header field early,
        let receiver = try WebhookReceiver(routes: [.init("/ok", service: "api")])
        defer { receiver.stop() }
        let secret = "whsec_" + Data((0..<32).map { UInt8($0) }).base64EncodedString()
        try receiver.setSecrets(["api": [secret]])
        let key = try Array(secret.utf8).withUnsafeBytes { try WebhookSecret.key(fromText: $0, secretName: "webhooks/api") }
        let body = #"{"data":{"canary":"not-a-secret"},"type":"secret.rotated"}"#
        let store = try Self.store(jobs: [("job_ok", "evt_ok", "api", receiver.url("/ok")),
                                          ("job_nokey", "evt_ok", "billing", receiver.url("/ok")),
                                          ("job_creds", "evt_ok", "api", "http://user:hunter2@127.0.0.1:\(receiver.port)/ok"),
                                          ("job_crlf", "evt_x\r\nx-injected: 1", "api", receiver.url("/ok"))],
                                   bodies: ["evt_ok": body, "evt_x\r\nx-injected: 1": body])

        // When one pass runs,
        let worker = WebhookWorker(store: store, keys: StaticSigningKeys(["api": [key]]), clock: TestDeliveryClock(Self.t0),
                                   options: DeliveryOptions(requestTimeout: 10, concurrency: 2))
        let report = try await worker.runOnce()

        // Then only the first was sent, signed with api's key, in the fields every delivery carries,
        let results = Dictionary(uniqueKeysWithValues: report.results.map { ($0.jobID, $0) })
        #expect(results["job_ok"]?.result == .delivered && results["job_ok"]?.statusCode == 200)
        let requests = try receiver.requests()
        #expect(requests.count == 1)
        #expect(requests.first?.webhookID == "evt_ok" && requests.first?.verifiedWith == [0])
        #expect(requests.first?.contentType == "application/json" && requests.first?.body == body)
        // and each of the others is a failed attempt that says why, to be retried, with no request made.
        #expect(results["job_nokey"]?.result == .retrying)
        #expect(results["job_nokey"]?.error == "POST \(receiver.url("/ok")) failed: cannot sign: signing secret webhooks/billing does not exist yet: run `rotor apply` to create it")
        #expect(results["job_creds"]?.result == .retrying)
        #expect(results["job_creds"]?.error?.hasSuffix("failed: the URL carries credentials (user:password@), which rotor does not send: receivers check the webhook signature") == true)
        #expect(results["job_crlf"]?.result == .retrying)
        #expect(results["job_crlf"]?.error?.hasSuffix("failed: a header field name or value has a character HTTP forbids") == true)
        for id in ["job_nokey", "job_creds", "job_crlf"] {
            let attempts = try store.attempts(ofJob: id)
            #expect(attempts.count == 1 && attempts[0].statusCode == nil && attempts[0].error == results[id]?.error)
            #expect(try store.job(id).status == .pending)
        }
        #expect(try store.job("job_ok").status == .completed)
    }

    @Test func aRequestCarriesTheFieldsEveryDeliveryHasAndIsSignedFromTheBytesItSends() throws {
        // Given a claimed job,
        let body = #"{"data":{"canary":"not-a-secret"},"type":"secret.rotated"}"#
        let url = "http://127.0.0.1:8080/hooks/a?x=1"
        let store = try Self.store(jobs: [("job_1", "evt_1", "api", url)], bodies: ["evt_1": body])
        let claimed = try store.claimDueDeliveries(dueBy: Self.t0, now: Self.t0, owner: ProcessLiveness.current, lease: 60, limit: 10,
                                                   ownerIsGone: { _ in false })
        let key = SymmetricKey(size: .bits256)
        // when its request is built,
        var builder = DeliveryRequests(keys: StaticSigningKeys(["api": [key]]))
        builder.startBatch(now: Self.t0, timestamp: 1_798_761_600)
        guard case .request(let request) = try builder.build(#require(claimed.first), tag: 7),
              case .prepared(let headers, let sent) = request.content else {
            Issue.record("expected a request with header fields")
            return
        }
        // then it carries the fixed fields, then the delivery's own, in that order,
        #expect(request.tag == 7 && request.url == url)
        #expect(headers.map(\.name) == ["content-type", "user-agent", "webhook-id", "webhook-timestamp", "webhook-signature"])
        #expect(headers.first(name: "content-type") == "application/json" && headers.first(name: "user-agent") == "rotor-webhooks/1")
        #expect(headers.first(name: "webhook-id") == "evt_1" && headers.first(name: "webhook-timestamp") == "1798761600")
        // and the signature is over the very bytes sent.
        #expect(Array(buffer: sent) == Array(body.utf8))
        #expect(headers.first(name: "webhook-signature") == WebhookSignature.sign(id: "evt_1", timestamp: 1_798_761_600, body: Array(buffer: sent), key: key))
    }

    @Test func aHeaderFieldThatWouldSmuggleAnotherIsRefused() {
        #expect(WebhookSender.isAllowed(name: "webhook-id", value: "evt_1"))
        #expect(!WebhookSender.isAllowed(name: "x-a", value: "1\r\nx-injected: 1"))
        #expect(!WebhookSender.isAllowed(name: "x-a", value: "1\nGET / HTTP/1.1"))
        #expect(!WebhookSender.isAllowed(name: "x-a", value: "a\u{0}b"))
        #expect(!WebhookSender.isAllowed(name: "x a", value: "1"))
        #expect(!WebhookSender.isAllowed(name: "", value: "1"))
        #expect(!WebhookSender.isAllowed(name: "x-a:", value: "1"))
    }
}
