import Crypto
import Foundation
import GRDB
import RotorCore

/// The one facade over rotor's SQLite state store (WAL mode).
///
/// Git is the source of truth for live versions; the store adds what git cannot hold:
/// history of expired versions, the audit log, consumers' usage, and the events outbox.
public final class StateStore: Sendable {
    let writer: any DatabaseWriter
    /// Where the database lives.
    public let path: String
    /// How a read-only store reads the file (nil for a writable store).
    let readMode: ReadMode?

    /// How ``openReadOnly(path:)`` reads a store.
    enum ReadMode: Equatable {
        /// A read-write connection that only ever reads (GRDB runs each read under `PRAGMA
        /// query_only`), under SQLite's WAL locking: what a writer commits meanwhile is read
        /// consistently, and the side files it makes are removed when it is the last to close
        /// (there is nothing in its WAL to checkpoint).
        case queryOnly
        /// Read-only (`SQLITE_OPEN_READONLY`), when a `-wal` exists (a writer is connected, or
        /// one was killed): it reads that WAL under its locks and changes nothing.
        case readOnly
        /// `immutable=1`: nobody here may write the file or its folder and no `-wal` exists, so
        /// no rotor on this host can be changing it.
        case immutable
    }

    /// Opens (creating and migrating when needed) the store at `path`.
    ///
    /// - Throws: `DatabaseError` when the file cannot be opened or migrated.
    public init(path: String) throws {
        self.path = path
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.label = "rotor-state"
        configuration.prepareDatabase { db in
            // Fold the WAL back into the database every ~40 MiB rather than SQLite's 4 MiB: each
            // checkpoint stalls the writer (a delivery pass made six of them per 3,000 deliveries,
            // a third of its time). The last connection to close still checkpoints and removes it.
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 10000")
            // Up to 32 MiB of pages per connection (SQLite's default is 2 MiB): a delivery pass
            // rereads the same job and index pages between its claims instead of from the file.
            try db.execute(sql: "PRAGMA cache_size = -32768")
        }
        try Self.createPrivately(path)
        readMode = nil
        let pool = try DatabasePool(path: path, configuration: configuration)
        try StoreMigrations.migrator.migrate(pool)
        writer = pool
        Self.restrictPermissions(path)
    }

    /// Creates the database file with mode 0600 when it does not exist yet.
    ///
    /// The store holds ciphertext, webhook signing material and the audit log: only its owner
    /// reads it. SQLite gives its `-wal` and `-shm` files the database file's mode, so they
    /// are 0600 too.
    static func createPrivately(_ path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if descriptor >= 0 {
            close(descriptor)
        } else if errno != EEXIST {
            throw StoreError("cannot create the state store \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Takes group and other permissions away from a store made by an older rotor (which
    /// created it 0644), and from its side files.
    static func restrictPermissions(_ path: String) {
        for file in [path, path + "-wal", path + "-shm"] {
            var info = stat()
            guard stat(file, &info) == 0, info.st_mode & 0o077 != 0 else { continue }
            _ = chmod(file, info.st_mode & 0o700)
        }
    }

    /// Opens an existing store for reading only (what `plan` uses), or nil when there is none.
    ///
    /// A store written by a newer rotor (unknown migrations) is refused rather than misread.
    public static func openReadOnly(path: String) throws -> StateStore? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return try StateStore(readOnlyPath: path)
    }

    private init(readOnlyPath path: String) throws {
        self.path = path
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        // "plan writes nothing": a connection that only reads (each read under query_only) takes
        // WAL locks, so a concurrent apply cannot make it read a half-checkpointed file; when it
        // is the last connection it removes the -wal and -shm it made. (immutable=1, used before
        // whenever no -wal existed, takes no lock at all: undefined once a writer starts.)
        let folder = (path as NSString).deletingLastPathComponent
        let writable = access(path, R_OK | W_OK) == 0 && access(folder.isEmpty ? "." : folder, W_OK | X_OK) == 0
        // With a -wal there already (a writer connected, or one killed), a read-only connection
        // uses it and changes nothing.
        let walExists = FileManager.default.fileExists(atPath: path + "-wal")
        let mode: ReadMode = walExists ? .readOnly : writable ? .queryOnly : .immutable
        configuration.readonly = mode != .queryOnly
        readMode = mode
        let location = mode == .immutable ? "file:" + Self.uriEscaped(path) + "?immutable=1" : path
        let queue = try DatabaseQueue(path: location, configuration: configuration)
        let applied = try queue.read { try StoreMigrations.migrator.appliedIdentifiers($0) }
        let known = Set(StoreMigrations.migrator.migrations)
        guard applied.isSubset(of: known) else {
            throw StoreError("the state store \(path) was written by a newer rotor (migrations \(applied.subtracting(known).sorted()))")
        }
        writer = queue
    }

    /// A path made safe for an SQLite URI filename.
    static func uriEscaped(_ path: String) -> String {
        path.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "?", with: "%3f").replacingOccurrences(of: "#", with: "%23")
    }

    /// What the store adds to the observed state: warnings already issued, and the highest version ever.
    public func observedExtras() throws -> (warned: Set<String>, highest: [SecretID: Int]) {
        try writer.read { db in
            guard try db.tableExists("events") else { return ([], [:]) }
            let warned = try String.fetchSet(db, sql: "SELECT version_id FROM events WHERE type = ? AND version_id IS NOT NULL",
                                             arguments: [EventType.secretExpiring.rawValue])
            var highest: [SecretID: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT project_id, name, MAX(version) AS v FROM secret_versions GROUP BY project_id, name") {
                highest[SecretID(project: row["project_id"], name: row["name"])] = row["v"]
            }
            return (warned, highest)
        }
    }

    /// The git revision the store last reconciled with.
    public func lastRevision() throws -> String? {
        try writer.read { db in
            guard try db.tableExists("meta") else { return nil }
            return try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'revision'")
        }
    }

    /// Every version of `secret` the store knows, newest first, including expired history.
    public func history(of secret: SecretID) throws -> [VersionRecord] {
        try writer.read { db in
            try Row.fetchAll(db, sql: """
                SELECT v.*, f.version AS rotated_from_version FROM secret_versions v
                LEFT JOIN secret_versions f ON f.id = v.rotated_from
                WHERE v.project_id = ? AND v.name = ? ORDER BY v.version DESC
                """, arguments: [secret.project, secret.name]).map(VersionRecord.init(row:))
        }
    }

    /// The consumers recorded for `secret`.
    public func consumers(of secret: SecretID) throws -> [ConsumerRecord] {
        try writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM secret_consumers WHERE secret_id = ? ORDER BY service",
                             arguments: [secret.description]).map { row in
                ConsumerRecord(secretID: secret, service: row["service"], webhookURL: row["webhook_url"],
                               lastUsedAt: (row["last_used_at"] as String?).flatMap(RFC3339.parse))
            }
        }
    }

    /// The events outbox, oldest first.
    public func events() throws -> [EventRecord] {
        try writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM events ORDER BY rowid").map(EventRecord.init(row:))
        }
    }

    /// Records that someone read a version's value (`rotor get`): one audit row, never the value.
    public func recordAccess(secret: SecretID, version: Int, versionID: String, actor: String, at now: Date) throws {
        try writer.write { db in
            try Self.appendAudit(db, at: now, action: "secret.accessed", actor: actor, target: versionID,
                                 metadata: ["secret": secret.description, "version": String(version)])
        }
    }
}

/// A store problem that is not a database error.
public struct StoreError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

extension StateStore {
    /// Records a rekey in the audit log (one row for the whole commit).
    public func recordRekey(versions: Int, commit: String, actor: String, at now: Date) throws {
        try writer.write { db in
            try Self.appendAudit(db, at: now, action: "secrets.rekeyed", actor: actor, target: commit,
                                 metadata: ["versions": String(versions), "commit": commit])
        }
    }
}

extension StateStore {
    /// The last revision whose commits passed the signature policy (apply records it).
    public func verifiedRevision() throws -> String? {
        try writer.read { db in
            guard try db.tableExists("meta") else { return nil }
            return try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'verified_revision'")
        }
    }

    /// Records that every commit up to `revision` passed the signature policy.
    public func setVerifiedRevision(_ revision: String) throws {
        try writer.write { db in
            try db.execute(sql: "INSERT INTO meta (key, value) VALUES ('verified_revision', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                           arguments: [revision])
        }
    }
}

/// The store is shared by the webhook worker's concurrent deliveries: GRDB's pool
/// serializes writes and gives each read its own connection, and the facade holds no
/// mutable state of its own.
extension StateStore: Sendable {}
