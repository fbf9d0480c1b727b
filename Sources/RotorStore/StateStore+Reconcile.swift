import Crypto
import Foundation
import GRDB
import RotorCore

/// What one reconciliation with git changed in the store.
public struct ReconcileSummary: Equatable, Sendable {
    /// Versions the store did not know and adopted from git.
    public var adopted = 0
    /// Versions whose state or ciphertext changed to match git.
    public var updated = 0
    /// Versions gone from git whose ciphertext was dropped (history kept).
    public var expired = 0
    /// Secrets whose spec and versions are gone.
    public var deleted = 0
    /// Events written to the outbox.
    public var events = 0
    /// Delivery jobs queued for those events (one per consumer with a webhook).
    public var jobs = 0

    public init() {}

    /// Whether the store changed at all.
    public var changedAnything: Bool { adopted + updated + expired + deleted + events > 0 }

    mutating func add(_ emitted: (event: Bool, jobs: Int)) {
        events += emitted.event ? 1 : 0
        jobs += emitted.jobs
    }
}

extension StateStore {
    /// The audit action of a version that carries an older version's value again (`rotor rollback`).
    public static let rolledBackAction = "secret.rolled_back"

    /// Makes the store agree with the version files in git, in one transaction.
    ///
    /// This is both apply's store step and crash recovery: versions git has and the store lacks
    /// are adopted, versions git no longer lists are expired (ciphertext dropped, row kept), and
    /// every transition writes its audit row and outbox event, and each event its delivery jobs
    /// (one per consumer with a webhook), all in this one transaction. Event and job ids are
    /// derived from the version, event type and service, so re-running after a crash never
    /// emits an event or queues a delivery twice.
    ///
    /// - Parameters:
    ///   - files: The version files at `revision`.
    ///   - desired: The specs at `revision` (consumers and policies); nil keeps what the store has.
    ///   - revision: The git commit the files were read from.
    ///   - now: The instant recorded on transitions.
    ///   - actor: Who is recorded for expirations and deletions.
    ///   - warnings: Grace versions whose expiry warning goes out in this pass.
    ///   - keyFiles: The API-key version files at `revision`; nil leaves keys as they are.
    ///   - midTransaction: Called last inside the transaction, before it commits (crash tests put a fault point here).
    ///
    /// Pending versions (see ``PendingVersion``) that git now has, or whose number is taken, are dropped in the same transaction.
    public func reconcile(files: [SecretID: VersionFile], keyFiles: [SecretID: KeyVersionFile]? = nil, desired: DesiredState?,
                          revision: String?, now: Date, actor: String, warnings: [PlanAction] = [],
                          midTransaction: () -> Void = {}) throws -> ReconcileSummary {
        try writer.write { db in
            var summary = ReconcileSummary()
            if let keyFiles {
                try reconcileKeys(db, files: keyFiles, desired: desired, revision: revision, now: now, actor: actor, summary: &summary)
            }
            let at = RFC3339.format(now)
            var known: [String: Row] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT id, secret_id, state, value_encrypted, grace_expires_at, recipients, version FROM secret_versions WHERE state != 'expired'") {
                known[row["id"]] = row
            }
            // What the store holds of every secret and its consumers, read once: a secret or consumer
            // row is written only when git says something else (most reconciles change nothing, and
            // every `deliver` and daemon pass runs one).
            var policies: [String: String?] = [:]
            let secretRows = try Row.fetchCursor(db, sql: "SELECT id, policy FROM secrets WHERE deleted_at IS NULL")
            while let row = try secretRows.next() { policies[row[0]] = .some(row[1]) }
            let liveSecrets = Set(policies.keys)
            var knownConsumers: [String: [String: String?]] = [:]
            let consumerRows = try Row.fetchCursor(db, sql: "SELECT secret_id, service, webhook_url FROM secret_consumers")
            while let row = try consumerRows.next() { knownConsumers[row[0], default: [:]][row[1]] = .some(row[2]) }
            var seenVersionIDs = Set<String>()
            for id in files.keys.sorted() {
                guard let file = files[id] else { continue }
                let spec = desired?.secrets[id]
                // Without specs (they do not validate), the consumers the store last knew still hear about it.
                let consumers = try spec?.consumers ?? Self.consumersOf(db, id.description)
                // (Absent or deleted: written. Present: only a policy the spec names and the store lacks.)
                var unchanged = false
                if let stored = policies[id.description] {
                    if let wanted = spec?.policy { unchanged = wanted == stored } else { unchanged = true }
                }
                if !unchanged {
                    try db.executeCached(sql: """
                        INSERT INTO secrets (id, project_id, name, policy, created_at) VALUES (?, ?, ?, ?, ?)
                        ON CONFLICT (id) DO UPDATE SET deleted_at = NULL, policy = COALESCE(excluded.policy, policy)
                        """, arguments: [id.description, id.project, id.name, spec?.policy, at])
                }
                if let spec { try syncConsumers(db, secret: id, consumers: spec.consumers, known: knownConsumers[id.description] ?? [:]) }
                // Oldest first, so rotated_from always points at a row that exists.
                for version in file.versions.reversed() {
                    seenVersionIDs.insert(version.id)
                    if let row = known[version.id] {
                        if try update(db, row: row, to: version) { summary.updated += 1 }
                        continue
                    }
                    do {
                        try insert(db, version: version, secret: id, revision: revision)
                    } catch let error as DatabaseError
                                where [.SQLITE_CONSTRAINT_PRIMARYKEY, .SQLITE_CONSTRAINT_UNIQUE].contains(error.extendedResultCode) {
                        // The store holds this id or this number already, expired (the only rows not
                        // in `known`): looked at only now, so adopting new versions costs no lookup.
                        try restore(db, version: version, secret: id, now: now, actor: actor, revision: revision, insertError: error)
                        summary.updated += 1
                        continue
                    }
                    summary.adopted += 1
                    let type: EventType = version.rotatedFrom == nil ? .secretCreated : .secretRotated
                    var metadata = ["secret": id.description, "version": String(version.version),
                                    "reason": version.rotationReason, "commit": revision ?? ""]
                    if let to = version.rolledBackTo { metadata["rolled_back_to"] = String(to) }
                    // A rollback is audited as what it is; its event stays `secret.rotated`, so
                    // consumers fetch the value exactly as after any rotation.
                    try Self.appendAudit(db, at: version.createdAt, action: version.rolledBackTo == nil ? type.rawValue : Self.rolledBackAction,
                                         actor: version.createdBy, target: version.id, metadata: metadata)
                    let replaced = version.rotatedFrom.flatMap { number in file.versions.first { $0.version == number } }
                    summary.add(try Self.emit(db, type, secret: id, version: version, replacedGraceEnd: replaced?.graceExpiresAt,
                                              consumers: consumers, at: version.createdAt, now: now))
                }
            }
            for (versionID, row) in known where !seenVersionIDs.contains(versionID) {
                let secretID: String = row["secret_id"]
                try db.executeCached(sql: """
                    UPDATE secret_versions SET state = 'expired', active = 0, value_encrypted = NULL, expired_at = ? WHERE id = ?
                    """, arguments: [at, versionID])
                summary.expired += 1
                guard let secret = SecretID(parsing: secretID) else { continue }
                let deleted = files[secret] == nil
                try Self.appendAudit(db, at: now, action: deleted ? "secret.deleted" : EventType.secretExpired.rawValue,
                                     actor: actor, target: versionID,
                                     metadata: ["secret": secretID, "version": String(row["version"] as Int), "commit": revision ?? ""])
                let consumers = try Self.consumersOf(db, secretID)
                let version: Int = row["version"]
                summary.add(try Self.emit(db, deleted ? .secretDeleted : .secretExpired, secret: secret, versionID: versionID,
                                          versionNumber: version, data: ["expired_version": .int(version)], consumers: consumers,
                                          at: now, now: now))
            }
            for secretID in liveSecrets where SecretID(parsing: secretID).map({ files[$0] == nil }) ?? false {
                try db.executeCached(sql: "UPDATE secrets SET deleted_at = ? WHERE id = ?", arguments: [at, secretID])
                summary.deleted += 1
            }
            for warning in warnings {
                guard let file = files[warning.secret], let version = file.versions.first(where: { $0.version == warning.version }) else { continue }
                let consumers = try desired?.secrets[warning.secret]?.consumers ?? Self.consumersOf(db, warning.secret.description)
                var data: [String: JSONValue] = ["expiring_version": .int(version.version)]
                if let expiry = version.graceExpiresAt { data["grace_expires_at"] = .string(RFC3339.format(expiry)) }
                summary.add(try Self.emit(db, .secretExpiring, secret: warning.secret, versionID: version.id,
                                          versionNumber: version.version, data: data, consumers: consumers, at: now, now: now))
            }
            try db.executeCached(sql: "INSERT INTO meta (key, value) VALUES ('revision', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                           arguments: [revision ?? ""])
            try prunePending(db, desired: desired)
            midTransaction()
            return summary
        }
    }

    /// A version git lists again after the store expired it (a deletion reverted, a version file
    /// restored from history): its row becomes live again as git has it, audited as
    /// `secret.restored`.
    ///
    /// No event is written: the version's `secret.created`/`secret.rotated` event went out when
    /// it first appeared, and event ids are derived from the type and version.
    ///
    /// - Throws: ``StoreError`` saying which row is in the way when the id belongs to another
    ///   version, or another version of the secret has this number: numbers and ids are never
    ///   reused. `insertError` when no such row explains the insert's failure.
    private func restore(_ db: Database, version: SecretVersion, secret: SecretID, now: Date, actor: String, revision: String?,
                         insertError: DatabaseError) throws {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT secret_id, version FROM secret_versions WHERE id = ? AND state = 'expired'"),
                                         arguments: [version.id]) else {
            guard let other = try Row.fetchOne(db.cachedStatement(sql: "SELECT id, state FROM secret_versions WHERE project_id = ? AND name = ? AND version = ?"),
                                               arguments: [secret.project, secret.name, version.version]) else { throw insertError }
            throw StoreError("secret \(secret): git has v\(version.version) with id \(version.id), but the store already holds v\(version.version) with id \(other["id"] as String) (\(other["state"] as String)); version numbers and ids are never reused — restore versions/\(secret.project)/\(secret.name).yaml from git history, or remove the version that reuses the number")
        }
        guard row["secret_id"] as String == secret.description, row["version"] as Int == version.version else {
            throw StoreError("secret \(secret) v\(version.version): its id \(version.id) is already the store's (expired) v\(row["version"] as Int) of \(row["secret_id"] as String); version ids are never reused — restore that version file from git history as it was")
        }
        try write(db, version, secret: secret.description)
        try Self.appendAudit(db, at: now, action: "secret.restored", actor: actor, target: version.id,
                             metadata: ["secret": secret.description, "version": String(version.version), "commit": revision ?? ""])
    }

    private func insert(_ db: Database, version: SecretVersion, secret: SecretID, revision: String?) throws {
        let rotatedFromID = try version.rotatedFrom.flatMap { number in
            try String.fetchOne(try db.cachedStatement(sql: "SELECT id FROM secret_versions WHERE project_id = ? AND name = ? AND version = ?"),
                                arguments: [secret.project, secret.name, number])
        }
        func insertRow() throws {
            try db.executeCached(sql: """
                INSERT INTO secret_versions (id, secret_id, project_id, name, value_encrypted, version, active, state, rotated_from,
                    rotation_reason, created_by, created_at, grace_expires_at, source, recipients, git_commit)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [version.id, secret.description, secret.project, secret.name, version.valueEncrypted, version.version,
                                 version.state == .active, version.state.rawValue, rotatedFromID, version.rotationReason,
                                 version.createdBy, RFC3339.format(version.createdAt), version.graceExpiresAt.map(RFC3339.format),
                                 version.source.rawValue, version.recipients.joined(separator: ","), revision])
        }
        do {
            try insertRow()
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE && version.state == .active {
            // The version it replaced may be gone from git already (`rotor rollback --expire-current`,
            // or a store two commits behind): that row is expired further down, but the
            // one-active-version index checks each statement, so it steps aside first. A row
            // with this very number is another conflict, left to the caller.
            try db.executeCached(sql: "UPDATE secret_versions SET active = 0, state = 'grace' WHERE secret_id = ? AND active = 1 AND version != ?",
                                 arguments: [secret.description, version.version])
            guard db.changesCount > 0 else { throw error }
            try insertRow()
        }
    }

    /// Brings a known row in line with git; returns whether anything changed.
    private func update(_ db: Database, row: Row, to version: SecretVersion) throws -> Bool {
        guard row["state"] as String != version.state.rawValue || row["value_encrypted"] as String? != version.valueEncrypted
                || row["grace_expires_at"] as String? != version.graceExpiresAt.map(RFC3339.format)
                || row["recipients"] as String != version.recipients.joined(separator: ",") else { return false }
        try write(db, version, secret: row["secret_id"])
        return true
    }

    /// Writes what git says of an existing version row (and that it is not expired).
    private func write(_ db: Database, _ version: SecretVersion, secret: String) throws {
        // Deactivate first so the one-active-version index never sees two.
        if version.state == .active {
            try db.executeCached(sql: "UPDATE secret_versions SET active = 0, state = 'grace' WHERE secret_id = ? AND active = 1 AND id != ?",
                                 arguments: [secret, version.id])
        }
        try db.executeCached(sql: """
            UPDATE secret_versions SET state = ?, active = ?, value_encrypted = ?, grace_expires_at = ?, recipients = ?, expired_at = NULL
            WHERE id = ?
            """, arguments: [version.state.rawValue, version.state == .active, version.valueEncrypted, version.graceExpiresAt.map(RFC3339.format),
                             version.recipients.joined(separator: ","), version.id])
    }

    /// Makes the secret's consumers in the store `consumers`, given what the store holds (`known`:
    /// service to webhook URL); rows already right are left alone.
    private func syncConsumers(_ db: Database, secret: SecretID, consumers: [Consumer], known: [String: String?]) throws {
        let services = consumers.map(\.service)
        for service in known.keys where !services.contains(service) {
            try db.executeCached(sql: "DELETE FROM secret_consumers WHERE secret_id = ? AND service = ?", arguments: [secret.description, service])
        }
        for consumer in consumers where known[consumer.service].map({ $0 != consumer.webhook }) ?? true {
            try db.executeCached(sql: """
                INSERT INTO secret_consumers (secret_id, service, webhook_url) VALUES (?, ?, ?)
                ON CONFLICT (secret_id, service) DO UPDATE SET webhook_url = excluded.webhook_url
                """, arguments: [secret.description, consumer.service, consumer.webhook])
        }
    }
}
