import Foundation
import Testing
import RotorCore
import RotorStore
import RotorTesting
@testable import RotorWebhooks

@Suite("A hanging or dead receiver never holds up the others")
struct SlowAndDeadReceiverTests {
    @Test func aHangingReceiverTimesOutAndIsRetriedWhileTheOthersAreDelivered() throws {
        // Given three consumers, one of which hangs on the first request of each event,
        let receiver = try WebhookReceiver(routes: [.init("/slow", service: "slow", behaviour: "hang=1"),
                                                    .init("/a", service: "svc-a"), .init("/b", service: "svc-b")])
        let scenario = try WebhookScenario(consumers: [("slow", receiver.url("/slow")), ("svc-a", receiver.url("/a")), ("svc-b", receiver.url("/b"))])
        try scenario.applyWithoutDelivery()
        try receiver.setSecrets(Dictionary(uniqueKeysWithValues: try ["slow", "svc-a", "svc-b"].map { ($0, [try scenario.signingSecret($0)]) }))

        // When rotor delivers with a 2 s request timeout and three requests at a time (so both hanging ones hold a slot),
        let wall = ContinuousClock.now
        let first = try scenario.rotor(["deliver", "--at", WebhookScenario.t0, "--request-timeout", "2", "--concurrency", "3"])
        let elapsed = ContinuousClock.now - wall

        // Then the four deliveries to the healthy receivers went through meanwhile, and the pass ended after one timeout.
        #expect(first.status == 3)
        #expect(elapsed < .seconds(10))
        let store = try scenario.store()
        let jobs = try store.jobs()
        #expect(jobs.count == 6)
        let (slow, fast) = (jobs.filter { $0.delivery?.service == "slow" }, jobs.filter { $0.delivery?.service != "slow" })
        #expect(fast.allSatisfy { $0.status == .completed && $0.attempts == 1 })
        let seen = try receiver.requests().map { ($0.path, $0.webhookID ?? "", $0.status, $0.time) }
        #expect(slow.allSatisfy { $0.status == .pending && $0.attempts == 1 }, "\(seen)\n\(first.stdout)")
        for job in slow {
            let attempt = try #require(try store.attempts(ofJob: job.id).first)
            #expect(attempt.statusCode == nil)
            #expect(attempt.error == "POST \(receiver.url("/slow")) got no answer within 2s (request timeout)")
            #expect((attempt.latencyMS ?? 0) >= 1_900)
        }
        let requests = try receiver.requests()
        let hangStart = try #require(requests.filter { $0.status == .hang }.map(\.time).min())
        let fastTimes = requests.filter { $0.service != "slow" }.map(\.time)
        #expect(fastTimes.count == 4)
        #expect(fastTimes.allSatisfy { $0 < hangStart + 2 }, "the healthy receivers were served while the slow one hung")

        // And the retry, once due, delivers to the receiver that has recovered.
        let retry = try scenario.rotor(["deliver", "--at", "2026-12-01T00:10:00Z", "--request-timeout", "2"])
        #expect(retry.status == 0, "\(retry.stdout)\(retry.stderr)")
        // (A fresh read-only handle: one opened before a write by another process may not see it.)
        let after = try scenario.store()
        #expect(try after.jobs().allSatisfy { $0.status == .completed })
        #expect(try slow.map { try after.attempts(ofJob: $0.id).map(\.statusCode) } == [[nil, 200], [nil, 200]])
    }

    @Test func anAnsweredJobIsRecordedWhileAnotherRequestHangsSoAKillResendsNothingDelivered() throws {
        // Given a fast receiver and one that hangs on its first request
        let receiver = try WebhookReceiver(routes: [.init("/slow", service: "slow", behaviour: "hang=1"), .init("/a", service: "svc-a")])
        let scenario = try WebhookScenario(consumers: [("slow", receiver.url("/slow")), ("svc-a", receiver.url("/a"))])
        try scenario.applyWithoutDelivery()
        try receiver.setSecrets(["slow": [try scenario.signingSecret("slow")], "svc-a": [try scenario.signingSecret("svc-a")]])
        // When rotor delivers, each request allowed 60 s (the hanging one holds the pass open)
        let deliver = try RunningProcess(Shell.rotorExecutable, ["deliver", "--at", WebhookScenario.t0, "--request-timeout", "60",
                                                                 "--repo", scenario.repo.root, "--state", scenario.repo.statePath],
                                         environment: ["GNUPGHOME": scenario.repo.keyring.path], directory: scenario.repo.directory.path)
        defer { deliver.send(SIGKILL); _ = deliver.waitForExit(timeout: 10) }
        // Then the answered jobs are completed in the store within moments, while the other still hangs
        var fast: [JobRecord] = []
        let limit = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < limit {
            fast = try scenario.store().jobs().filter { $0.delivery?.service == "svc-a" }
            if fast.count == 2 && fast.allSatisfy({ $0.status == .completed }) { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(fast.count == 2 && fast.allSatisfy { $0.status == .completed }, "\(fast.map(\.status))")
        #expect(deliver.process.isRunning, "the hanging request still holds the pass")
        #expect(try receiver.requests().contains { $0.status == .hang })
        // And a kill now, then another pass, re-sends nothing that was answered
        deliver.send(SIGKILL)
        _ = deliver.waitForExit(timeout: 10)
        _ = try scenario.rotor(["deliver", "--at", "2026-12-01T00:10:00Z", "--request-timeout", "5"])
        #expect(try receiver.requests().filter { $0.service == "svc-a" }.count == 2)
    }

    @Test func applysDeliveriesAreBoundedByDeliverTimeout() throws {
        let receiver = try WebhookReceiver(routes: [.init("/slow", service: "slow", behaviour: "hang=1")])
        let scenario = try WebhookScenario(consumers: [("slow", receiver.url("/slow"))])
        try scenario.applyWithoutDelivery()
        try receiver.setSecrets(["slow": [try scenario.signingSecret("slow")]])
        try scenario.repo.commit(["secrets/payments/other.yaml": WebhookScenario.spec(project: "payments", name: "other", consumers: [("slow", receiver.url("/slow"))])])
        // When apply may spend 1 s delivering and a request may take 30 s,
        let wall = ContinuousClock.now
        let apply = try scenario.rotor(["apply", "--at", "2026-12-01T00:01:00Z", "--deliver-timeout", "1", "--request-timeout", "30"])
        // Then apply returns after about a second; the cut-short requests are not counted as attempts.
        #expect(apply.status == 0, "\(apply.stderr)")
        #expect(ContinuousClock.now - wall < .seconds(10))
        #expect(apply.stdout.contains("Committed "))
        #expect(apply.stdout.contains("postponed"))
        let jobs = try scenario.store().jobs()
        #expect(jobs.count == 3)
        #expect(jobs.allSatisfy { $0.status == .pending && $0.attempts == 0 })
    }

    @Test func aReceiverDownForEveryAttemptFailsTheJobAndJobsRetryDeliversOnceItIsBack() throws {
        // Given a webhook URL where nothing listens (a port a receiver just gave up),
        let probe = try WebhookReceiver(routes: [])
        let port = probe.port
        probe.stop()
        let url = "http://127.0.0.1:\(port)/hooks"
        let scenario = try WebhookScenario(consumers: [("billing-api", url)])
        try scenario.applyWithoutDelivery()

        // When every attempt of the round fails,
        let codes = try scenario.deliverUntilSettled()

        // Then each job is failed after 6 attempts, every one recorded, and listed as failed.
        #expect(codes.allSatisfy { $0 == 3 })
        let store = try scenario.store()
        let failed = try store.jobs(status: .failed)
        #expect(failed.count == 2 && failed.allSatisfy { $0.attempts == 6 })
        for job in failed {
            #expect(try store.attempts(ofJob: job.id).allSatisfy { $0.error == "POST \(url) failed: connection refused" })
        }
        let list = try scenario.rotor(["jobs", "list", "--status", "failed"])
        #expect(list.stdout.split(separator: "\n").filter { $0.contains(" failed ") && $0.contains("6/6") }.count == 2)

        // And once the receiver is back, `rotor jobs retry` delivers each of them.
        let receiver = try WebhookReceiver(routes: [.init("/hooks", service: "billing-api")], port: port)
        try receiver.setSecrets(["billing-api": [try scenario.signingSecret("billing-api")]])
        for job in failed {
            let retry = try scenario.rotor(["jobs", "retry", job.id, "--at", "2026-12-02T00:00:00Z"])
            #expect(retry.status == 0, "\(retry.stdout)\(retry.stderr)")
            #expect(retry.stdout.contains("delivered  "))
        }
        #expect(try scenario.store().jobs().allSatisfy { $0.status == .completed && $0.attempts == 7 })
        #expect(try receiver.requests().map(\.status) == [.code(200), .code(200)])
    }
}
