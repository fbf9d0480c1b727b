import Foundation
import Testing
import RotorCore
import RotorStore
import RotorTesting

@Suite("rotor jobs")
struct JobsCommandTests {
    @Test func listShowCancelAndTheirErrors() throws {
        let scenario = try WebhookScenario(consumers: [("billing-api", "http://127.0.0.1:9/hooks")])
        try scenario.applyWithoutDelivery()
        let list = try scenario.rotor(["jobs", "list", "--at", WebhookScenario.t0])
        #expect(list.status == 0)
        #expect(list.stdout.hasPrefix("JOB "))
        #expect(list.stdout.split(separator: "\n").filter { $0.contains(" pending ") && $0.contains("0/6") }.count == 2)
        let jobs = try scenario.store().jobs()
        let id = try #require(jobs.first?.id)

        // show: the job, then "No attempts yet."; a prefix of the id works.
        let show = try scenario.rotor(["jobs", "show", String(id.prefix(12))])
        #expect(show.status == 0)
        #expect(show.stdout.hasPrefix("job \(id)\n"))
        #expect(show.stdout.contains("No attempts yet."))

        // cancel: pending only.
        let cancel = try scenario.rotor(["jobs", "cancel", id])
        #expect(cancel.status == 0 && cancel.stdout == "Cancelled job \(id) (0 attempts made).\n")
        let again = try scenario.rotor(["jobs", "cancel", id])
        #expect(again.status == 1)
        #expect(again.stderr == "error: job \(id) is cancelled; only pending jobs can be cancelled\n")
        #expect(try scenario.rotor(["jobs", "list", "--status", "cancelled"]).stdout.contains(id))
        #expect(try scenario.rotor(["jobs", "list", "--status", "completed"]).stdout == "No completed jobs.\n")

        // A cancelled job is not delivered; the other one is attempted (nothing listens on port 9).
        let deliver = try scenario.rotor(["deliver", "--at", WebhookScenario.t0])
        #expect(deliver.status == 3)
        #expect(deliver.stdout.hasPrefix("Webhooks: 0 delivered, 1 to retry.\n"))
        #expect(!deliver.stdout.contains(id))

        // Unknown ids and bad statuses are errors that say so.
        let unknown = try scenario.rotor(["jobs", "show", "job_nope"])
        #expect(unknown.status == 1 && unknown.stderr == "error: no job job_nope (see `rotor jobs list`)\n")
        #expect(try scenario.rotor(["jobs", "list", "--status", "sleeping"]).status == 64)
        let completedRetry = try scenario.rotor(["jobs", "retry", "job_nope"])
        #expect(completedRetry.status == 1)
    }
}
