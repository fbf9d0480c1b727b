import Foundation
import Testing
import RotorCore
import RotorStore
import RotorTesting
@testable import RotorWebhooks

@Suite("Retries: backoff, Retry-After, 410 Gone")
struct RetryTests {
    @Test func serverErrorsThreeTimesThenSuccessMakeFourAttemptsWithOneWebhookID() throws {
        // Given a receiver that answers 500 to the first three requests of each event,
        let receiver = try WebhookReceiver(routes: [.init("/flaky", service: "billing-api", behaviour: "fail=3")])
        let scenario = try WebhookScenario(consumers: [("billing-api", receiver.url("/flaky"))])
        try scenario.applyWithoutDelivery()
        try receiver.setSecrets(["billing-api": [try scenario.signingSecret("billing-api")]])

        // When rotor delivers at each retry's due time,
        let codes = try scenario.deliverUntilSettled()

        // Then every job was delivered on its fourth attempt, each attempt recorded, the webhook-id never changing.
        #expect(codes.last == 0 && codes.contains(3) && codes.count >= 4)
        let store = try scenario.store()
        let jobs = try store.jobs()
        #expect(jobs.count == 2)
        for job in jobs {
            #expect(job.status == .completed && job.attempts == 4)
            let attempts = try store.attempts(ofJob: job.id)
            #expect(attempts.map(\.statusCode) == [500, 500, 500, 200])
            #expect(attempts.allSatisfy { $0.latencyMS != nil && $0.finishedAt != nil })
            #expect(attempts.prefix(3).allSatisfy { $0.error == "POST \(receiver.url("/flaky")) answered 500 Internal Server Error" })
            // The waits follow the schedule: 1, 4, 16 minutes, ±20%.
            let gaps = zip(attempts.dropFirst(), attempts).map { $0.startedAt.timeIntervalSince($1.startedAt) }
            for (gap, nominal) in zip(gaps, [60.0, 240, 960]) { #expect(gap >= nominal * 0.8 - 1 && gap <= nominal * 1.2 + 1) }
            let requests = try receiver.requests().filter { $0.webhookID == job.delivery?.eventID }
            #expect(requests.count == 4)
            #expect(requests.allSatisfy { $0.verifiedWith == [0] })
        }
        let show = try scenario.rotor(["jobs", "show", jobs[0].id])
        #expect(show.status == 0)
        let text = show.stdout.replacingOccurrences(of: " +", with: " ", options: .regularExpression)
        #expect(text.contains("attempts 4 of 6\n") && text.contains("status completed\n"))
        #expect(text.contains("(the webhook-id)\n"))
        #expect(show.stdout.split(separator: "\n").filter { $0.hasPrefix("1 ") || $0.hasPrefix("4 ") }.count == 2)
    }

    @Test func retryTimingIsDrivenByAnInjectedClockNotBySleeping() async throws {
        // Given one job to a receiver failing three times, a clock tests move, and seeded jitter,
        let receiver = try WebhookReceiver(routes: [.init("/flaky", service: "billing-api", behaviour: "fail=3")])
        let scenario = try WebhookScenario(consumers: [("billing-api", receiver.url("/flaky"))])
        try scenario.applyWithoutDelivery()
        try receiver.setSecrets(["billing-api": [try scenario.signingSecret("billing-api")]])
        let signingJob = try #require(try scenario.store().jobs().first { $0.delivery?.secretID == "webhooks/billing-api" })
        #expect(try scenario.rotor(["jobs", "cancel", signingJob.id]).status == 0)
        let clock = TestDeliveryClock(WebhookScenario.start)
        let worker = try scenario.repo.engine().webhookWorker(clock: clock, options: DeliveryOptions(requestTimeout: 10, concurrency: 1),
                                                              jitter: JitterSource(seed: 7))

        // When the worker runs for a (simulated) day,
        let wall = ContinuousClock.now
        let report = try await worker.run(until: WebhookScenario.start.addingTimeInterval(86_400))

        // Then it waited exactly the scheduled, jittered delays — on the clock — and delivered on attempt 4.
        let draws = JitterSource(seed: 7)
        let expected = (1...3).map { RetrySchedule.standard.delay(beforeRetry: $0, unit: draws.next()) }
        #expect(clock.sleeps == expected)
        #expect(report.results.map(\.result) == [.retrying, .retrying, .retrying, .delivered])
        let attempts = try scenario.store().attempts(ofJob: try #require(report.results.first?.jobID))
        let offsets = [0] + expected.indices.map { expected[...$0].reduce(0, +) }
        #expect(attempts.map { $0.startedAt.timeIntervalSince(WebhookScenario.start) } == offsets)
        // Not a speed assertion: real sleeps would take 21 minutes; a loaded machine takes well under 5.
        #expect(ContinuousClock.now - wall < .seconds(300))
    }

    @Test func retryAfterOn503IsHonoured() async throws {
        let receiver = try WebhookReceiver(routes: [.init("/busy", service: "billing-api", behaviour: "status=503,retry-after=120")])
        let scenario = try WebhookScenario(consumers: [("billing-api", receiver.url("/busy"))])
        try scenario.applyWithoutDelivery()
        try receiver.setSecrets(["billing-api": [try scenario.signingSecret("billing-api")]])
        let deliver = try scenario.rotor(["deliver", "--at", WebhookScenario.t0])
        #expect(deliver.status == 3)
        #expect(deliver.stdout.contains("answered 503 Service Unavailable; next attempt at 2026-12-01T00:02:00Z"))
        #expect(try scenario.store().jobs().allSatisfy { $0.status == .pending && $0.runAt == WebhookScenario.start.addingTimeInterval(120) })
    }

    @Test func goneDisablesTheEndpointSaysSoAndRetryEnablesItAgain() throws {
        let receiver = try WebhookReceiver(routes: [.init("/gone", service: "billing-api", behaviour: "status=410")])
        let scenario = try WebhookScenario(consumers: [("billing-api", receiver.url("/gone"))])
        try scenario.applyWithoutDelivery()
        try receiver.setSecrets(["billing-api": [try scenario.signingSecret("billing-api")]])
        // The first 410 disables the endpoint; the other job to it fails without an attempt.
        let deliver = try scenario.rotor(["deliver", "--at", WebhookScenario.t0, "--concurrency", "1"])
        #expect(deliver.status == 3, "\(deliver.stderr)")
        #expect(deliver.stdout.contains("DISABLED"))
        #expect(deliver.stdout.contains("endpoint \(receiver.url("/gone")) is disabled"))
        let jobs = try scenario.store().jobs()
        #expect(jobs.allSatisfy { $0.status == .failed })
        #expect(jobs.map(\.attempts).sorted() == [0, 1])
        #expect(jobs.contains { $0.lastError?.contains("endpoint \(receiver.url("/gone")) is disabled since 2026-12-01T00:00:00Z (410 Gone)") == true })
        let list = try scenario.rotor(["jobs", "list", "--status", "failed"])
        #expect(list.stdout.contains("Endpoint \(receiver.url("/gone")) (billing-api) is disabled since 2026-12-01T00:00:00Z: 410 Gone."))
        // Retrying enables it again (and, still gone, it is disabled again).
        let retry = try scenario.rotor(["jobs", "retry", jobs[0].id, "--at", "2026-12-01T01:00:00Z"])
        #expect(retry.stdout.contains("Re-enabled endpoint \(receiver.url("/gone"))."))
        #expect(retry.status == 3)
        #expect(try scenario.store().auditLog().map(\.action).filter { $0.hasPrefix("webhook.") }
                == ["webhook.endpoint_disabled", "webhook.endpoint_enabled", "webhook.endpoint_disabled"])
    }
    @Test func aJobFailedBecauseItsEndpointIsDisabledIsReportedAndExits3() throws {
        // Given an endpoint a 410 disabled
        let receiver = try WebhookReceiver(routes: [.init("/gone", service: "billing-api", behaviour: "status=410")])
        let scenario = try WebhookScenario(consumers: [("billing-api", receiver.url("/gone"))])
        try scenario.applyWithoutDelivery()
        try receiver.setSecrets(["billing-api": [try scenario.signingSecret("billing-api")]])
        _ = try scenario.rotor(["deliver", "--at", WebhookScenario.t0])
        let requestsBefore = try receiver.requests().count
        // When a rotation queues a new job for that URL and `rotor deliver` runs
        let rotate = try scenario.rotor(["rotate", "payments/db-password", "--reason", "test", "--at", "2026-12-02T00:00:00Z",
                                         "--deliver-timeout", "0"])
        #expect(rotate.status == 0, "\(rotate.stderr)")
        let text = try scenario.rotor(["deliver", "--at", "2026-12-02T00:00:00Z"])
        // Then the job is failed without a request, and said so: not "1 delivered", exit 3
        #expect(text.status == 3, "\(text.stdout)")
        #expect(text.stdout.contains("NOT SENT"), "\(text.stdout)")
        #expect(text.stdout.contains("failed without a request"))
        #expect(text.stdout.contains("endpoint \(receiver.url("/gone")) is disabled since 2026-12-01T00:00:00Z"))
        #expect(try receiver.requests().count == requestsBefore)
        // And in JSON too (a second rotation, a second such job)
        _ = try scenario.rotor(["rotate", "payments/db-password", "--reason", "test", "--at", "2026-12-03T00:00:00Z", "--deliver-timeout", "0"])
        let json = try scenario.rotor(["deliver", "--at", "2026-12-03T00:00:00Z", "--format", "json"])
        #expect(json.status == 3)
        let report = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let results = report?["results"] as? [[String: Any]] ?? []
        #expect(results.contains { $0["result"] as? String == "not-sent" && $0["url"] as? String == receiver.url("/gone") }, "\(json.stdout)")
    }
}
