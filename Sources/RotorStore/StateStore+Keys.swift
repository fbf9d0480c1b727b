import Foundation
import GRDB
import RotorCore

/// A row of `api_key_versions`: one key version, its hash and its usage. Never the key itself.
public struct KeyRecord: Hashable, Sendable, Codable {
    public var id: String
    public var key: SecretID
    public var version: Int
    public var type: String
    public var scopes: [String]
    public var state: String
    public var hash: String
    public var hint: String
    public var createdAt: Date
    public var createdBy: String
    public var rotatedTo: String?
    public var expiresAt: Date?
    public var endedAt: Date?
    public var revokeReason: String?
    public var lastUsed: Date?
    public var usageCount: Int

    init(row: Row) {
        id = row["id"]
        key = SecretID(project: row["project_id"], name: row["name"])
        version = row["version"]
        type = row["type"]
        scopes = (row["scopes"] as String).split(separator: " ").map(String.init)
        state = row["state"]
        hash = row["hash"]
        hint = row["hint"]
        createdAt = RFC3339.parse(row["created_at"]) ?? Date(timeIntervalSince1970: 0)
        createdBy = row["created_by"]
        rotatedTo = row["rotated_to"]
        expiresAt = (row["expires_at"] as String?).flatMap(RFC3339.parse)
        endedAt = (row["ended_at"] as String?).flatMap(RFC3339.parse)
        revokeReason = row["revoke_reason"]
        lastUsed = (row["last_used"] as String?).flatMap(RFC3339.parse)
        usageCount = row["usage_count"]
    }
}

extension StateStore {
    /// Every version of one key, newest first.
    public func keyHistory(of key: SecretID) throws -> [KeyRecord] {
        try writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM api_key_versions WHERE key_id = ? ORDER BY version DESC",
                             arguments: [key.description]).map(KeyRecord.init(row:))
        }
    }

    /// Every key version the store knows (hashes and states, no values), for verification.
    public func allKeyVersions() throws -> [KeyRecord] {
        try writer.read { db in try Row.fetchAll(db, sql: "SELECT * FROM api_key_versions").map(KeyRecord.init(row:)) }
    }

    /// The highest version each key ever had.
    public func highestKeyVersions() throws -> [SecretID: Int] {
        try writer.read { db in
            var result: [SecretID: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT project_id, name, MAX(version) AS v FROM api_key_versions GROUP BY project_id, name") {
                result[SecretID(project: row["project_id"], name: row["name"])] = row["v"]
            }
            return result
        }
    }

    /// Counts one successful use of a key version (`rotor keys verify`).
    public func recordKeyUse(versionID: String, at now: Date) throws {
        try writer.write { db in
            try db.executeCached(sql: "UPDATE api_key_versions SET usage_count = usage_count + 1, last_used = ? WHERE id = ?",
                           arguments: [RFC3339.format(now), versionID])
        }
    }

    /// Records a read of a key's value (`rotor get --key`).
    public func recordKeyAccess(key: SecretID, version: Int, versionID: String, actor: String, at now: Date) throws {
        try writer.write { db in
            try Self.appendAudit(db, at: now, action: "key.accessed", actor: actor, target: versionID,
                                 metadata: ["key": key.description, "version": String(version)])
        }
    }

    /// Adopts API-key version files from git, inside the caller's transaction.
    ///
    /// New versions are inserted with `key.created` / `key.rotated`; versions that git now
    /// shows revoked or expired (or whose file is gone) transition with `key.revoked` /
    /// `key.expired`. Ended versions keep their hash, so they keep verifying as invalid.
    func reconcileKeys(_ db: Database, files: [SecretID: KeyVersionFile], desired: DesiredState?, revision: String?, now: Date,
                       actor: String, summary: inout ReconcileSummary) throws {
        var known: [String: Row] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT id, key_id, state, value_encrypted, expires_at, rotated_to, recipients, version FROM api_key_versions") {
            known[row["id"]] = row
        }
        for id in files.keys.sorted() {
            guard let file = files[id] else { continue }
            if let spec = desired?.keys[id] { try syncKeyConsumers(db, key: id, consumers: spec.consumers) }
            let consumers = try keyConsumers(db, id.description)
            for version in file.versions.reversed() {
                if let row = known[version.id] {
                    let before = row["state"] as String
                    guard before != version.state.rawValue || row["value_encrypted"] as String? != version.valueEncrypted
                            || row["expires_at"] as String? != version.expiresAt.map(RFC3339.format)
                            || row["rotated_to"] as String? != version.rotatedTo else { continue }
                    if version.state == .active {
                        try db.executeCached(sql: "UPDATE api_key_versions SET state = 'overlap' WHERE key_id = ? AND state = 'active' AND id != ?",
                                       arguments: [id.description, version.id])
                    }
                    try db.executeCached(sql: """
                        UPDATE api_key_versions SET state = ?, value_encrypted = ?, expires_at = ?, rotated_to = ?, ended_at = ?, revoke_reason = ?,
                            recipients = ? WHERE id = ?
                        """, arguments: [version.state.rawValue, version.valueEncrypted, version.expiresAt.map(RFC3339.format), version.rotatedTo,
                                         version.endedAt.map(RFC3339.format), version.revokeReason, version.recipients.joined(separator: ","), version.id])
                    summary.updated += 1
                    if before != version.state.rawValue, !version.state.isValid {
                        try ended(db, id: id, versionID: version.id, number: version.version, revoked: version.state == .revoked,
                                  reason: version.revokeReason, at: version.endedAt ?? now, actor: actor, revision: revision,
                                  consumers: consumers, summary: &summary)
                    }
                    continue
                }
                let rotatedFromID = try version.rotatedFrom.flatMap { number in
                    try String.fetchOne(db, sql: "SELECT id FROM api_key_versions WHERE key_id = ? AND version = ?", arguments: [id.description, number])
                }
                try db.executeCached(sql: """
                    INSERT INTO api_key_versions (id, key_id, project_id, name, version, type, scopes, state, hash, hint, value_encrypted,
                        rotated_from, rotated_to, rotation_reason, created_by, created_at, expires_at, ended_at, revoke_reason, recipients, git_commit)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [version.id, id.description, id.project, id.name, version.version, version.type.rawValue,
                                     version.scopes.joined(separator: " "), version.state.rawValue, version.hash, version.hint,
                                     version.valueEncrypted, rotatedFromID, version.rotatedTo, version.rotationReason, version.createdBy,
                                     RFC3339.format(version.createdAt), version.expiresAt.map(RFC3339.format), version.endedAt.map(RFC3339.format),
                                     version.revokeReason, version.recipients.joined(separator: ","), revision])
                summary.adopted += 1
                let type: EventType = version.rotatedFrom == nil ? .keyCreated : .keyRotated
                try Self.appendAudit(db, at: version.createdAt, action: type.rawValue, actor: version.createdBy, target: version.id,
                                     metadata: ["key": id.description, "version": String(version.version), "type": version.type.rawValue,
                                                "reason": version.rotationReason, "commit": revision ?? ""])
                var data: [String: JSONValue] = ["new_version": .int(version.version), "type": .string(version.type.rawValue),
                                                 "scopes": .array(version.scopes.map(JSONValue.string)), "rotation_reason": .string(version.rotationReason)]
                if let from = version.rotatedFrom {
                    data["rotated_from"] = .int(from)
                    if let old = file.versions.first(where: { $0.version == from }), let end = old.expiresAt {
                        data["old_key_expires_at"] = .string(RFC3339.format(end))
                    }
                }
                let written = try Self.emit(db, type, secret: id, versionID: version.id, versionNumber: version.version, data: data,
                                            consumers: consumers, at: version.createdAt, now: now, idField: "key_id")
                if written.event { summary.events += 1 }
                summary.jobs += written.jobs
                if !version.state.isValid {
                    try ended(db, id: id, versionID: version.id, number: version.version, revoked: version.state == .revoked,
                              reason: version.revokeReason, at: version.endedAt ?? now, actor: actor, revision: revision,
                              consumers: consumers, summary: &summary)
                }
            }
        }
        // A key file that disappeared from git: its valid versions are revoked, never silently kept.
        let fileIDs = Set(files.keys.map(\.description))
        for (versionID, row) in known where !fileIDs.contains(row["key_id"] as String) && KeyVersion.State(rawValue: row["state"])?.isValid == true {
            guard let key = SecretID(parsing: row["key_id"]) else { continue }
            try db.executeCached(sql: "UPDATE api_key_versions SET state = 'revoked', value_encrypted = NULL, ended_at = ?, revoke_reason = ? WHERE id = ?",
                           arguments: [RFC3339.format(now), "spec removed", versionID])
            summary.expired += 1
            try ended(db, id: key, versionID: versionID, number: row["version"], revoked: true, reason: "spec removed", at: now, actor: actor,
                      revision: revision, consumers: try keyConsumers(db, key.description), summary: &summary)
        }
    }

    private func ended(_ db: Database, id: SecretID, versionID: String, number: Int, revoked: Bool, reason: String?, at: Date,
                       actor: String, revision: String?, consumers: [Consumer], summary: inout ReconcileSummary) throws {
        let type: EventType = revoked ? .keyRevoked : .keyExpired
        var metadata = ["key": id.description, "version": String(number), "commit": revision ?? ""]
        if let reason { metadata["reason"] = reason }
        try Self.appendAudit(db, at: at, action: type.rawValue, actor: actor, target: versionID, metadata: metadata)
        var data: [String: JSONValue] = [revoked ? "revoked_version" : "expired_version": .int(number)]
        if let reason { data["reason"] = .string(reason) }
        let written = try Self.emit(db, type, secret: id, versionID: versionID, versionNumber: number, data: data, consumers: consumers,
                                    at: at, now: at, idField: "key_id")
        if written.event { summary.events += 1 }
        summary.jobs += written.jobs
    }

    private func syncKeyConsumers(_ db: Database, key: SecretID, consumers: [Consumer]) throws {
        try db.executeCached(sql: "DELETE FROM api_key_consumers WHERE key_id = ?", arguments: [key.description])
        for consumer in consumers {
            try db.executeCached(sql: "INSERT INTO api_key_consumers (key_id, service, webhook_url) VALUES (?, ?, ?)",
                           arguments: [key.description, consumer.service, consumer.webhook])
        }
    }

    private func keyConsumers(_ db: Database, _ keyID: String) throws -> [Consumer] {
        try Row.fetchAll(db, sql: "SELECT service, webhook_url FROM api_key_consumers WHERE key_id = ? ORDER BY service",
                         arguments: [keyID]).map { Consumer(service: $0["service"], webhook: $0["webhook_url"]) }
    }
}
