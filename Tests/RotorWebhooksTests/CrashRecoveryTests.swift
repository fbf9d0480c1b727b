import Foundation
import Testing
import RotorCore
import RotorStore
import RotorTesting

@Suite("A crash between the commit and the deliveries loses nothing")
struct CrashRecoveryTests {
    /// `after-commit`: killed right after the commit, before the store transaction.
    /// `before-deliver`: killed after the store transaction (events and jobs written), before any delivery.
    @Test(arguments: ["after-commit", "before-deliver"])
    func theNextRunDeliversEverythingOnceAndNoEventIsWrittenTwice(fault: String) throws {
        // Given a signing secret declared with an externally issued value, so the receiver holds it before rotor runs,
        let receiver = try WebhookReceiver(routes: [.init("/hooks", service: "billing-api")])
        let scenario = try WebhookScenario(consumers: [("billing-api", receiver.url("/hooks"))])
        let secret = "whsec_" + Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        let encrypted = try Shell.run("gpg", ["--homedir", scenario.repo.keyring.path, "--batch", "--trust-model", "always", "--encrypt",
                                              "--armor", "-r", scenario.repo.keyring.fingerprint], input: Array(secret.utf8))
        try scenario.repo.commit(["secrets/webhooks/billing-api.yaml": WebhookScenario.spec(
            project: "webhooks", name: "billing-api", consumers: [("billing-api", receiver.url("/hooks"))], value: encrypted.stdout)])
        try receiver.setSecrets(["billing-api": [secret]])

        // When apply is killed at the fault point,
        let crashed = try scenario.rotor(["apply", "--at", WebhookScenario.t0], environment: ["ROTOR_FAULT": fault])
        #expect(crashed.status == 9, "killed by SIGKILL: \(crashed.stderr)")
        #expect(crashed.stderr.contains("ROTOR_FAULT=\(fault): stopping abruptly here"))
        #expect(try scenario.repo.git(["log", "-1", "--format=%s"]) == "rotor: 2 created\n")
        #expect(try receiver.requests().isEmpty)

        // Then the next run delivers both events,
        let next = try scenario.rotor(["deliver", "--at", WebhookScenario.t0])
        #expect(next.status == 0, "\(next.stdout)\(next.stderr)")
        #expect(next.stdout.hasPrefix("Webhooks: 2 delivered.\n"))

        // and a later pass neither rotates again nor writes or delivers anything twice.
        let later = try scenario.rotor(["apply", "--at", "2026-12-01T00:05:00Z"])
        #expect(later.status == 0, "\(later.stderr)")
        #expect(later.stdout.hasPrefix("No changes at 2026-12-01T00:05:00Z"))
        #expect(!later.stdout.contains("Webhooks:"))
        let store = try scenario.store()
        let events = try store.events()
        #expect(events.map(\.type) == ["secret.created", "secret.created"])
        #expect(Set(events.map(\.secretID)) == ["payments/db-password", "webhooks/billing-api"])
        #expect(try store.jobs().count == 2)
        #expect(try store.jobs().allSatisfy { $0.status == .completed && $0.attempts == 1 })
        let requests = try receiver.requests()
        #expect(requests.count == 2)
        #expect(Set(requests.compactMap(\.webhookID)) == Set(events.map(\.id)))
        #expect(requests.allSatisfy { $0.verifiedWith == [0] && $0.status == .code(200) })
        #expect(try scenario.repo.git(["log", "--format=%s"]).split(separator: "\n").filter { $0.hasPrefix("rotor: ") } == ["rotor: 2 created"])
        #expect(try scenario.repo.git(["status", "--porcelain"]) == "")
    }
}
