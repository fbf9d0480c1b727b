import Foundation
import GRDB
import RotorCore

extension StateStore {
    /// Jobs, oldest first, optionally only those with `status`.
    public func jobs(status: JobStatus? = nil) throws -> [JobRecord] {
        try writer.read { db in
            guard try db.tableExists("jobs") else { return [] }
            if let status {
                // The status as a literal (one of a fixed set), so that SQLite can use its partial index.
                return try Row.fetchAll(db, sql: "SELECT * FROM jobs WHERE status = '\(status.rawValue)' ORDER BY created_at, rowid")
                    .map(JobRecord.init(row:))
            }
            return try Row.fetchAll(db, sql: "SELECT * FROM jobs ORDER BY created_at, rowid").map(JobRecord.init(row:))
        }
    }

    /// The job whose id is `idOrPrefix`, or the one job whose id starts with it (at least 8 characters).
    ///
    /// - Throws: ``StoreError`` when no job or several jobs match.
    public func job(_ idOrPrefix: String) throws -> JobRecord {
        try writer.read { db in try Self.resolveJob(db, idOrPrefix) }
    }

    /// Every attempt of a job, first first; while the job is running, its attempt in flight
    /// last (no outcome yet: its row is written with the outcome).
    public func attempts(ofJob id: String) throws -> [DeliveryAttemptRecord] {
        try writer.read { db in
            try Row.fetchAll(db, sql: """
                SELECT j.id AS job_id, a.attempt, a.url, a.started_at, a.finished_at, a.status_code, a.latency_ms, a.error
                FROM jobs j JOIN delivery_attempts a ON a.job_seq = j.seq WHERE j.id = ?
                UNION ALL
                SELECT j.id, j.attempts, COALESCE(CASE WHEN json_valid(j.payload) THEN json_extract(j.payload, '$.url') END, ''), j.updated_at,
                       NULL, NULL, NULL, NULL
                FROM jobs j WHERE j.id = ? AND j.status = 'running'
                    AND NOT EXISTS (SELECT 1 FROM delivery_attempts WHERE job_seq = j.seq AND attempt = j.attempts)
                ORDER BY 2
                """, arguments: [id, id]).map(DeliveryAttemptRecord.init(row:))
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

    static func resolveJob(_ db: Database, _ text: String) throws -> JobRecord {
        guard try db.tableExists("jobs") else { throw StoreError("no job \(text): the store has no jobs yet") }
        if let row = try Row.fetchOne(db, sql: "SELECT * FROM jobs WHERE id = ?", arguments: [text]) {
            return JobRecord(row: row)
        }
        guard text.count >= 8, text.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
            throw StoreError("no job \(text) (see `rotor jobs list`)")
        }
        let rows = try Row.fetchAll(db, sql: "SELECT * FROM jobs WHERE id LIKE ? ESCAPE '\\' LIMIT 2",
                                    arguments: [text.replacingOccurrences(of: "_", with: "\\_") + "%"])
        switch rows.count {
        case 1: return JobRecord(row: rows[0])
        case 0: throw StoreError("no job \(text) (see `rotor jobs list`)")
        default: throw StoreError("\(text) matches several jobs; give more of the id")
        }
    }
}
