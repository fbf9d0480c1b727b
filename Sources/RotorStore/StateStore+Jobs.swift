import Foundation
import GRDB
import RotorCore

extension StateStore {
    /// Jobs, oldest first, optionally only those with `status`.
    ///
    /// A job a claim has in flight reads as `running` (on the claim's attempt, held by its
    /// owner until its lease ends), though its row stays pending until the outcome is recorded.
    public func jobs(status: JobStatus? = nil) throws -> [JobRecord] {
        try writer.read { db in
            guard try db.tableExists("jobs") else { return [] }
            let flights = try Self.attemptsInFlight(db)
            let rows: [Row]
            switch status {
            case .running?:
                rows = try Row.fetchAll(db, sql: "SELECT * FROM jobs WHERE status = 'running' OR seq IN (SELECT value FROM json_each(?)) ORDER BY created_at, rowid",
                                        arguments: [try StoreJSON.text(Array(flights.keys))])
            case let status?:
                // The status as a literal (one of a fixed set), so that SQLite can use its partial index.
                rows = try Row.fetchAll(db, sql: "SELECT * FROM jobs WHERE status = '\(status.rawValue)' ORDER BY created_at, rowid")
            case nil:
                rows = try Row.fetchAll(db, sql: "SELECT * FROM jobs ORDER BY created_at, rowid")
            }
            let jobs = rows.map { row in JobRecord(row: row).inFlight((row["seq"] as Int64?).flatMap { flights[$0] }) }
            return status.map { status in jobs.filter { $0.status == status } } ?? jobs
        }
    }

    /// The job whose id is `idOrPrefix`, or the one job whose id starts with it (at least 8 characters).
    ///
    /// - Throws: ``StoreError`` when no job or several jobs match.
    public func job(_ idOrPrefix: String) throws -> JobRecord {
        try writer.read { db in try Self.resolveJob(db, idOrPrefix) }
    }

    /// Every attempt of a job, first first; while a claim has the job in flight, that attempt
    /// last (no outcome yet: its row is written with the outcome).
    public func attempts(ofJob id: String) throws -> [DeliveryAttemptRecord] {
        try writer.read { db in
            var attempts = try Row.fetchAll(db, sql: """
                SELECT j.id AS job_id, a.attempt, a.url, a.started_at, a.finished_at, a.status_code, a.latency_ms, a.error
                FROM jobs j JOIN delivery_attempts a ON a.job_seq = j.seq WHERE j.id = ? ORDER BY a.attempt
                """, arguments: [id]).map(DeliveryAttemptRecord.init(row:))
            if let job = try Row.fetchOne(db, sql: "SELECT seq, CASE WHEN json_valid(payload) THEN json_extract(payload, '$.url') END FROM jobs WHERE id = ?",
                                          arguments: [id]),
               let flight = try Self.attemptsInFlight(db, seq: job[0])[job[0]], !attempts.contains(where: { $0.attempt == flight.attempt }) {
                attempts.append(DeliveryAttemptRecord(jobID: id, attempt: flight.attempt, url: (job[1] as String?) ?? "", startedAt: flight.claimedAt))
            }
            return attempts
        }
    }

    /// The endpoints rotor knows about (today: the ones a 410 Gone disabled, and re-enabled ones).
    public func webhookEndpoints() throws -> [WebhookEndpointRecord] {
        try writer.read { db in
            guard try db.tableExists("webhook_endpoints") else { return [] }
            return try Row.fetchAll(db, sql: "SELECT * FROM webhook_endpoints ORDER BY url").map(WebhookEndpointRecord.init(row:))
        }
    }

    /// Makes a failed, cancelled or pending job due now with a fresh round of attempts.
    ///
    /// A disabled endpoint (410 Gone) of the job is enabled again: the person asked for it.
    /// Audited as `job.retried` (and `webhook.endpoint_enabled`).
    ///
    /// - Returns: The job after the change, and the URL of an endpoint that was re-enabled.
    /// - Throws: ``StoreError`` for a running or completed job, or an unknown id.
    public func retryJob(_ idOrPrefix: String, now: Date, actor: String) throws -> (job: JobRecord, reenabled: String?) {
        try writer.write { db in
            let job = try Self.resolveJob(db, idOrPrefix)
            switch job.status {
            case .running:
                throw StoreError("job \(job.id) is running (attempt \(job.attempts), held by \(job.lockedBy ?? "?") until \(job.lockedUntil.map(RFC3339.format) ?? "?")); retry it once that attempt ends")
            case .completed:
                throw StoreError("job \(job.id) was delivered already (\(RFC3339.format(job.updatedAt))); nothing to retry")
            case .pending, .failed, .cancelled:
                break
            }
            let at = RFC3339.format(now)
            try db.execute(sql: """
                UPDATE jobs SET status = 'pending', run_at = ?, max_attempts = attempts + ?, updated_at = ? WHERE id = ?
                """, arguments: [at, Self.deliveryAttemptsPerRound, at, job.id])
            var reenabled: String?
            if let url = job.delivery?.url,
               let reason = try String.fetchOne(db, sql: "SELECT disabled_reason FROM webhook_endpoints WHERE url = ? AND disabled_at IS NOT NULL", arguments: [url]) {
                try db.execute(sql: "UPDATE webhook_endpoints SET disabled_at = NULL, disabled_reason = NULL WHERE url = ?", arguments: [url])
                try Self.appendAudit(db, at: now, action: "webhook.endpoint_enabled", actor: actor, target: url,
                                     metadata: ["job": job.id, "was": reason])
                reenabled = url
            }
            try Self.appendAudit(db, at: now, action: "job.retried", actor: actor, target: job.id,
                                 metadata: ["status": job.status.rawValue, "attempts": String(job.attempts)])
            return (try Self.resolveJob(db, job.id), reenabled)
        }
    }

    /// Cancels a pending job. Audited as `job.cancelled`.
    ///
    /// - Throws: ``StoreError`` when the job is not pending (running, done, failed, cancelled).
    public func cancelJob(_ idOrPrefix: String, now: Date, actor: String) throws -> JobRecord {
        try writer.write { db in
            let job = try Self.resolveJob(db, idOrPrefix)
            guard job.status == .pending else {
                throw StoreError("job \(job.id) is \(job.status.rawValue); only pending jobs can be cancelled")
            }
            let at = RFC3339.format(now)
            try db.execute(sql: "UPDATE jobs SET status = 'cancelled', updated_at = ? WHERE id = ? AND status = 'pending'",
                           arguments: [at, job.id])
            try Self.appendAudit(db, at: now, action: "job.cancelled", actor: actor, target: job.id,
                                 metadata: ["attempts": String(job.attempts)])
            return try Self.resolveJob(db, job.id)
        }
    }

    /// A job's row as a record: running while a claim has it in flight.
    private static func record(_ db: Database, _ row: Row) throws -> JobRecord {
        let job = JobRecord(row: row)
        guard let seq = row["seq"] as Int64? else { return job }
        return job.inFlight(try attemptsInFlight(db, seq: seq)[seq])
    }

    static func resolveJob(_ db: Database, _ text: String) throws -> JobRecord {
        guard try db.tableExists("jobs") else { throw StoreError("no job \(text): the store has no jobs yet") }
        if let row = try Row.fetchOne(db, sql: "SELECT * FROM jobs WHERE id = ?", arguments: [text]) {
            return try record(db, row)
        }
        guard text.count >= 8, text.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
            throw StoreError("no job \(text) (see `rotor jobs list`)")
        }
        let rows = try Row.fetchAll(db, sql: "SELECT * FROM jobs WHERE id LIKE ? ESCAPE '\\' LIMIT 2",
                                    arguments: [text.replacingOccurrences(of: "_", with: "\\_") + "%"])
        switch rows.count {
        case 1: return try record(db, rows[0])
        case 0: throw StoreError("no job \(text) (see `rotor jobs list`)")
        default: throw StoreError("\(text) matches several jobs; give more of the id")
        }
    }
}
