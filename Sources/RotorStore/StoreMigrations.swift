import GRDB

/// The store's schema, as append-only migrations. A shipped migration never changes and
/// never refers to app types: later changes are new migrations.
enum StoreMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-core") { db in
            try db.execute(sql: """
                CREATE TABLE secrets (
                    id TEXT PRIMARY KEY NOT NULL,
                    project_id TEXT NOT NULL,
                    name TEXT NOT NULL,
                    policy TEXT,
                    created_at TEXT NOT NULL,
                    deleted_at TEXT,
                    UNIQUE (project_id, name)
                );
                CREATE TABLE secret_versions (
                    id TEXT PRIMARY KEY NOT NULL,
                    secret_id TEXT NOT NULL REFERENCES secrets(id),
                    project_id TEXT NOT NULL,
                    name TEXT NOT NULL,
                    value_encrypted TEXT,
                    version INTEGER NOT NULL CHECK (version >= 1),
                    active INTEGER NOT NULL CHECK (active IN (0, 1)),
                    state TEXT NOT NULL CHECK (state IN ('active', 'grace', 'expired')),
                    rotated_from TEXT REFERENCES secret_versions(id),
                    rotation_reason TEXT NOT NULL,
                    created_by TEXT NOT NULL,
                    created_at TEXT NOT NULL,
                    grace_expires_at TEXT,
                    expired_at TEXT,
                    source TEXT NOT NULL CHECK (source IN ('generated', 'external')),
                    recipients TEXT NOT NULL,
                    git_commit TEXT,
                    UNIQUE (project_id, name, version),
                    CHECK ((state = 'active') = (active = 1)),
                    CHECK (state != 'expired' OR value_encrypted IS NULL),
                    CHECK (state = 'expired' OR value_encrypted IS NOT NULL)
                );
                CREATE INDEX secret_versions_by_name ON secret_versions (project_id, name);
                CREATE INDEX secret_versions_by_secret ON secret_versions (secret_id);
                CREATE UNIQUE INDEX secret_versions_one_active ON secret_versions (secret_id) WHERE active = 1;
                CREATE TABLE secret_consumers (
                    secret_id TEXT NOT NULL REFERENCES secrets(id),
                    service TEXT NOT NULL,
                    webhook_url TEXT,
                    last_used_at TEXT,
                    PRIMARY KEY (secret_id, service)
                );
                CREATE TABLE audit_log (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    at TEXT NOT NULL,
                    action TEXT NOT NULL,
                    actor TEXT NOT NULL,
                    target_id TEXT NOT NULL,
                    metadata TEXT NOT NULL,
                    prev_hash TEXT NOT NULL,
                    hash TEXT NOT NULL
                );
                CREATE TRIGGER audit_log_append_only_update BEFORE UPDATE ON audit_log
                    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
                CREATE TRIGGER audit_log_append_only_delete BEFORE DELETE ON audit_log
                    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
                CREATE TABLE events (
                    id TEXT PRIMARY KEY NOT NULL,
                    type TEXT NOT NULL,
                    secret_id TEXT NOT NULL,
                    version_id TEXT,
                    occurred_at TEXT NOT NULL,
                    payload TEXT NOT NULL,
                    consumers TEXT NOT NULL
                );
                CREATE INDEX events_by_secret ON events (secret_id);
                CREATE TABLE meta (
                    key TEXT PRIMARY KEY NOT NULL,
                    value TEXT NOT NULL
                );
                """)
        }
        migrator.registerMigration("v2-api-keys") { db in
            try db.execute(sql: """
                CREATE TABLE api_key_versions (
                    id TEXT PRIMARY KEY NOT NULL,
                    key_id TEXT NOT NULL,
                    project_id TEXT NOT NULL,
                    name TEXT NOT NULL,
                    version INTEGER NOT NULL CHECK (version >= 1),
                    type TEXT NOT NULL CHECK (type IN ('public', 'secret', 'service_role', 'mcp')),
                    scopes TEXT NOT NULL,
                    state TEXT NOT NULL CHECK (state IN ('active', 'overlap', 'expired', 'revoked')),
                    hash TEXT NOT NULL UNIQUE,
                    hint TEXT NOT NULL,
                    value_encrypted TEXT,
                    rotated_from TEXT REFERENCES api_key_versions(id),
                    rotated_to TEXT,
                    rotation_reason TEXT NOT NULL,
                    created_by TEXT NOT NULL,
                    created_at TEXT NOT NULL,
                    expires_at TEXT,
                    ended_at TEXT,
                    revoke_reason TEXT,
                    recipients TEXT NOT NULL,
                    last_used TEXT,
                    usage_count INTEGER NOT NULL DEFAULT 0,
                    git_commit TEXT,
                    UNIQUE (project_id, name, version),
                    CHECK (state IN ('active', 'overlap') OR value_encrypted IS NULL)
                );
                CREATE INDEX api_key_versions_by_key ON api_key_versions (key_id);
                CREATE UNIQUE INDEX api_key_versions_one_active ON api_key_versions (key_id) WHERE state = 'active';
                CREATE TABLE api_key_consumers (
                    key_id TEXT NOT NULL,
                    service TEXT NOT NULL,
                    webhook_url TEXT,
                    PRIMARY KEY (key_id, service)
                );
                CREATE TABLE audit_anchor (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    last_seq INTEGER NOT NULL,
                    last_hash TEXT NOT NULL
                );
                INSERT INTO audit_anchor (id, last_seq, last_hash)
                    SELECT 1, COALESCE(MAX(seq), 0), COALESCE((SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1), '\(String(repeating: "0", count: 64))') FROM audit_log;
                """)
        }
        // Jobs (the deferred-work queue; webhook deliveries are its first type), one row per
        // delivery attempt, and webhook endpoints a 410 Gone disabled. Events written before
        // this migration get no delivery jobs: no store with events predates it.
        migrator.registerMigration("v2-jobs") { db in
            try db.execute(sql: """
                CREATE TABLE jobs (
                    id TEXT PRIMARY KEY NOT NULL,
                    type TEXT NOT NULL,
                    payload TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('pending', 'running', 'failed', 'completed', 'cancelled')),
                    attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
                    max_attempts INTEGER NOT NULL CHECK (max_attempts >= 1),
                    run_at TEXT NOT NULL,
                    last_error TEXT,
                    created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL,
                    locked_by TEXT,
                    locked_until TEXT,
                    CHECK ((status = 'running') = (locked_by IS NOT NULL AND locked_until IS NOT NULL)),
                    CHECK (status != 'running' OR attempts >= 1)
                );
                CREATE INDEX jobs_due ON jobs (status, run_at);
                CREATE TABLE delivery_attempts (
                    job_id TEXT NOT NULL REFERENCES jobs(id),
                    attempt INTEGER NOT NULL CHECK (attempt >= 1),
                    url TEXT NOT NULL,
                    started_at TEXT NOT NULL,
                    finished_at TEXT,
                    status_code INTEGER,
                    latency_ms INTEGER CHECK (latency_ms IS NULL OR latency_ms >= 0),
                    error TEXT,
                    PRIMARY KEY (job_id, attempt)
                );
                CREATE TABLE webhook_endpoints (
                    url TEXT PRIMARY KEY NOT NULL,
                    service TEXT NOT NULL,
                    disabled_at TEXT,
                    disabled_reason TEXT,
                    CHECK ((disabled_at IS NULL) = (disabled_reason IS NULL))
                );
                """)
        }
        migrator.registerMigration("v3-pending-versions") { db in
            // Versions rotor encrypted and committed locally but could not push (the remote moved).
            // The next attempt reuses them instead of generating again, so a version number never
            // gets two values. A row goes once git has the version (adopted) or the number is taken.
            try db.execute(sql: """
                CREATE TABLE pending_versions (
                    version_id TEXT PRIMARY KEY NOT NULL,
                    resource TEXT NOT NULL CHECK (resource IN ('secret', 'key')),
                    target TEXT NOT NULL,
                    version INTEGER NOT NULL CHECK (version >= 1),
                    value_encrypted TEXT NOT NULL,
                    recipients TEXT NOT NULL,
                    source TEXT NOT NULL CHECK (source IN ('generated', 'external')),
                    source_digest TEXT,
                    key_hash TEXT,
                    key_hint TEXT,
                    from_commit TEXT,
                    saved_at TEXT NOT NULL,
                    UNIQUE (resource, target, version),
                    CHECK ((resource = 'key') = (key_hash IS NOT NULL))
                );
                """)
        }
        migrator.registerMigration("v4-jobs-due-order") { db in
            // Claims take due jobs oldest first (run_at, created_at, rowid): with the whole order
            // in the index, a claim reads its batch and stops, instead of sorting every due job.
            try db.execute(sql: """
                CREATE INDEX jobs_due_order ON jobs (status, run_at, created_at);
                DROP INDEX jobs_due;
                """)
        }
        migrator.registerMigration("v5-jobs-partial-indexes") { db in
            // Only the jobs still to do are indexed by state: pending ones in claim order, running
            // ones by lease, failed ones for the daemon's health. A delivered job leaves every index
            // (the index no longer grows with the store's history), and recording a delivery
            // changes one index entry instead of moving it within one.
            try db.execute(sql: """
                DROP INDEX jobs_due_order;
                CREATE INDEX jobs_pending ON jobs (type, run_at, created_at) WHERE status = 'pending';
                CREATE INDEX jobs_running ON jobs (type, locked_until) WHERE status = 'running';
                CREATE INDEX jobs_failed ON jobs (created_at) WHERE status = 'failed';
                """)
        }
        migrator.registerMigration("v6-job-sequence") { db in
            // Jobs get a sequence number (an INTEGER PRIMARY KEY, so it survives VACUUM), and
            // attempts are keyed by it instead of the job's random id. Jobs are claimed roughly in
            // the order they were written, so a batch's attempt rows now land side by side in one
            // B-tree instead of all over a random index: a claim writes far fewer pages.
            try db.execute(sql: """
                CREATE TABLE jobs_v6 (
                    seq INTEGER PRIMARY KEY,
                    id TEXT NOT NULL UNIQUE,
                    type TEXT NOT NULL,
                    payload TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('pending', 'running', 'failed', 'completed', 'cancelled')),
                    attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
                    max_attempts INTEGER NOT NULL CHECK (max_attempts >= 1),
                    run_at TEXT NOT NULL,
                    last_error TEXT,
                    created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL,
                    locked_by TEXT,
                    locked_until TEXT,
                    CHECK ((status = 'running') = (locked_by IS NOT NULL AND locked_until IS NOT NULL)),
                    CHECK (status != 'running' OR attempts >= 1)
                );
                INSERT INTO jobs_v6 (seq, id, type, payload, status, attempts, max_attempts, run_at, last_error, created_at, updated_at,
                                     locked_by, locked_until)
                    SELECT rowid, id, type, payload, status, attempts, max_attempts, run_at, last_error, created_at, updated_at,
                           locked_by, locked_until
                    FROM jobs ORDER BY rowid;
                CREATE TABLE delivery_attempts_v6 (
                    job_seq INTEGER NOT NULL REFERENCES jobs_v6(seq),
                    attempt INTEGER NOT NULL CHECK (attempt >= 1),
                    url TEXT NOT NULL,
                    started_at TEXT NOT NULL,
                    finished_at TEXT,
                    status_code INTEGER,
                    latency_ms INTEGER CHECK (latency_ms IS NULL OR latency_ms >= 0),
                    error TEXT,
                    PRIMARY KEY (job_seq, attempt)
                ) WITHOUT ROWID;
                INSERT INTO delivery_attempts_v6 (job_seq, attempt, url, started_at, finished_at, status_code, latency_ms, error)
                    SELECT j.seq, a.attempt, a.url, a.started_at, a.finished_at, a.status_code, a.latency_ms, a.error
                    FROM delivery_attempts a JOIN jobs_v6 j ON j.id = a.job_id;
                DROP TABLE delivery_attempts;
                DROP TABLE jobs;
                ALTER TABLE jobs_v6 RENAME TO jobs;
                ALTER TABLE delivery_attempts_v6 RENAME TO delivery_attempts;
                CREATE INDEX jobs_pending ON jobs (type, run_at, created_at) WHERE status = 'pending';
                CREATE INDEX jobs_running ON jobs (type, locked_until) WHERE status = 'running';
                CREATE INDEX jobs_failed ON jobs (created_at) WHERE status = 'failed';
                """)
        }
        migrator.registerMigration("v7-job-claims") { db in
            // A claim is one row per batch instead of a write to every job it takes: the batch's
            // jobs stay pending, and the claim lists them with the attempt each is on. Recording
            // an outcome is the job's only write per attempt (it had two: running, then done).
            // In flight means: listed by a claim, still pending, one attempt fewer counted; the
            // attempt number fences a late outcome from a claim another process took back.
            // Jobs an older rotor left running become claims of their owner, their attempt uncounted.
            // (Claim ids are never reused: a late outcome of a claim taken back cannot count against another.)
            try db.execute(sql: """
                CREATE TABLE job_claims (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    owner TEXT NOT NULL,
                    claimed_at TEXT NOT NULL,
                    lease_until TEXT NOT NULL,
                    jobs TEXT NOT NULL,
                    open INTEGER NOT NULL CHECK (open >= 0)
                );
                INSERT INTO job_claims (owner, claimed_at, lease_until, jobs, open)
                    SELECT COALESCE(locked_by, 'unknown'), updated_at, COALESCE(locked_until, updated_at), json_array(json_array(seq, attempts)), 1
                    FROM jobs WHERE status = 'running' AND attempts >= 1 ORDER BY seq;
                CREATE TABLE jobs_v7 (
                    seq INTEGER PRIMARY KEY,
                    id TEXT NOT NULL UNIQUE,
                    type TEXT NOT NULL,
                    payload TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('pending', 'failed', 'completed', 'cancelled')),
                    attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
                    max_attempts INTEGER NOT NULL CHECK (max_attempts >= 1),
                    run_at TEXT NOT NULL,
                    last_error TEXT,
                    created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL
                );
                INSERT INTO jobs_v7 (seq, id, type, payload, status, attempts, max_attempts, run_at, last_error, created_at, updated_at)
                    SELECT seq, id, type, payload, CASE status WHEN 'running' THEN 'pending' ELSE status END,
                           CASE WHEN status = 'running' AND attempts >= 1 THEN attempts - 1 ELSE attempts END,
                           max_attempts, run_at, last_error, created_at, updated_at
                    FROM jobs ORDER BY seq;
                DROP TABLE jobs;
                ALTER TABLE jobs_v7 RENAME TO jobs;
                CREATE INDEX jobs_pending ON jobs (type, run_at, created_at) WHERE status = 'pending';
                CREATE INDEX jobs_failed ON jobs (created_at) WHERE status = 'failed';
                """)
        }
        migrator.registerMigration("v8-pass-indexes") { db in
            // Every apply (each daemon pass, no-op ones included) reads the versions that are not
            // expired and the expiry warnings already sent. Unindexed, both read the whole table:
            // every expired version ever, every event ever. That grew by ~1 MB per rotation of
            // 1,000 secrets, all of it pulled into the pass's page caches (up to 32 MiB per
            // connection, see StateStore), so each apply raised the daemon's peak memory for good.
            try db.execute(sql: """
                CREATE INDEX events_by_type ON events (type, version_id);
                CREATE INDEX secret_versions_live ON secret_versions (state) WHERE state != 'expired';
                """)
        }
        return migrator
    }
}
