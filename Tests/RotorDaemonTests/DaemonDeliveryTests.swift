import Foundation
import Testing
@testable import RotorCore
@testable import RotorDaemon
import RotorEngine
import RotorTesting

/// The daemon's pass ends with webhook delivery (the webhook worker), verified by an independent receiver.
@Suite("Daemon: webhook delivery in every pass")
struct DaemonDeliveryTests {
    @Test func aPassDeliversSignedEventsAndRetriesOnTheNextPass() async throws {
        let receiver = try WebhookReceiver(routes: [.init("/hooks", service: "billing-api")])
        defer { receiver.stop() }
        let spec = SecretsRepoFixture.secretSpec(project: "payments", name: "db-password")
            .replacingOccurrences(of: "spec:\n", with: "spec:\n  consumers:\n    - service: billing-api\n      webhook: \(receiver.url("/hooks"))\n")
        let fixture = try RemoteFixture(files: ["secrets/payments/db-password.yaml": spec])
        let delivery = WebhookDelivery(workdir: fixture.workdir, gpgHome: fixture.seed.keyring.path,
                                       options: .init(requestTimeout: 5, concurrency: 4, passTimeout: 30), frozen: true)
        let harness = DaemonHarness(fixture, delivery: delivery)

        // Given a first pass that creates the secret and its signing secret, before the receiver knows the secret,
        let first = await harness.pass(at: "2026-12-01T00:00:00Z")
        #expect(first.outcome == .applied, "\(first.problem ?? "")")
        #expect((first.delivery?.retried ?? 0) > 0)
        let signing = try Engine(repositoryPath: fixture.workdir, statePath: fixture.statePath, gpgHome: fixture.seed.keyring.path)
            .get(SecretID(project: "webhooks", name: "billing-api"), version: nil, now: RFC3339.parse("2026-12-01T00:00:00Z")!)
        try receiver.setSecrets(["billing-api": [try #require(signing.utf8String())]])

        // When the next pass runs after the first retry is due,
        let second = await harness.pass(at: "2026-12-01T00:10:00Z")

        // Then the events reach the receiver, verified, and the pass reports them.
        #expect((second.delivery?.delivered ?? 0) > 0, "\(second.deliveryProblem ?? "")")
        let verified = try receiver.requests().filter { !$0.verifiedWith.isEmpty }
        #expect(verified.contains { $0.body.contains("\"type\":\"secret.created\"") && $0.body.contains("payments/db-password") })
        #expect(second.delivery?.jobsFailed == 0)
    }
}
