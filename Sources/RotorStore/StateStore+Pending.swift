import Foundation
import GRDB
import RotorCore

extension StateStore {
    /// Keeps versions that were committed locally but never reached the remote, in one transaction.
    ///
    /// A row for the same slot (secret or key, version number) is replaced: the newest unpushed
    /// attempt is the one a re-plan reuses.
    public func savePending(_ versions: [PendingVersion]) throws {
        guard !versions.isEmpty else { return }
        try writer.write { db in
            for version in versions {
                try db.execute(sql: "DELETE FROM pending_versions WHERE resource = ? AND target = ? AND version = ? AND version_id != ?",
                               arguments: [version.resource.rawValue, version.target.description, version.version, version.versionID])
                try db.execute(sql: """
                    INSERT INTO pending_versions (version_id, resource, target, version, value_encrypted, recipients, source,
                        source_digest, key_hash, key_hint, from_commit, saved_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (version_id) DO NOTHING
                    """, arguments: [version.versionID, version.resource.rawValue, version.target.description, version.version,
                                     version.valueEncrypted, version.recipients.joined(separator: ","), version.source,
                                     version.sourceDigest, version.keyHash, version.keyHint, version.fromCommit,
                                     RFC3339.format(version.savedAt)])
            }
        }
    }

    /// Every pending version, by slot.
    public func pendingVersions() throws -> [PendingVersion.Slot: PendingVersion] {
        try writer.read { db in
            guard try db.tableExists("pending_versions") else { return [:] }
            var result: [PendingVersion.Slot: PendingVersion] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT * FROM pending_versions ORDER BY saved_at") {
                let pending = PendingVersion(row: row)
                result[pending.slot] = pending
            }
            return result
        }
    }

    /// Drops pending versions that are settled: git has them (adopted), their number was taken by
    /// another version, or (when `desired` is known) their secret or key has no spec any more.
    ///
    /// Runs inside ``reconcile(files:keyFiles:desired:revision:now:actor:warnings:midTransaction:)``,
    /// so a pending row disappears in the same transaction that adopts its version.
    func prunePending(_ db: Database, desired: DesiredState?) throws {
        try db.execute(sql: """
            DELETE FROM pending_versions
            WHERE (resource = 'secret' AND (version_id IN (SELECT id FROM secret_versions)
                       OR version <= (SELECT MAX(version) FROM secret_versions WHERE secret_id = pending_versions.target)))
               OR (resource = 'key' AND (version_id IN (SELECT id FROM api_key_versions)
                       OR version <= (SELECT MAX(version) FROM api_key_versions WHERE key_id = pending_versions.target)))
            """)
        guard let desired else { return }
        for row in try Row.fetchAll(db, sql: "SELECT version_id, resource, target FROM pending_versions") {
            guard let target = SecretID(parsing: row["target"]) else { continue }
            let known = (row["resource"] as String) == "key" ? desired.keys[target] != nil : desired.secrets[target] != nil
            if !known { try db.execute(sql: "DELETE FROM pending_versions WHERE version_id = ?", arguments: [row["version_id"] as String]) }
        }
    }
}
