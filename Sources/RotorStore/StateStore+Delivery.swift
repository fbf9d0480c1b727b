import Foundation
import GRDB
import RotorCore

extension StateStore {
    /// Claims up to `limit` due delivery jobs for `owner`, in one transaction.
    ///
    /// First, jobs left `running` by a process that is gone (its lease ended, or
    /// `ownerIsGone` says so) are taken back: their open attempt is closed as interrupted
    /// and they become pending again (or failed, when that was their last attempt). Then
    /// pending jobs due by `dueBy` are claimed oldest first: each gets its next attempt
    /// number, `running` status and a lease until `now + lease`. Jobs whose endpoint is
    /// disabled fail at once, saying so.
    ///
    /// The attempt's `delivery_attempts` row is written once, when its outcome is recorded
    /// (one row write per attempt instead of two); until then ``attempts(ofJob:)`` shows it
    /// in flight from the job itself, and a recovery writes it as interrupted.
    ///
    /// - Parameters:
    ///   - dueBy: Only jobs with `run_at` at or before this (the start of the pass, so a
    ///     pass tries each job at most once).
    ///   - now: The scheduling clock's now.
    ///   - owner: This process.
    ///   - lease: How long a claim holds before another process may take the job.
    ///   - limit: At most this many jobs.
    ///   - only: When set, only these job ids.
    ///   - ownerIsGone: Whether the process named by a `running` job's owner no longer exists.
    ///   - recording: Finished attempts to record first, in the same transaction (one commit
    ///     for the worker's "record what finished, take the next batch").
    ///   - actor: Who actions the recorded outcomes cause (disabling an endpoint) are audited as.
    public func claimDueDeliveries(dueBy: Date, now: Date, owner: JobOwner, lease: TimeInterval, limit: Int,
                                   only: Set<String>? = nil, recording finished: [FinishedDelivery] = [], actor: String = "rotor",
                                   ownerIsGone: (JobOwner) -> Bool) throws -> [ClaimedDelivery] {
        try writer.write { db in
            try Self.finishAll(db, finished, owner: owner, actor: actor)
            try Self.recoverOrphans(db, now: now, only: only, claimant: owner, ownerIsGone: ownerIsGone)
            return try Self.claim(db, dueBy: dueBy, now: now, owner: owner, lease: lease, limit: limit, only: only)
        }
    }

    /// The columns a claim reads, one statement per batch. The payload is read in Swift
    /// (``DeliveryPayload/read(_:)``): SQLite parsed it once per field it was asked for.
    private static let claimColumns = """
        SELECT j.id, j.type, j.payload, j.attempts, j.max_attempts, j.run_at, j.last_error, j.created_at, j.seq
        FROM jobs j INDEXED BY jobs_pending
        WHERE j.status = 'pending' AND j.type = ? AND j.run_at <= ?
        """

    private static func claim(_ db: Database, dueBy: Date, now: Date, owner: JobOwner, lease: TimeInterval, limit: Int,
                              only: Set<String>?) throws -> [ClaimedDelivery] {
        // The dates as stored (text), and as read back from that text.
        let at = RFC3339.format(now), until = RFC3339.format(now.addingTimeInterval(lease))
        let (atDate, untilDate) = (RFC3339.parse(at) ?? now, RFC3339.parse(until))
        // Disabled endpoints: few (usually none), read once per claim.
        var disabled: [String: (since: String, reason: String)] = [:]
        let endpoints = try Row.fetchCursor(db.cachedStatement(sql: "SELECT url, disabled_at, disabled_reason FROM webhook_endpoints WHERE disabled_at IS NOT NULL"))
        while let row = try endpoints.next() {
            disabled[row[0]] = (row[1], (row[2] as String?) ?? "")
        }
        var claimed: [ClaimedDelivery] = []
        var skipped: [String] = []
        while claimed.count < limit {
            var sql = claimColumns
            var arguments: StatementArguments = [JobType.webhookDelivery.rawValue, RFC3339.format(dueBy)]
            if let only {
                sql += " AND j.id IN (SELECT value FROM json_each(?))"
                arguments += [JSONText.array(only)]
            }
            if !skipped.isEmpty {
                sql += " AND j.id NOT IN (SELECT value FROM json_each(?))"
                arguments += [JSONText.array(skipped)]
            }
            sql += " ORDER BY j.run_at, j.created_at, j.rowid LIMIT ?"
            arguments += [limit - claimed.count]
            // Read from the statement as it steps (a cursor), column by column: no copy of each row first.
            var candidates: [(job: JobRecord, seq: Int64, delivery: DeliveryPayload)] = []
            var unsendable: [(id: String, error: String)] = []
            let rows = try Row.fetchCursor(db.cachedStatement(sql: sql), arguments: arguments)
            var read = 0
            while let row = try rows.next() {
                read += 1
                let id: String = row[0], payload: String = row[2]
                guard let delivery = DeliveryPayload.read(payload) else {
                    unsendable.append((id, "unreadable delivery payload"))
                    continue
                }
                if let endpoint = disabled[delivery.url] {
                    unsendable.append((id, "endpoint \(delivery.url) is disabled since \(endpoint.since) (\(endpoint.reason)); `rotor jobs retry \(id)` enables it again"))
                    continue
                }
                let attempts: Int = row[3]
                let job = JobRecord(id: id, type: row[1], payload: payload, status: .running, attempts: attempts + 1, maxAttempts: row[4],
                                    runAt: RFC3339.parse(row[5] as String) ?? Date(timeIntervalSince1970: 0), lastError: row[6],
                                    createdAt: RFC3339.parse(row[7] as String) ?? Date(timeIntervalSince1970: 0), updatedAt: atDate,
                                    lockedBy: owner.description, lockedUntil: untilDate)
                candidates.append((job, row[8], delivery))
            }
            // The events' bodies, once per event (its consumers' jobs are claimed together).
            var bodies: [String: String] = [:]
            if !candidates.isEmpty {
                let ids = JSONText.array(Set(candidates.map(\.delivery.eventID)))
                let events = try Row.fetchCursor(db.cachedStatement(sql: "SELECT id, payload FROM events WHERE id IN (SELECT value FROM json_each(?))"),
                                                 arguments: [ids])
                while let row = try events.next() { bodies[row[0]] = row[1] }
            }
            let sendable = candidates.filter { candidate in
                guard bodies[candidate.delivery.eventID] != nil else {
                    unsendable.append((candidate.job.id, "event \(candidate.delivery.eventID) is missing from the store"))
                    return false
                }
                return true
            }
            if read == 0 { break }
            for (id, error) in unsendable { try failUnclaimed(db, id, at: at, error: error) }
            guard !sendable.isEmpty else { continue }
            let seqs = JSONText.array(sendable.map(\.seq))
            let taken = Set(try Int64.fetchAll(db.cachedStatement(sql: """
                UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_by = ?, locked_until = ?, updated_at = ?
                WHERE seq IN (SELECT value FROM json_each(?)) AND +status = 'pending'
                RETURNING seq
                """), arguments: [owner.description, until, at, seqs]))
            for candidate in sendable {
                // Taken meanwhile by someone else (not possible inside one write transaction, but checked).
                guard taken.contains(candidate.seq) else { skipped.append(candidate.job.id); continue }
                claimed.append(ClaimedDelivery(job: candidate.job, jobSeq: candidate.seq, attempt: candidate.job.attempts,
                                               delivery: candidate.delivery, body: bodies[candidate.delivery.eventID] ?? ""))
            }
        }
        return claimed
    }

    /// Records how claimed attempts went and moves their jobs on, in one transaction (one fsync
    /// for a batch of requests): all of them or, when the store refuses one, none.
    ///
    /// When a claim was lost meanwhile (another process took the job after the lease ended),
    /// its attempt is still recorded but the job is left to its new owner.
    public func finishDeliveries(_ finished: [FinishedDelivery], owner: JobOwner, actor: String = "rotor") throws {
        guard !finished.isEmpty else { return }
        try writer.write { db in
            try Self.finishAll(db, finished, owner: owner, actor: actor)
        }
    }

    /// Records finished attempts: the delivered ones (nearly all) with two statements for the
    /// whole batch, the others one by one.
    private static func finishAll(_ db: Database, _ items: [FinishedDelivery], owner: JobOwner, actor: String) throws {
        // The delivered ones as a JSON array of
        // [job sequence number, attempt, finished at, status code, latency, url, started at].
        var rows = "[", empty = true
        var claimedAt: (date: Date, text: String)?
        for item in items {
            guard item.resolution == .completed, item.error == nil else {
                try finish(db, item, owner: owner, actor: actor)
                continue
            }
            rows += empty ? "[" : ",["
            empty = false
            rows += "\(item.claimed.jobSeq),\(item.claimed.attempt),"
            JSONText.append(RFC3339.format(item.now), to: &rows)
            rows += ","
            JSONText.append(item.statusCode, to: &rows)
            rows += ","
            JSONText.append(item.latencyMS, to: &rows)
            rows += ","
            JSONText.append(item.claimed.delivery.url, to: &rows)
            rows += ","
            // (A batch's jobs were mostly claimed together: the claim's time is formatted once.)
            let startedAt = item.claimed.job.updatedAt, text: String
            if let known = claimedAt, known.date == startedAt {
                text = known.text
            } else {
                text = RFC3339.format(startedAt)
                claimedAt = (startedAt, text)
            }
            JSONText.append(text, to: &rows)
            rows += "]"
        }
        guard !empty else { return }
        rows += "]"
        let field = { (index: Int) in "json_extract(f.value, '$[\(index)]')" }
        // (A row can exist already: one an older rotor opened when it claimed the job, or one a
        // recovery wrote as interrupted after this claim's lease ended.)
        try db.cachedStatement(sql: """
            INSERT INTO delivery_attempts (job_seq, attempt, url, started_at, finished_at, status_code, latency_ms)
            SELECT \(field(0)), \(field(1)), \(field(5)), \(field(6)), \(field(2)), \(field(3)), \(field(4)) FROM json_each(?) AS f WHERE true
            ON CONFLICT (job_seq, attempt) DO UPDATE SET
                finished_at = excluded.finished_at, status_code = excluded.status_code, latency_ms = excluded.latency_ms, error = NULL
            """).execute(arguments: [rows])
        try db.cachedStatement(sql: """
            UPDATE jobs SET status = 'completed', last_error = NULL, locked_by = NULL, locked_until = NULL, updated_at = \(field(2))
            FROM json_each(?) AS f
            WHERE jobs.seq = \(field(0)) AND +jobs.status = 'running' AND jobs.locked_by = ? AND jobs.attempts = \(field(1))
            """).execute(arguments: [rows, owner.description])
    }

    private static func finish(_ db: Database, _ item: FinishedDelivery, owner: JobOwner, actor: String) throws {
        let (claimed, now, statusCode, error) = (item.claimed, item.now, item.statusCode, item.error)
        let at = RFC3339.format(now)
        try db.executeCached(sql: """
            INSERT INTO delivery_attempts (job_seq, attempt, url, started_at, finished_at, status_code, latency_ms, error)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (job_seq, attempt) DO UPDATE SET
                finished_at = excluded.finished_at, status_code = excluded.status_code, latency_ms = excluded.latency_ms, error = excluded.error
            """, arguments: [claimed.jobSeq, claimed.attempt, claimed.delivery.url, RFC3339.format(claimed.job.updatedAt), at, statusCode,
                             item.latencyMS, error])
        let mine = "seq = ? AND status = 'running' AND locked_by = ? AND attempts = ?"
        let key: StatementArguments = [claimed.jobSeq, owner.description, claimed.attempt]
        let release = "locked_by = NULL, locked_until = NULL, updated_at = ?"
        switch item.resolution {
        case .completed:
            try db.executeCached(sql: "UPDATE jobs SET status = 'completed', last_error = NULL, \(release) WHERE \(mine)", arguments: [at] + key)
        case .retry(let runAt):
            try db.executeCached(sql: "UPDATE jobs SET status = 'pending', run_at = ?, last_error = ?, \(release) WHERE \(mine)",
                                 arguments: [RFC3339.format(runAt), error, at] + key)
        case .failed:
            try db.executeCached(sql: "UPDATE jobs SET status = 'failed', last_error = ?, \(release) WHERE \(mine)", arguments: [error, at] + key)
        case .disableEndpoint:
            let reason = "\(statusCode.map { "HTTP \($0)" } ?? "gone") from \(claimed.delivery.url) at \(at)"
            try db.executeCached(sql: "UPDATE jobs SET status = 'failed', last_error = ?, \(release) WHERE \(mine)",
                                 arguments: ["\(error ?? reason); endpoint disabled", at] + key)
            try db.executeCached(sql: """
                INSERT INTO webhook_endpoints (url, service, disabled_at, disabled_reason) VALUES (?, ?, ?, ?)
                ON CONFLICT (url) DO UPDATE SET disabled_at = excluded.disabled_at, disabled_reason = excluded.disabled_reason
                """, arguments: [claimed.delivery.url, claimed.delivery.service, at, statusCode == 410 ? "410 Gone" : reason])
            try Self.appendAudit(db, at: now, action: "webhook.endpoint_disabled", actor: actor, target: claimed.delivery.url,
                                 metadata: ["service": claimed.delivery.service, "job": claimed.job.id, "reason": reason])
        }
    }

    /// Gives claimed jobs back without counting their attempts (the pass ran out of time before
    /// they were sent, or their endpoint was disabled meanwhile), in one transaction.
    ///
    /// A job this process no longer holds (another took it after the lease ended) is left alone.
    public func releaseDeliveries(_ claimed: [ClaimedDelivery], owner: JobOwner, now: Date) throws {
        guard !claimed.isEmpty else { return }
        let at = RFC3339.format(now)
        try writer.write { db in
            for item in claimed {
                try db.executeCached(sql: "DELETE FROM delivery_attempts WHERE job_seq = ? AND attempt = ? AND finished_at IS NULL",
                                     arguments: [item.jobSeq, item.attempt])
                try db.executeCached(sql: """
                    UPDATE jobs SET status = 'pending', attempts = attempts - 1, locked_by = NULL, locked_until = NULL, updated_at = ?
                    WHERE seq = ? AND status = 'running' AND locked_by = ? AND attempts = ?
                    """, arguments: [at, item.jobSeq, owner.description, item.attempt])
            }
        }
    }

    /// Takes back jobs whose owner is gone; their open attempt is recorded as interrupted.
    static func recoverOrphans(_ db: Database, now: Date, only: Set<String>?, claimant: JobOwner, ownerIsGone: (JobOwner) -> Bool) throws {
        let at = RFC3339.format(now)
        // The claimant's own jobs within their lease are its requests in flight: not read at all.
        // (Timestamps are stored in one fixed-width format, so comparing them as text is exact.)
        for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM jobs INDEXED BY jobs_running WHERE status = 'running' AND (locked_by IS NOT ? OR locked_until <= ?)"),
                                    arguments: [claimant.description, at]) {
            let job = JobRecord(row: row)
            if let only, !only.contains(job.id) { continue }
            let leaseOver = job.lockedUntil.map { $0 <= now } ?? true
            let owner = job.lockedBy.flatMap(JobOwner.init(parsing:))
            guard leaseOver || owner.map(ownerIsGone) == true else { continue }
            let note = "interrupted: the rotor process delivering it (\(job.lockedBy ?? "unknown")) stopped before recording an outcome"
            // The attempt in flight, written as interrupted: started when it was claimed (the job's
            // last update). An older rotor opened the row when it claimed the job: that row is closed.
            try db.execute(sql: """
                INSERT INTO delivery_attempts (job_seq, attempt, url, started_at, finished_at, error)
                SELECT seq, attempts, COALESCE(CASE WHEN json_valid(payload) THEN json_extract(payload, '$.url') END, ''), updated_at, ?, ?
                FROM jobs WHERE seq = ? AND attempts >= 1
                ON CONFLICT (job_seq, attempt) DO UPDATE SET finished_at = excluded.finished_at, error = excluded.error
                WHERE delivery_attempts.finished_at IS NULL
                """, arguments: [at, note, row["seq"] as Int64])
            let exhausted = job.attempts >= job.maxAttempts
            try db.execute(sql: """
                UPDATE jobs SET status = ?, last_error = ?, locked_by = NULL, locked_until = NULL, updated_at = ? WHERE id = ?
                """, arguments: [exhausted ? "failed" : "pending", note, at, job.id])
        }
    }

    static func failUnclaimed(_ db: Database, _ id: String, at: String, error: String) throws {
        try db.execute(sql: "UPDATE jobs SET status = 'failed', last_error = ?, updated_at = ? WHERE id = ? AND status = 'pending'",
                       arguments: [error, at, id])
    }
}

extension StateStore {
    /// Whether a delivery pass at `now` would have anything to do: a webhook job due by then,
    /// or one still `running` (its owner may be gone, and a claim takes it back).
    public func hasDeliveryWork(dueBy now: Date) throws -> Bool {
        try writer.read { db in
            guard try db.tableExists("jobs") else { return false }
            return try Bool.fetchOne(db, sql: """
                SELECT EXISTS (SELECT 1 FROM jobs WHERE status = 'pending' AND type = ? AND run_at <= ?)
                    OR EXISTS (SELECT 1 FROM jobs WHERE status = 'running' AND type = ?)
                """, arguments: [JobType.webhookDelivery.rawValue, RFC3339.format(now), JobType.webhookDelivery.rawValue]) ?? false
        }
    }

    /// The consumer services with a webhook delivery pending and due by `dueBy`: whose signing
    /// keys a pass will need.
    public func dueDeliveryServices(dueBy: Date) throws -> Set<String> {
        try writer.read { db in
            guard try db.tableExists("jobs") else { return [] }
            return Set(try String.fetchAll(db, sql: """
                SELECT DISTINCT CASE WHEN json_valid(payload) THEN json_extract(payload, '$.service') END AS service FROM jobs
                WHERE status = 'pending' AND type = ? AND run_at <= ? AND service IS NOT NULL
                """, arguments: [JobType.webhookDelivery.rawValue, RFC3339.format(dueBy)]))
        }
    }

    /// When the next delivery job is due: the earliest pending `run_at`, or running lease end.
    public func nextDeliveryDue() throws -> Date? {
        try writer.read { db in
            guard try db.tableExists("jobs") else { return nil }
            let text = try String.fetchOne(db, sql: """
                SELECT MIN(due) FROM (
                    SELECT MIN(run_at) AS due FROM jobs WHERE status = 'pending' AND type = ?
                    UNION ALL SELECT MIN(locked_until) FROM jobs WHERE status = 'running' AND type = ?)
                """, arguments: [JobType.webhookDelivery.rawValue, JobType.webhookDelivery.rawValue])
            return text.flatMap(RFC3339.parse)
        }
    }
}
