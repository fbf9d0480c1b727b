import Foundation
import GRDB
import RotorCore

extension StateStore {
    /// The newest finished delivery attempt to each of `urls` (absent when none was made).
    public func lastAttempts(urls: [String]) throws -> [String: DeliveryAttemptRecord] {
        guard !urls.isEmpty else { return [:] }
        return try writer.read { db in
            var found: [String: DeliveryAttemptRecord] = [:]
            for url in Set(urls) {
                if let row = try Row.fetchOne(db, sql: """
                    SELECT j.id AS job_id, a.attempt, a.url, a.started_at, a.finished_at, a.status_code, a.latency_ms, a.error
                    FROM delivery_attempts a JOIN jobs j ON a.job_seq = j.seq WHERE a.url = ? ORDER BY a.started_at DESC, a.attempt DESC LIMIT 1
                    """, arguments: [url]) {
                    found[url] = DeliveryAttemptRecord(row: row)
                }
            }
            return found
        }
    }

    /// Enables the disabled endpoints among `urls` (a 410 Gone or repeated failures disabled
    /// them); audited as `webhook.endpoint_enabled`, one row per endpoint.
    ///
    /// - Returns: The URLs that were disabled and are now enabled.
    public func enableEndpoints(urls: [String], now: Date, actor: String) throws -> [String] {
        try writer.write { db in
            guard try db.tableExists("webhook_endpoints") else { return [] }
            var enabled: [String] = []
            for url in Set(urls).sorted() {
                guard let reason = try String.fetchOne(db, sql: "SELECT disabled_reason FROM webhook_endpoints WHERE url = ? AND disabled_at IS NOT NULL",
                                                       arguments: [url]) else { continue }
                try db.execute(sql: "UPDATE webhook_endpoints SET disabled_at = NULL, disabled_reason = NULL WHERE url = ?", arguments: [url])
                try Self.appendAudit(db, at: now, action: "webhook.endpoint_enabled", actor: actor, target: url, metadata: ["was": reason])
                enabled.append(url)
            }
            return enabled
        }
    }
}
