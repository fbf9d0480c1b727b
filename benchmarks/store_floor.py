"""The store's share of a delivery pass, measured alone: the statements rotor's claims and
outcome records run, replayed with Python's sqlite3 on a copy of the same store, with no HTTP,
no signing and no Swift. A lower bound for `rotor deliver` on the machine: every delivery is
a durable job (claimed under a lease, then its attempt row written with the outcome and the
job's state), so a pass cannot take less than this however fast the rest is.

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
    # The claim reads the jobs' rows; rotor reads each payload in Swift, then fetches the events'
    # bodies (once per event) and the disabled endpoints (once per claim).
    claim_sql = ("SELECT j.id, j.type, j.payload, j.attempts, j.max_attempts, j.run_at, j.last_error, j.created_at, j.seq "
                 "FROM jobs j INDEXED BY jobs_pending "
                 "WHERE j.status = 'pending' AND j.type = 'webhook.delivery' AND j.run_at <= ? "
                 "ORDER BY j.run_at, j.created_at, j.rowid LIMIT ?")
    events_sql = "SELECT id, payload FROM events WHERE id IN (SELECT value FROM json_each(?))"
    disabled_sql = "SELECT url, disabled_at, disabled_reason FROM webhook_endpoints WHERE disabled_at IS NOT NULL"
    item = lambda index: f"json_extract(f.value, '$[{index}]')"
    record_attempts = (f"INSERT INTO delivery_attempts (job_seq, attempt, url, started_at, finished_at, status_code, latency_ms) "
                       f"SELECT {item(0)}, {item(1)}, {item(5)}, {item(6)}, {item(2)}, {item(3)}, {item(4)} FROM json_each(?) AS f WHERE true "
                       f"ON CONFLICT (job_seq, attempt) DO UPDATE SET finished_at = excluded.finished_at, status_code = excluded.status_code, "
                       f"latency_ms = excluded.latency_ms, error = NULL")
    record_jobs = ("UPDATE jobs SET status = 'completed', last_error = NULL, locked_by = NULL, locked_until = NULL, "
                   "updated_at = json_extract(f.value, '$[2]') FROM json_each(?) AS f WHERE jobs.seq = json_extract(f.value, '$[0]') "
                   "AND +jobs.status = 'running' AND jobs.locked_by = ? AND jobs.attempts = json_extract(f.value, '$[1]')")
    start = time.perf_counter()
    finished, total = [], 0
    while True:
        db.execute("BEGIN IMMEDIATE")
        if finished:
            rows = json.dumps(finished)
            db.execute(record_attempts, (rows,))
            db.execute(record_jobs, (rows, OWNER))
        db.execute("SELECT * FROM jobs INDEXED BY jobs_running WHERE status = 'running' AND (locked_by IS NOT ? OR locked_until <= ?)",
                   (OWNER, now)).fetchall()
        db.execute(disabled_sql).fetchall()
        candidates = db.execute(claim_sql, (due_by, BATCH)).fetchall()
        payloads = {row[-1]: json.loads(row[2]) for row in candidates}
        db.execute(events_sql, (json.dumps(sorted({p["event_id"] for p in payloads.values()})),)).fetchall()
        seqs = json.dumps([row[-1] for row in candidates])
        urls = {seq: p["url"] for seq, p in payloads.items()}
        taken = db.execute("UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_by = ?, locked_until = ?, updated_at = ? "
                           "WHERE seq IN (SELECT value FROM json_each(?)) AND +status = 'pending' RETURNING seq, attempts",
                           (OWNER, until, now, seqs)).fetchall()
        db.execute("COMMIT")
        if not candidates:
            break
        total += len(taken)
        finished = [[seq, attempts, now, 204, 1, urls[seq], now] for seq, attempts in taken]
    db.close()  # the last connection checkpoints the WAL, as rotor's does when it exits
    return total, time.perf_counter() - start
