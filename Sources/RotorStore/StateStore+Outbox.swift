import Crypto
import Foundation
import GRDB
import RotorCore

extension StateStore {
    /// Attempts in one round of a delivery job: the first and 5 retries.
    public static let deliveryAttemptsPerRound = 6

    /// The consumers the store knows for a secret (used when the specs are not at hand).
    static func consumersOf(_ db: Database, _ secretID: String) throws -> [Consumer] {
        try Row.fetchAll(db.cachedStatement(sql: "SELECT service, webhook_url FROM secret_consumers WHERE secret_id = ? ORDER BY service"),
                         arguments: [secretID]).map { Consumer(service: $0["service"], webhook: $0["webhook_url"]) }
    }

    /// The event for a new version: `secret.created` or `secret.rotated`.
    ///
    /// For a rotation, `grace_expires_at` is when the replaced version stops working; for a
    /// rollback, `rolled_back_to` is the older version whose value is live again.
    static func emit(_ db: Database, _ type: EventType, secret: SecretID, version: SecretVersion, replacedGraceEnd: Date?,
                     consumers: [Consumer], at: Date, now: Date) throws -> (event: Bool, jobs: Int) {
        var data: [String: JSONValue] = ["new_version": .int(version.version), "rotation_reason": .string(version.rotationReason)]
        if let from = version.rotatedFrom { data["rotated_from"] = .int(from) }
        if let to = version.rolledBackTo { data["rolled_back_to"] = .int(to) }
        if let replacedGraceEnd { data["grace_expires_at"] = .string(RFC3339.format(replacedGraceEnd)) }
        return try emit(db, type, secret: secret, versionID: version.id, versionNumber: version.version, data: data,
                        consumers: consumers, at: at, now: now)
    }

    /// Writes one outbox event and, when it is new, one delivery job per consumer with a webhook.
    ///
    /// The event id is derived from (type, version) and each job id from (event, service), so
    /// a second write of either is a no-op. Call inside the transaction that makes the change.
    ///
    /// - Returns: Whether the event was new, and how many jobs were queued.
    static func emit(_ db: Database, _ type: EventType, secret: SecretID, versionID: String, versionNumber: Int,
                     data: [String: JSONValue], consumers: [Consumer], at: Date, now: Date,
                     idField: String = "secret_id") throws -> (event: Bool, jobs: Int) {
        let eventID = "evt_" + shortDigest("\(type.rawValue):\(versionID)")
        var fullData = data
        fullData[idField] = .string(secret.description)
        fullData["project"] = .string(secret.project)
        fullData["name"] = .string(secret.name)
        fullData["version_id"] = .string(versionID)
        let payload: JSONValue = .object(["type": .string(type.rawValue), "timestamp": .string(RFC3339.format(at)), "data": .object(fullData)])
        let consumersJSON: JSONValue = .array(consumers.map { consumer in
            .object(["service": .string(consumer.service), "webhook": consumer.webhook.map(JSONValue.string) ?? .null])
        })
        try db.executeCached(sql: """
            INSERT INTO events (id, type, secret_id, version_id, occurred_at, payload, consumers) VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (id) DO NOTHING
            """, arguments: [eventID, type.rawValue, secret.description, versionID, RFC3339.format(at), try StoreJSON.text(payload), try StoreJSON.text(consumersJSON)])
        guard db.changesCount > 0 else { return (false, 0) }
        var jobs = 0
        for consumer in consumers {
            guard let url = consumer.webhook else { continue }
            let delivery = DeliveryPayload(eventID: eventID, eventType: type.rawValue, secretID: secret.description,
                                           service: consumer.service, url: url)
            if try enqueue(db, id: deliveryJobID(eventID: eventID, service: consumer.service), type: .webhookDelivery,
                           payload: delivery, runAt: now, now: now) {
                jobs += 1
            }
        }
        return (true, jobs)
    }

    /// The id of the job delivering `eventID` to `service`: `job_<hex>` of both.
    public static func deliveryJobID(eventID: String, service: String) -> String {
        "job_" + shortDigest("\(eventID):\(service)")
    }

    /// Inserts a pending job unless one with that id exists; returns whether it was new.
    static func enqueue(_ db: Database, id: String, type: JobType, payload: some Encodable, runAt: Date, now: Date) throws -> Bool {
        let json = try StoreJSON.text(payload)
        try db.executeCached(sql: """
            INSERT OR IGNORE INTO jobs (id, type, payload, status, attempts, max_attempts, run_at, created_at, updated_at)
            VALUES (?, ?, ?, 'pending', 0, ?, ?, ?, ?)
            """, arguments: [id, type.rawValue, json, deliveryAttemptsPerRound, RFC3339.format(runAt), RFC3339.format(now), RFC3339.format(now)])
        return db.changesCount > 0
    }

    /// The first 16 bytes of SHA-256, hex: short, stable ids.
    static func shortDigest(_ text: String) -> String {
        HexEncoding.lowercase(SHA256.hash(data: Data(text.utf8)).prefix(16))
    }
}
