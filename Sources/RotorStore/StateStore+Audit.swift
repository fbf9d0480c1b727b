import Crypto
import Foundation
import GRDB
import RotorCore

extension StateStore {
    /// The hash every chain starts from.
    static let genesisHash = String(repeating: "0", count: 64)

    /// Appends one audit row chained to the previous row's hash. Call inside a write transaction.
    static func appendAudit(_ db: Database, at now: Date, action: String, actor: String, target: String,
                            metadata: [String: String]) throws {
        try appendAudit(db, [AuditEntry(at: now, action: action, actor: actor, target: target, metadata: metadata)])
    }

    /// One audit row to append.
    struct AuditEntry {
        var at: Date
        var action: String
        var actor: String
        var target: String
        var metadata: [String: String]
    }

    /// Appends rows in order, chaining each to the one before: the previous row is read and the
    /// anchor moved once for the whole group, not once a row.
    static func appendAudit(_ db: Database, _ entries: [AuditEntry]) throws {
        guard !entries.isEmpty else { return }
        let previous = try Row.fetchOne(try db.cachedStatement(sql: "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1"))
        var prevHash: String = previous?["hash"] ?? genesisHash
        var seq: Int64 = previous?["seq"] ?? 0
        for entry in entries {
            seq += 1
            let metadataJSON = try canonicalJSON(entry.metadata)
            let at = RFC3339.format(entry.at)
            let hash = chainHash(prev: prevHash, seq: seq, at: at, action: entry.action, actor: entry.actor, target: entry.target, metadata: metadataJSON)
            try db.executeCached(sql: """
                INSERT INTO audit_log (seq, at, action, actor, target_id, metadata, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [seq, at, entry.action, entry.actor, entry.target, metadataJSON, prevHash, hash])
            prevHash = hash
        }
        // The anchor remembers the newest row, so deleting rows at the end of the log is detected too.
        try db.executeCached(sql: "UPDATE audit_anchor SET last_seq = ?, last_hash = ? WHERE id = 1", arguments: [seq, prevHash])
    }

    static func chainHash(prev: String, seq: Int64, at: String, action: String, actor: String, target: String, metadata: String) -> String {
        let fields = [prev, String(seq), at, action, actor, target, metadata].map { "\($0.utf8.count):\($0)" }.joined()
        return HexEncoding.lowercase(SHA256.hash(data: Data(fields.utf8)))
    }

    /// Sorted-key JSON of the metadata (verification hashes the stored text, never a re-encoding).
    static func canonicalJSON(_ metadata: [String: String]) throws -> String {
        try StoreJSON.text(metadata)
    }

    /// The audit log, oldest first, optionally filtered.
    public func auditLog(since: Date? = nil, action: String? = nil) throws -> [AuditRecord] {
        try writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM audit_log ORDER BY seq").map(AuditRecord.init(row:))
                .filter { record in (since.map { record.at >= $0 } ?? true) && (action.map { record.action == $0 } ?? true) }
        }
    }

    /// Checks the hash chain and its anchor; returns a description of the first bad row, or nil when intact.
    public func verifyAudit() throws -> String? {
        let rows = try auditLog()
        let anchor = try writer.read { db in try Row.fetchOne(db, sql: "SELECT last_seq, last_hash FROM audit_anchor WHERE id = 1") }
        var prev = Self.genesisHash
        var expectedSeq: Int64 = 1
        for row in rows {
            if row.seq != expectedSeq { return "audit row \(expectedSeq) is missing (next row is \(row.seq))" }
            if row.prevHash != prev { return "audit row \(row.seq) does not follow row \(row.seq - 1) (chain broken: reordered or deleted rows)" }
            let hash = Self.chainHash(prev: row.prevHash, seq: row.seq, at: RFC3339.format(row.at), action: row.action,
                                      actor: row.actor, target: row.targetID, metadata: row.metadata)
            if hash != row.hash { return "audit row \(row.seq) was edited (its hash does not match its content)" }
            prev = row.hash
            expectedSeq += 1
        }
        if let anchor {
            let lastSeq: Int64 = anchor["last_seq"]
            let lastHash: String = anchor["last_hash"]
            if lastSeq != expectedSeq - 1 || lastHash != prev {
                return lastSeq >= expectedSeq ? "audit rows \(expectedSeq) to \(lastSeq) are missing (deleted from the end of the log)"
                                              : "the audit log does not end where its anchor says (row \(lastSeq))"
            }
        }
        return nil
    }
}
