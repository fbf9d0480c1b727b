import Foundation
import GRDB
import RotorCore

/// A row of `secret_versions`: one version's history, kept after the value is gone.
public struct VersionRecord: Hashable, Sendable {
    public var id: String
    public var secretID: SecretID
    public var version: Int
    public var state: String
    public var active: Bool
    public var valueEncrypted: String?
    public var rotatedFromID: String?
    public var rotatedFromVersion: Int?
    public var rotationReason: String
    public var createdBy: String
    public var createdAt: Date
    public var graceExpiresAt: Date?
    public var expiredAt: Date?
    public var source: String
    public var recipients: [String]
    public var gitCommit: String?

    init(row: Row) {
        id = row["id"]
        secretID = SecretID(project: row["project_id"], name: row["name"])
        version = row["version"]
        state = row["state"]
        active = row["active"]
        valueEncrypted = row["value_encrypted"]
        rotatedFromID = row["rotated_from"]
        rotatedFromVersion = row["rotated_from_version"]
        rotationReason = row["rotation_reason"]
        createdBy = row["created_by"]
        createdAt = RFC3339.parse(row["created_at"]) ?? Date(timeIntervalSince1970: 0)
        graceExpiresAt = (row["grace_expires_at"] as String?).flatMap(RFC3339.parse)
        expiredAt = (row["expired_at"] as String?).flatMap(RFC3339.parse)
        source = row["source"]
        recipients = (row["recipients"] as String).split(separator: ",").map(String.init)
        gitCommit = row["git_commit"]
    }
}

/// A row of `secret_consumers`.
public struct ConsumerRecord: Hashable, Sendable {
    public var secretID: SecretID
    public var service: String
    public var webhookURL: String?
    public var lastUsedAt: Date?

    /// Creates a consumer record.
    public init(secretID: SecretID, service: String, webhookURL: String?, lastUsedAt: Date?) {
        self.secretID = secretID
        self.service = service
        self.webhookURL = webhookURL
        self.lastUsedAt = lastUsedAt
    }
}

/// A row of `audit_log`: append-only, each row carrying the hash of the one before.
public struct AuditRecord: Hashable, Sendable, Codable {
    public var seq: Int64
    public var at: Date
    public var action: String
    public var actor: String
    public var targetID: String
    public var metadata: String
    public var prevHash: String
    public var hash: String

    init(row: Row) {
        seq = row["seq"]
        at = RFC3339.parse(row["at"]) ?? Date(timeIntervalSince1970: 0)
        action = row["action"]
        actor = row["actor"]
        targetID = row["target_id"]
        metadata = row["metadata"]
        prevHash = row["prev_hash"]
        hash = row["hash"]
    }
}

/// A row of `events`: the outbox of notifications the webhook worker delivers.
public struct EventRecord: Hashable, Sendable, Codable {
    public var id: String
    public var type: String
    public var secretID: String
    public var versionID: String?
    public var occurredAt: Date
    public var payload: String
    public var consumers: String

    init(row: Row) {
        id = row["id"]
        type = row["type"]
        secretID = row["secret_id"]
        versionID = row["version_id"]
        occurredAt = RFC3339.parse(row["occurred_at"]) ?? Date(timeIntervalSince1970: 0)
        payload = row["payload"]
        consumers = row["consumers"]
    }
}
