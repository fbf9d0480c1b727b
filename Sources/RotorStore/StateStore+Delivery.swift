import Foundation
import GRDB
import RotorCore

extension StateStore {
    /// Claims up to `limit` due delivery jobs for `owner`, in one transaction.
    ///
    /// First, claims of a process that is gone (their lease ended, or `ownerIsGone` says
    /// so) are taken back: each attempt they had in flight is recorded as interrupted, and
    /// its job is pending again (or failed, when that was its last attempt). Then pending
    /// jobs due by `dueBy` and in no claim are claimed oldest first, each on its next
    /// attempt, under a lease until `now + lease`. Jobs whose endpoint is disabled fail at
    /// once, saying so.
    ///
    /// A claim is one `job_claims` row for the whole batch: the jobs' own rows are written
    /// once per attempt, when its outcome is recorded (the job's attempt count, state, and the
    /// attempt's `delivery_attempts` row). Until then the job reads as `running` (see
    /// ``jobs(status:)``, ``attempts(ofJob:)``), and a recovery writes the attempt as interrupted.
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
    ///   - failedUnsent: Told of each job the claim failed without a request (its endpoint is
    ///     disabled, its payload or event is unreadable), so the pass can report it.
    public func claimDueDeliveries(dueBy: Date, now: Date, owner: JobOwner, lease: TimeInterval, limit: Int,
                                   only: Set<String>? = nil, recording finished: [FinishedDelivery] = [], actor: String = "rotor",
                                   ownerIsGone: (JobOwner) -> Bool, failedUnsent: ((UnsentDelivery) -> Void)? = nil) throws -> [ClaimedDelivery] {
        var unsent: [UnsentDelivery] = []
        let claimed = try writer.write { db in
            unsent = []
            try Self.finishAll(db, finished, owner: owner, actor: actor)
            try Self.recoverOrphans(db, now: now, only: only, claimant: owner, ownerIsGone: ownerIsGone)
            return try Self.claim(db, dueBy: dueBy, now: now, owner: owner, lease: lease, limit: limit, only: only, unsent: &unsent)
        }
        // Only once the transaction has committed: a failure rolled back was never made.
        for job in unsent { failedUnsent?(job) }
        return claimed
    }

    /// The columns a claim reads, one statement per batch. The payload is decoded in Swift
    /// (``DeliveryPayload/read(_:)``): SQLite parsed it once per field it was asked for.
    private static let claimColumns = """
        SELECT j.id, j.type, j.payload, j.attempts, j.max_attempts, j.run_at, j.last_error, j.created_at, j.seq
        FROM jobs j INDEXED BY jobs_pending
        WHERE j.status = 'pending' AND j.type = ? AND j.run_at <= ?
        """

    private static func claim(_ db: Database, dueBy: Date, now: Date, owner: JobOwner, lease: TimeInterval, limit: Int,
                              only: Set<String>?, unsent: inout [UnsentDelivery]) throws -> [ClaimedDelivery] {
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
        // Shared by every row (the type is the one the statement selects): no string made per job.
        let holder = owner.description, type = JobType.webhookDelivery.rawValue
        // A job an open claim lists (in flight, or finished while its claim is still open) is not claimed again.
        let unclaimed = try notClaimed(db, column: "j.seq")
        while claimed.count < limit {
            var sql = claimColumns + unclaimed
            var arguments: StatementArguments = [type, RFC3339.format(dueBy)]
            if let only {
                sql += " AND j.id IN (SELECT value FROM json_each(?))"
                arguments += [try StoreJSON.text(only.sorted())]
            }
            sql += " ORDER BY j.run_at, j.created_at, j.rowid LIMIT ?"
            arguments += [limit - claimed.count]
            // Read from the statement as it steps (a cursor), column by column: no copy of each row first.
            var candidates: [(job: JobRecord, seq: Int64, delivery: DeliveryPayload)] = []
            var unsendable: [(id: String, attempts: Int, delivery: DeliveryPayload?, error: String)] = []
            let rows = try Row.fetchCursor(db.cachedStatement(sql: sql), arguments: arguments)
            var read = 0
            // A batch's jobs were mostly queued together: their times repeat, and are parsed once.
            var runAt = ParsedTime(), createdAt = ParsedTime()
            while let row = try rows.next() {
                read += 1
                let id: String = row[0], payload: String = row[2]
                let attempts: Int = row[3]
                guard let delivery = DeliveryPayload.read(payload) else {
                    unsendable.append((id, attempts, nil, "unreadable delivery payload"))
                    continue
                }
                if let endpoint = disabled[delivery.url] {
                    unsendable.append((id, attempts, delivery,
                                       "endpoint \(delivery.url) is disabled since \(endpoint.since) (\(endpoint.reason)); `rotor jobs retry \(id)` enables it again"))
                    continue
                }
                let job = JobRecord(id: id, type: type, payload: payload, status: .running, attempts: attempts + 1, maxAttempts: row[4],
                                    runAt: runAt.date(row[5]), lastError: row[6], createdAt: createdAt.date(row[7]), updatedAt: atDate,
                                    lockedBy: holder, lockedUntil: untilDate)
                candidates.append((job, row[8], delivery))
            }
            // The events' bodies, once per event (its consumers' jobs are claimed together).
            var bodies: [String: String] = [:]
            if !candidates.isEmpty {
                let ids = try StoreJSON.text(Set(candidates.map(\.delivery.eventID)).sorted())
                let events = try Row.fetchCursor(db.cachedStatement(sql: "SELECT id, payload FROM events WHERE id IN (SELECT value FROM json_each(?))"),
                                                 arguments: [ids])
                while let row = try events.next() { bodies[row[0]] = row[1] }
            }
            if read == 0 { break }
            // Those whose event is gone fail; the rest are claimed, with their bodies.
            let first = claimed.count
            for (job, seq, delivery) in candidates {
                guard let body = bodies[delivery.eventID] else {
                    unsendable.append((job.id, job.attempts - 1, delivery, "event \(delivery.eventID) is missing from the store"))
                    continue
                }
                claimed.append(ClaimedDelivery(job: job, claim: 0, jobSeq: seq, attempt: job.attempts, delivery: delivery, body: body))
            }
            for (id, attempts, delivery, error) in unsendable {
                try failUnclaimed(db, id, at: at, error: error)
                unsent.append(UnsentDelivery(jobID: id, attempts: attempts, delivery: delivery, error: error))
            }
            guard claimed.count > first else { continue }
            // One row for the batch: each job with the attempt it is on.
            let jobs = ClaimEntry.json(claimed[first...].lazy.map { ClaimEntry(seq: $0.jobSeq, attempt: $0.attempt) })
            guard let claim = try Int64.fetchOne(db.cachedStatement(sql: """
                INSERT INTO job_claims (owner, claimed_at, lease_until, jobs, open) VALUES (?, ?, ?, ?, ?) RETURNING id
                """), arguments: [holder, at, until, jobs, claimed.count - first]) else {
                throw StoreError("the store did not number the claim of \(claimed.count - first) delivery jobs")
            }
            for index in first..<claimed.count { claimed[index].claim = claim }
        }
        return claimed
    }

    /// A stored time read back as a date, remembered for the next row with the same text.
    private struct ParsedTime {
        private var text = "", parsed = Date(timeIntervalSince1970: 0)

        mutating func date(_ stored: String) -> Date {
            if stored != text {
                text = stored
                parsed = RFC3339.parse(stored) ?? Date(timeIntervalSince1970: 0)
            }
            return parsed
        }
    }

    /// Records how claimed attempts went and moves their jobs on, in one transaction (one commit
    /// for a batch of requests): all of them or, when the store refuses one, none.
    ///
    /// When a claim was lost meanwhile (another process took the job back after the lease
    /// ended), its attempt is still recorded but the job is left to its new owner: the job is
    /// moved on only while it is pending on the attempt before this one.
    public func finishDeliveries(_ finished: [FinishedDelivery], owner: JobOwner, actor: String = "rotor") throws {
        guard !finished.isEmpty else { return }
        try writer.write { db in
            try Self.finishAll(db, finished, owner: owner, actor: actor)
        }
    }

    /// Records finished attempts: the delivered ones (nearly all) with a few multi-row
    /// statements, the others one by one.
    private static func finishAll(_ db: Database, _ items: [FinishedDelivery], owner: JobOwner, actor: String) throws {
        var delivered: [Delivered] = []
        delivered.reserveCapacity(items.count)
        // (A batch's attempts were mostly claimed together and end within the same second: a time is formatted once.)
        var claimedAt: (date: Date, text: String)?, finishedAt: (date: Date, text: String)?
        func format(_ date: Date, _ known: inout (date: Date, text: String)?) -> String {
            if let known, known.date == date { return known.text }
            let text = RFC3339.format(date)
            known = (date, text)
            return text
        }
        for item in items {
            guard item.resolution == .completed, item.error == nil else {
                try finish(db, item, owner: owner, actor: actor)
                continue
            }
            delivered.append(Delivered(seq: item.claimed.jobSeq, attempt: item.claimed.attempt, url: item.claimed.delivery.url,
                                       startedAt: format(item.claimed.job.updatedAt, &claimedAt), finishedAt: format(item.now, &finishedAt),
                                       statusCode: item.statusCode, latencyMS: item.latencyMS))
        }
        try recordAttempts(db, delivered)
        try completeJobs(db, delivered)
        try closeClaims(db, items, owner: owner)
    }

    /// A delivered attempt, as its statements bind it.
    private struct Delivered {
        var seq: Int64
        var attempt: Int
        var url: String
        var startedAt: String
        var finishedAt: String
        var statusCode: Int?
        var latencyMS: Int?
    }

    /// How many rows one multi-row statement takes: a few shapes, each prepared once per connection.
    private static let rowCounts = [64, 16, 4, 1]

    /// `count` items as consecutive runs of 64, 16, 4 or 1.
    private static func runs(_ count: Int) -> [Range<Int>] {
        var runs: [Range<Int>] = [], start = 0
        while start < count {
            let length = rowCounts.first { $0 <= count - start } ?? 1
            runs.append(start..<start + length)
            start += length
        }
        return runs
    }

    /// `INSERT` of `rows` attempts, by row count. (A row can exist already: one an older rotor
    /// opened when it claimed the job, or one a recovery wrote as interrupted after this claim's
    /// lease ended.)
    private static let insertAttempts: [Int: String] = Dictionary(uniqueKeysWithValues: rowCounts.map { rows in
        (rows, """
            INSERT INTO delivery_attempts (job_seq, attempt, url, started_at, finished_at, status_code, latency_ms) VALUES \(
                repeatElement("(?,?,?,?,?,?,?)", count: rows).joined(separator: ","))
            ON CONFLICT (job_seq, attempt) DO UPDATE SET
                finished_at = excluded.finished_at, status_code = excluded.status_code, latency_ms = excluded.latency_ms, error = NULL
            """)
    })

    /// `UPDATE` completing `rows` jobs that finished the same attempt at the same time, by row
    /// count. Only a job still pending on the attempt before this one moves on (see
    /// finishDeliveries).
    private static let completeJobsStatements: [Int: String] = Dictionary(uniqueKeysWithValues: rowCounts.map { rows in
        (rows, """
            UPDATE jobs SET status = 'completed', attempts = ?1, last_error = NULL, updated_at = ?2
            WHERE seq IN (\((0..<rows).map { "?\($0 + 3)" }.joined(separator: ","))) AND +status = 'pending' AND attempts = ?1 - 1
            """)
    })

    /// Writes the attempts' rows, their values bound as parameters (handing SQLite JSON cost a
    /// parse per field per row).
    private static func recordAttempts(_ db: Database, _ delivered: [Delivered]) throws {
        for run in runs(delivered.count) {
            var arguments = StatementArguments()
            for row in delivered[run] {
                arguments += [row.seq, row.attempt, row.url, row.startedAt, row.finishedAt, row.statusCode, row.latencyMS]
            }
            try db.cachedStatement(sql: insertAttempts[run.count]!).execute(arguments: arguments)
        }
    }

    /// Completes the jobs: one statement per run of jobs with the same attempt and end time
    /// (nearly always one or two per batch), a list of sequence numbers each.
    private static func completeJobs(_ db: Database, _ delivered: [Delivered]) throws {
        var groups: [(attempt: Int, finishedAt: String, seqs: [Int64])] = []
        for row in delivered {
            if let index = groups.lastIndex(where: { $0.attempt == row.attempt && $0.finishedAt == row.finishedAt }) {
                groups[index].seqs.append(row.seq)
            } else {
                groups.append((row.attempt, row.finishedAt, [row.seq]))
            }
        }
        for group in groups {
            for run in runs(group.seqs.count) {
                var arguments: StatementArguments = [group.attempt, group.finishedAt]
                arguments += StatementArguments(group.seqs[run])
                try db.cachedStatement(sql: completeJobsStatements[run.count]!).execute(arguments: arguments)
            }
        }
    }

    /// Counts finished attempts off their claims; a claim with nothing left in flight is deleted.
    /// (A claim taken back meanwhile is gone already: nothing to count.)
    private static func closeClaims(_ db: Database, _ items: [FinishedDelivery], owner: JobOwner) throws {
        var counts: [Int64: Int] = [:]
        for item in items { counts[item.claimed.claim, default: 0] += 1 }
        for (claim, count) in counts {
            try db.cachedStatement(sql: "UPDATE job_claims SET open = max(open - ?, 0) WHERE id = ? AND owner = ?")
                .execute(arguments: [count, claim, owner.description])
            try db.cachedStatement(sql: "DELETE FROM job_claims WHERE id = ? AND open = 0").execute(arguments: [claim])
        }
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
        // Only while the job is pending on the attempt before this one (see finishDeliveries).
        let mine = "seq = ? AND status = 'pending' AND attempts = ? - 1"
        let key: StatementArguments = [claimed.jobSeq, claimed.attempt]
        let release = "attempts = \(claimed.attempt), updated_at = ?"
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
    /// they were sent, or their endpoint was disabled meanwhile), in one transaction: they leave
    /// their claims, and a claim left with nothing in flight is deleted.
    ///
    /// A job this process no longer holds (another took its claim back after the lease ended)
    /// is left alone.
    public func releaseDeliveries(_ claimed: [ClaimedDelivery], owner: JobOwner, now: Date) throws {
        guard !claimed.isEmpty else { return }
        try writer.write { db in
            for (claim, items) in Dictionary(grouping: claimed, by: \.claim) {
                guard let jobs = try String.fetchOne(db, sql: "SELECT jobs FROM job_claims WHERE id = ? AND owner = ?",
                                                     arguments: [claim, owner.description]) else { continue }
                let released = Set(items.map { ClaimEntry(seq: $0.jobSeq, attempt: $0.attempt) })
                let entries = ClaimEntry.parse(jobs)
                let kept = entries.filter { !released.contains($0) }
                try db.execute(sql: "UPDATE job_claims SET jobs = ?, open = max(open - ?, 0) WHERE id = ?",
                               arguments: [ClaimEntry.json(kept), entries.count - kept.count, claim])
                try db.execute(sql: "DELETE FROM job_claims WHERE id = ? AND open = 0", arguments: [claim])
            }
        }
    }

    /// Takes back the claims of a process that is gone, or whose lease ended: each attempt they
    /// still had in flight is recorded as interrupted (started when it was claimed) and counted,
    /// and its job is pending again, or failed when that was its last attempt. A claim is taken
    /// back whole, even by a pass limited to some jobs (`only`): the process that held it will
    /// not record those outcomes.
    static func recoverOrphans(_ db: Database, now: Date, only: Set<String>?, claimant: JobOwner, ownerIsGone: (JobOwner) -> Bool) throws {
        let at = RFC3339.format(now)
        // The claimant's own claims within their lease are its requests in flight: not read at all.
        // (Timestamps are stored in one fixed-width format, so comparing them as text is exact.)
        let rows = try Row.fetchAll(db.cachedStatement(sql: "SELECT id, owner, claimed_at, lease_until, jobs FROM job_claims WHERE owner IS NOT ? OR lease_until <= ?"),
                                    arguments: [claimant.description, at])
        for row in rows {
            let (claim, holder, claimedAt, leaseUntil): (Int64, String, String, String) = (row[0], row[1], row[2], row[3])
            let leaseOver = leaseUntil <= at
            guard leaseOver || JobOwner(parsing: holder).map(ownerIsGone) == true else { continue }
            let note = "interrupted: the rotor process delivering it (\(holder)) stopped before recording an outcome"
            for entry in ClaimEntry.parse(row[4]) {
                // Still in flight: pending, on the attempt before this one. (An older rotor opened
                // the attempt's row when it claimed the job: that row is closed.)
                guard let job = try Row.fetchOne(db, sql: "SELECT attempts, max_attempts FROM jobs WHERE seq = ? AND status = 'pending' AND attempts = ? - 1",
                                                 arguments: [entry.seq, entry.attempt]) else { continue }
                try db.execute(sql: """
                    INSERT INTO delivery_attempts (job_seq, attempt, url, started_at, finished_at, error)
                    SELECT seq, ?, COALESCE(CASE WHEN json_valid(payload) THEN json_extract(payload, '$.url') END, ''), ?, ?, ?
                    FROM jobs WHERE seq = ?
                    ON CONFLICT (job_seq, attempt) DO UPDATE SET finished_at = excluded.finished_at, error = excluded.error
                    WHERE delivery_attempts.finished_at IS NULL
                    """, arguments: [entry.attempt, claimedAt, at, note, entry.seq])
                let exhausted = entry.attempt >= (job[1] as Int)
                try db.execute(sql: "UPDATE jobs SET status = ?, attempts = ?, last_error = ?, updated_at = ? WHERE seq = ?",
                               arguments: [exhausted ? "failed" : "pending", entry.attempt, note, at, entry.seq])
            }
            try db.execute(sql: "DELETE FROM job_claims WHERE id = ?", arguments: [claim])
        }
    }

    /// The attempts claims have in flight, by job sequence number: each listed by a claim while
    /// its job is pending with one attempt fewer counted (empty in a store from before claims).
    static func attemptsInFlight(_ db: Database, seq: Int64? = nil) throws -> [Int64: InFlightAttempt] {
        guard try db.tableExists("job_claims") else { return [:] }
        var sql = """
            SELECT j.seq, j.attempts + 1, c.owner, c.claimed_at, c.lease_until
            FROM job_claims c, json_each(c.jobs) AS f JOIN jobs j ON j.seq = json_extract(f.value, '$[0]')
            WHERE j.status = 'pending' AND j.attempts + 1 = json_extract(f.value, '$[1]')
            """
        var arguments: StatementArguments = []
        if let seq {
            sql += " AND j.seq = ?"
            arguments += [seq]
        }
        var flights: [Int64: InFlightAttempt] = [:]
        for row in try Row.fetchAll(db, sql: sql, arguments: arguments) {
            let flight = InFlightAttempt(seq: row[0], attempt: row[1], owner: row[2],
                                         claimedAt: RFC3339.parse(row[3] as String) ?? Date(timeIntervalSince1970: 0),
                                         leaseUntil: RFC3339.parse(row[4] as String) ?? Date(timeIntervalSince1970: 0))
            flights[flight.seq] = flight
        }
        return flights
    }

    static func failUnclaimed(_ db: Database, _ id: String, at: String, error: String) throws {
        try db.execute(sql: "UPDATE jobs SET status = 'failed', last_error = ?, updated_at = ? WHERE id = ? AND status = 'pending'",
                       arguments: [error, at, id])
    }
}

extension StateStore {
    /// Whether a delivery pass at `now` would have anything to do: a webhook job due by then,
    /// or a claim still open (its owner may be gone, and a claim takes it back).
    public func hasDeliveryWork(dueBy now: Date) throws -> Bool {
        try writer.read { db in
            guard try db.tableExists("jobs") else { return false }
            let due = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM jobs WHERE status = 'pending' AND type = ? AND run_at <= ?)",
                                        arguments: [JobType.webhookDelivery.rawValue, RFC3339.format(now)]) ?? false
            return try due || db.tableExists("job_claims") && (Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM job_claims)") ?? false)
        }
    }

    /// The consumer services with a webhook delivery pending and due by `dueBy`: whose signing
    /// keys a pass will need.
    public func dueDeliveryServices(dueBy: Date) throws -> Set<String> {
        try writer.read { db in
            guard try db.tableExists("jobs") else { return [] }
            return Set(try String.fetchAll(db, sql: """
                SELECT DISTINCT CASE WHEN json_valid(payload) THEN json_extract(payload, '$.service') END AS service FROM jobs
                WHERE status = 'pending' AND type = ? AND run_at <= ? AND service IS NOT NULL\(try Self.notClaimed(db))
                """, arguments: [JobType.webhookDelivery.rawValue, RFC3339.format(dueBy)]))
        }
    }

    /// When the next delivery job is due: the earliest `run_at` of a pending job in no claim,
    /// or the earliest end of a claim's lease.
    public func nextDeliveryDue() throws -> Date? {
        try writer.read { db in
            guard try db.tableExists("jobs") else { return nil }
            let pending = try String.fetchOne(db, sql: "SELECT MIN(run_at) FROM jobs WHERE status = 'pending' AND type = ?\(try Self.notClaimed(db))",
                                              arguments: [JobType.webhookDelivery.rawValue])
            let lease = try db.tableExists("job_claims") ? String.fetchOne(db, sql: "SELECT MIN(lease_until) FROM job_claims") : nil
            return [pending, lease].compactMap { $0 }.min().flatMap(RFC3339.parse)
        }
    }

    /// A condition (with its leading `AND`) leaving out the jobs an open claim lists; none in a
    /// store from before claims.
    static func notClaimed(_ db: Database, column: String = "seq") throws -> String {
        guard try db.tableExists("job_claims") else { return "" }
        return " AND \(column) NOT IN (SELECT json_extract(f.value, '$[0]') FROM job_claims c, json_each(c.jobs) AS f)"
    }
}
