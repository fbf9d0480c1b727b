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
    /// number, an open `delivery_attempts` row, `running` status and a lease until
    /// `now + lease`. Jobs whose endpoint is disabled fail at once, saying so.
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
    public func claimDueDeliveries(dueBy: Date, now: Date, owner: JobOwner, lease: TimeInterval, limit: Int,
                                   only: Set<String>? = nil, ownerIsGone: (JobOwner) -> Bool) throws -> [ClaimedDelivery] {
        try writer.write { db in
            let at = RFC3339.format(now)
            try Self.recoverOrphans(db, now: now, only: only, claimant: owner, ownerIsGone: ownerIsGone)
            var claimed: [ClaimedDelivery] = []
            var skipped = Set<String>()
            let decoder = JSONDecoder()
            // Within this transaction an endpoint's state cannot change: look each one up once.
            var disabledEndpoints: [String: Row?] = [:]
            while claimed.count < limit {
                var sql = "SELECT * FROM jobs WHERE status = 'pending' AND type = ? AND run_at <= ?"
                var arguments: StatementArguments = [JobType.webhookDelivery.rawValue, RFC3339.format(dueBy)]
                if let only {
                    sql += " AND id IN (\(only.map { _ in "?" }.joined(separator: ",")))"
                    arguments += StatementArguments(Array(only))
                }
                if !skipped.isEmpty {
                    sql += " AND id NOT IN (\(skipped.map { _ in "?" }.joined(separator: ",")))"
                    arguments += StatementArguments(Array(skipped))
                }
                sql += " ORDER BY run_at, created_at, rowid LIMIT ?"
                arguments += [limit - claimed.count]
                let rows = try Row.fetchAll(db.cachedStatement(sql: sql), arguments: arguments)
                if rows.isEmpty { break }
                for row in rows {
                    let job = JobRecord(row: row)
                    guard let delivery = job.delivery(decoder: decoder) else {
                        try Self.failUnclaimed(db, job.id, at: at, error: "unreadable delivery payload")
                        continue
                    }
                    if disabledEndpoints[delivery.url] == nil {
                        disabledEndpoints[delivery.url] = .some(try Row.fetchOne(db.cachedStatement(
                            sql: "SELECT disabled_at, disabled_reason FROM webhook_endpoints WHERE url = ? AND disabled_at IS NOT NULL"), arguments: [delivery.url]))
                    }
                    if let disabled = disabledEndpoints[delivery.url] ?? nil {
                        let since: String = disabled["disabled_at"], reason: String = disabled["disabled_reason"]
                        try Self.failUnclaimed(db, job.id, at: at, error: "endpoint \(delivery.url) is disabled since \(since) (\(reason)); `rotor jobs retry \(job.id)` enables it again")
                        continue
                    }
                    guard let body = try String.fetchOne(db.cachedStatement(sql: "SELECT payload FROM events WHERE id = ?"), arguments: [delivery.eventID]) else {
                        try Self.failUnclaimed(db, job.id, at: at, error: "event \(delivery.eventID) is missing from the store")
                        continue
                    }
                    let attempt = job.attempts + 1
                    try db.executeCached(sql: """
                        UPDATE jobs SET status = 'running', attempts = ?, locked_by = ?, locked_until = ?, updated_at = ?
                        WHERE id = ? AND status = 'pending'
                        """, arguments: [attempt, owner.description, RFC3339.format(now.addingTimeInterval(lease)), at, job.id])
                    guard db.changesCount == 1 else { skipped.insert(job.id); continue }
                    try db.executeCached(sql: "INSERT INTO delivery_attempts (job_id, attempt, url, started_at) VALUES (?, ?, ?, ?)",
                                   arguments: [job.id, attempt, delivery.url, at])
                    // The row as just updated (the same text round trip as reading it back).
                    var current = job
                    current.status = .running
                    current.attempts = attempt
                    current.lockedBy = owner.description
                    current.lockedUntil = RFC3339.parse(RFC3339.format(now.addingTimeInterval(lease)))
                    current.updatedAt = RFC3339.parse(at) ?? now
                    claimed.append(ClaimedDelivery(job: current, attempt: attempt, delivery: delivery, body: body))
                }
            }
            return claimed
        }
    }

    /// Records how claimed attempts went and moves their jobs on, in one transaction (one fsync
    /// for a batch of requests): all of them or, when the store refuses one, none.
    ///
    /// When a claim was lost meanwhile (another process took the job after the lease ended),
    /// its attempt is still recorded but the job is left to its new owner.
    public func finishDeliveries(_ finished: [FinishedDelivery], owner: JobOwner, actor: String = "rotor") throws {
        guard !finished.isEmpty else { return }
        try writer.write { db in
            for item in finished { try Self.finish(db, item, owner: owner, actor: actor) }
        }
    }

    private static func finish(_ db: Database, _ item: FinishedDelivery, owner: JobOwner, actor: String) throws {
        let (claimed, now, statusCode, error) = (item.claimed, item.now, item.statusCode, item.error)
        let at = RFC3339.format(now)
        try db.executeCached(sql: """
            UPDATE delivery_attempts SET finished_at = ?, status_code = ?, latency_ms = ?, error = ?
            WHERE job_id = ? AND attempt = ?
            """, arguments: [at, statusCode, item.latencyMS, error, claimed.job.id, claimed.attempt])
        let mine = "id = ? AND status = 'running' AND locked_by = ? AND attempts = ?"
        let key: StatementArguments = [claimed.job.id, owner.description, claimed.attempt]
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

    /// Gives a claimed job back without counting the attempt (the pass ran out of time first).
    public func releaseDelivery(_ claimed: ClaimedDelivery, owner: JobOwner, now: Date) throws {
        try writer.write { db in
            try db.execute(sql: "DELETE FROM delivery_attempts WHERE job_id = ? AND attempt = ? AND finished_at IS NULL",
                           arguments: [claimed.job.id, claimed.attempt])
            try db.execute(sql: """
                UPDATE jobs SET status = 'pending', attempts = attempts - 1, locked_by = NULL, locked_until = NULL, updated_at = ?
                WHERE id = ? AND status = 'running' AND locked_by = ? AND attempts = ?
                """, arguments: [RFC3339.format(now), claimed.job.id, owner.description, claimed.attempt])
        }
    }

    /// Takes back jobs whose owner is gone; their open attempt is recorded as interrupted.
    static func recoverOrphans(_ db: Database, now: Date, only: Set<String>?, claimant: JobOwner, ownerIsGone: (JobOwner) -> Bool) throws {
        let at = RFC3339.format(now)
        // The claimant's own running jobs are its requests in flight: never orphans.
        for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM jobs WHERE status = 'running' AND locked_by IS NOT ?"),
                                    arguments: [claimant.description]) {
            let job = JobRecord(row: row)
            if let only, !only.contains(job.id) { continue }
            let owner = job.lockedBy.flatMap(JobOwner.init(parsing:))
            let leaseOver = job.lockedUntil.map { $0 <= now } ?? true
            guard leaseOver || owner.map(ownerIsGone) == true else { continue }
            let note = "interrupted: the rotor process delivering it (\(job.lockedBy ?? "unknown")) stopped before recording an outcome"
            try db.execute(sql: """
                UPDATE delivery_attempts SET finished_at = ?, error = ? WHERE job_id = ? AND attempt = ? AND finished_at IS NULL
                """, arguments: [at, note, job.id, job.attempts])
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
                SELECT EXISTS (SELECT 1 FROM jobs WHERE type = ? AND ((status = 'pending' AND run_at <= ?) OR status = 'running'))
                """, arguments: [JobType.webhookDelivery.rawValue, RFC3339.format(now)]) ?? false
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
