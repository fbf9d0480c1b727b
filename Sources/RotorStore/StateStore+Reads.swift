import Foundation
import GRDB
import RotorCore

/// One audited read of a value through the control plane, and the key use that authorised it.
public struct ValueRead: Sendable, Hashable {
    /// `secret.accessed` or `key.accessed`.
    public var action: String
    /// The secret or key read.
    public var target: SecretID
    /// Its version number.
    public var version: Int
    /// The version's id (the audit row's target).
    public var versionID: String
    /// Who read it: the API key and its service, e.g. `payments/billing-reader v3 (billing)`.
    public var actor: String
    /// When.
    public var at: Date
    /// The API key version that authenticated the request, whose use is counted.
    public var keyVersionID: String?
    /// How the read came: `api`, or `web` for the management page's Reveal.
    public var via: String

    /// Creates a read.
    public init(action: String, target: SecretID, version: Int, versionID: String, actor: String, at: Date, keyVersionID: String?,
                via: String = "api") {
        self.action = action
        self.target = target
        self.version = version
        self.versionID = versionID
        self.actor = actor
        self.at = at
        self.keyVersionID = keyVersionID
        self.via = via
    }
}

/// One row for the control plane's journal: a value read (audit row and key use), a key use
/// alone, or another audited action.
public enum JournalEntry: Sendable {
    case read(ValueRead)
    case keyUse(versionID: String, at: Date)
    case audit(action: String, actor: String, target: String, metadata: [String: String], at: Date)
}

extension StateStore {
    /// Writes journal entries in one transaction (a group commit): when this returns, every row
    /// is durable; when it throws, none is.
    public func recordJournal(_ entries: [JournalEntry]) throws {
        guard !entries.isEmpty else { return }
        try writer.write { db in
            for entry in entries {
                switch entry {
                case .read(let read):
                    try Self.appendAudit(db, at: read.at, action: read.action, actor: read.actor, target: read.versionID,
                                         metadata: [read.action.hasPrefix("key.") ? "key" : "secret": read.target.description,
                                                    "version": String(read.version), "via": read.via])
                    if let key = read.keyVersionID { try Self.countKeyUse(db, versionID: key, at: read.at) }
                case .keyUse(let versionID, let at):
                    try Self.countKeyUse(db, versionID: versionID, at: at)
                case .audit(let action, let actor, let target, let metadata, let at):
                    try Self.appendAudit(db, at: at, action: action, actor: actor, target: target, metadata: metadata)
                }
            }
        }
    }

    static func countKeyUse(_ db: Database, versionID: String, at now: Date) throws {
        try db.executeCached(sql: "UPDATE api_key_versions SET usage_count = usage_count + 1, last_used = MAX(COALESCE(last_used, ''), ?) WHERE id = ?",
                             arguments: [RFC3339.format(now), versionID])
    }

    /// One page of the audit log, oldest first: rows after `after` (a `seq`), at or after
    /// `since`, with `action` when given.
    public func auditPage(since: Date?, action: String?, after: Int64?, limit: Int) throws -> [AuditRecord] {
        try writer.read { db in
            var clauses = ["seq > ?"]
            var arguments: StatementArguments = [after ?? 0]
            if let since {
                clauses.append("at >= ?")
                _ = arguments.append(contentsOf: [RFC3339.format(since)])
            }
            if let action {
                clauses.append("action = ?")
                _ = arguments.append(contentsOf: [action])
            }
            _ = arguments.append(contentsOf: [limit])
            return try Row.fetchAll(db, sql: "SELECT * FROM audit_log WHERE \(clauses.joined(separator: " AND ")) ORDER BY seq LIMIT ?",
                                    arguments: arguments).map(AuditRecord.init(row:))
        }
    }
}
