import Foundation
import GRDB
import Testing
@testable import RotorCore
@testable import RotorStore

@Suite("Jobs: partial indexes and the batch statements' JSON")
struct JobIndexTests {
    static let t0 = RFC3339.parse("2027-01-01T00:00:00Z")!

    func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("rotor-jobidx-\(UUID().uuidString.prefix(8))/state.db").path
    }

    /// A store as rotor left it before the partial job indexes and job sequence numbers: jobs in
    /// every state and their attempts, then opened by this rotor.
    @Test func aStoreFromBeforeTheJobSequenceKeepsItsJobsAttemptsAndOrder() throws {
        let path = temporaryPath()
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        do {
            let old = try DatabaseQueue(path: path)
            try StoreMigrations.migrator.migrate(old, upTo: "v4-jobs-due-order")
            try old.write { db in
                let rows: [(String, String, String, String?)] = [
                    ("job_b", "pending", "2026-12-01T00:00:02Z", nil), ("job_a", "pending", "2026-12-01T00:00:01Z", nil),
                    ("job_c", "completed", "2026-12-01T00:00:00Z", nil), ("job_d", "failed", "2026-12-01T00:00:03Z", nil),
                    ("job_e", "running", "2026-12-01T00:00:04Z", "gone-host:1"), ("job_f", "cancelled", "2026-12-01T00:00:05Z", nil),
                ]
                for (id, status, created, owner) in rows {
                    let payload = #"{"event_id":"evt_1","event_type":"secret.created","secret_id":"p/s","service":"api","url":"http://127.0.0.1:9/a"}"#
                    try db.execute(sql: """
                        INSERT INTO jobs (id, type, payload, status, attempts, max_attempts, run_at, created_at, updated_at, locked_by, locked_until)
                        VALUES (?, 'webhook.delivery', ?, ?, ?, 6, ?, ?, ?, ?, ?)
                        """, arguments: [id, payload, status, status == "pending" ? 0 : 1, created, created, created, owner,
                                         owner == nil ? nil : "2026-12-01T00:02:00Z"])
                }
                try db.execute(sql: "INSERT INTO events (id, type, secret_id, occurred_at, payload, consumers) VALUES ('evt_1', 'secret.created', 'p/s', '2026-12-01T00:00:00Z', '{}', '[]')")
                try db.execute(sql: """
                    INSERT INTO delivery_attempts (job_id, attempt, url, started_at, finished_at, status_code, latency_ms, error) VALUES
                        ('job_c', 1, 'http://127.0.0.1:9/a', '2026-12-01T00:00:00Z', '2026-12-01T00:00:01Z', 503, 12, 'HTTP 503'),
                        ('job_c', 2, 'http://127.0.0.1:9/a', '2026-12-01T00:01:00Z', '2026-12-01T00:01:01Z', 204, 8, NULL),
                        ('job_e', 1, 'http://127.0.0.1:9/a', '2026-12-01T00:00:04Z', NULL, NULL, NULL, NULL)
                    """)
            }
        }
        let store = try StateStore(path: path)
        // The job left running is in flight under a claim of its owner, its attempt not yet counted in its row.
        let running = try store.job("job_e")
        #expect(running.status == .running && running.attempts == 1 && running.lockedBy == "gone-host:1"
                && running.lockedUntil == RFC3339.parse("2026-12-01T00:02:00Z"))
        #expect(try DatabaseQueue(path: path).read { try Row.fetchOne($0, sql: "SELECT status, attempts FROM jobs WHERE id = 'job_e'") }
                == ["status": "pending", "attempts": 0])
        let history = try store.attempts(ofJob: "job_c")
        #expect(history.map(\.attempt) == [1, 2] && history.map(\.statusCode) == [503, 204] && history.map(\.latencyMS) == [12, 8])
        #expect(history.allSatisfy { $0.jobID == "job_c" } && history[0].error == "HTTP 503" && history[1].finishedAt == RFC3339.parse("2026-12-01T00:01:01Z"))
        #expect(try store.jobs(status: .pending).map(\.id) == ["job_a", "job_b"])
        #expect(try store.jobs(status: .failed).map(\.id) == ["job_d"])
        #expect(try store.jobs(status: .completed).map(\.id) == ["job_c"])
        #expect(try store.jobs(status: .cancelled).map(\.id) == ["job_f"])
        #expect(try store.jobs().map(\.id) == ["job_c", "job_a", "job_b", "job_d", "job_e", "job_f"])
        #expect(try store.nextDeliveryDue() == RFC3339.parse("2026-12-01T00:00:01Z"))
        #expect(try store.hasDeliveryWork(dueBy: RFC3339.parse("2026-11-01T00:00:00Z")!))  // one running
        // The claim takes the orphaned running job back first, then the due ones oldest first.
        let owner = JobOwner(host: "test-host", pid: 7)
        let claimed = try store.claimDueDeliveries(dueBy: Self.t0, now: Self.t0, owner: owner, lease: 60, limit: 10, ownerIsGone: { _ in true })
        #expect(claimed.map(\.job.id) == ["job_a", "job_b", "job_e"])
        #expect(try store.attempts(ofJob: "job_a").map(\.attempt) == [1])
        // The orphan's open attempt, written by the older rotor, is closed as interrupted.
        let orphan = try store.attempts(ofJob: "job_e")
        #expect(orphan.map(\.attempt) == [1, 2] && orphan[0].error?.hasPrefix("interrupted: the rotor process delivering it (gone-host:1)") == true)
        try store.finishDeliveries(claimed.map { FinishedDelivery(claimed: $0, now: Self.t0, statusCode: 204, latencyMS: 3, error: nil,
                                                                  resolution: .completed) }, owner: owner)
        #expect(try store.jobs(status: .completed).map(\.id) == ["job_c", "job_a", "job_b", "job_e"])
        #expect(try store.jobs(status: .running).isEmpty && store.jobs(status: .pending).isEmpty)
        #expect(try !store.hasDeliveryWork(dueBy: Self.t0) && store.nextDeliveryDue() == nil)
        let attempt = try #require(try store.attempts(ofJob: "job_b").first)
        #expect(attempt.statusCode == 204 && attempt.latencyMS == 3 && attempt.finishedAt == Self.t0)
    }

    /// What the batch statements hand SQLite reads back as the same strings, whatever they hold.
    @Test func jsonTextReadsBackThroughSQLiteUnchanged() throws {
        let strings = ["job_0123abcd", "", "quote \" and backslash \\", "new\nline\ttab\rreturn", "\u{1}\u{8}\u{c}\u{1f}\u{7f}",
                       "é ü 日本 🔑", "[\"not\",\"an\",\"array\"]", "\\u0041"]
        let db = try DatabaseQueue()
        let text = try StoreJSON.text(strings)
        let back = try db.read { try String.fetchAll($0, sql: "SELECT value FROM json_each(?) ORDER BY key", arguments: [text]) }
        #expect(back == strings)
        #expect(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String] == strings)
    }
}
