"""The store's share of a delivery pass, measured alone: the statements rotor's claims and
outcome records run, replayed with Python's sqlite3 on a copy of the same store, with no HTTP,
no signing and no Swift. A lower bound for `rotor deliver` on the machine: every delivery is
a durable job (claimed under a lease, one claim row per batch, then its attempt row written
with the outcome and the job's state), so a pass cannot take less than this however fast the
rest is.

Batches follow rotor's defaults (half a 256-job claim window: 128 jobs per claim, each claim
recording the previous batch's outcomes in the same transaction).
"""
import json, sqlite3, time

BATCH = 128
OWNER = "bench-host:1"


def replay(path, due_by, now="2026-12-05T00:00:00Z", until="2026-12-05T00:02:00Z"):
    """Claims and completes every due delivery job in `path`; returns (jobs, seconds)."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA wal_autocheckpoint = 10000")
    db.execute("PRAGMA synchronous = NORMAL")  # what GRDB sets in WAL mode, as rotor's store runs
    # The claim reads the jobs' rows that no open claim lists; rotor reads each payload in Swift,
    # then fetches the events' bodies (once per event) and the disabled endpoints (once per claim).
    claim_sql = ("SELECT j.id, j.type, j.payload, j.attempts, j.max_attempts, j.run_at, j.last_error, j.created_at, j.seq "
                 "FROM jobs j INDEXED BY jobs_pending "
                 "WHERE j.status = 'pending' AND j.type = 'webhook.delivery' AND j.run_at <= ? "
                 "AND j.seq NOT IN (SELECT json_extract(f.value, '$[0]') FROM job_claims c, json_each(c.jobs) AS f) "
                 "ORDER BY j.run_at, j.created_at, j.rowid LIMIT ?")
    events_sql = "SELECT id, payload FROM events WHERE id IN (SELECT value FROM json_each(?))"
    disabled_sql = "SELECT url, disabled_at, disabled_reason FROM webhook_endpoints WHERE disabled_at IS NOT NULL"
    orphans_sql = "SELECT id, owner, claimed_at, lease_until, jobs FROM job_claims WHERE owner IS NOT ? OR lease_until <= ?"
    new_claim = "INSERT INTO job_claims (owner, claimed_at, lease_until, jobs, open) VALUES (?, ?, ?, ?, ?) RETURNING id"

    def record_attempts(count):
        return ("INSERT INTO delivery_attempts (job_seq, attempt, url, started_at, finished_at, status_code, latency_ms) VALUES "
                + ",".join(["(?,?,?,?,?,?,?)"] * count)
                + " ON CONFLICT (job_seq, attempt) DO UPDATE SET finished_at = excluded.finished_at, status_code = excluded.status_code, "
                  "latency_ms = excluded.latency_ms, error = NULL")

    def record_jobs(count):
        return ("UPDATE jobs SET status = 'completed', attempts = f.column2, last_error = NULL, updated_at = f.column3 FROM (VALUES "
                + ",".join(["(?,?,?)"] * count)
                + ") AS f WHERE jobs.seq = f.column1 AND +jobs.status = 'pending' AND jobs.attempts = f.column2 - 1")

    start = time.perf_counter()
    finished, claim, total = [], None, 0
    while True:
        db.execute("BEGIN IMMEDIATE")
        for chunk in (finished[i:i + 64] for i in range(0, len(finished), 64)):
            db.execute(record_attempts(len(chunk)), [value for row in chunk for value in row])
            db.execute(record_jobs(len(chunk)), [value for row in chunk for value in (row[0], row[1], row[4])])
        if claim is not None:
            db.execute("UPDATE job_claims SET open = max(open - ?, 0) WHERE id = ? AND owner = ?", (len(finished), claim, OWNER))
            db.execute("DELETE FROM job_claims WHERE id = ? AND open = 0", (claim,))
        db.execute(orphans_sql, (OWNER, now)).fetchall()
        db.execute(disabled_sql).fetchall()
        candidates = db.execute(claim_sql, (due_by, BATCH)).fetchall()
        payloads = {row[-1]: json.loads(row[2]) for row in candidates}
        if candidates:
            db.execute(events_sql, (json.dumps(sorted({p["event_id"] for p in payloads.values()})),)).fetchall()
            jobs = json.dumps([[row[-1], row[3] + 1] for row in candidates])
            claim = db.execute(new_claim, (OWNER, now, until, jobs, len(candidates))).fetchone()[0]
        db.execute("COMMIT")
        if not candidates:
            break
        total += len(candidates)
        finished = [[row[-1], row[3] + 1, payloads[row[-1]]["url"], now, now, 204, 1] for row in candidates]
    db.close()  # the last connection checkpoints the WAL, as rotor's does when it exits
    return total, time.perf_counter() - start
