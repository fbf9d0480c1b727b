import Foundation
import GRDB
import RotorCore

/// A row of `jobs`: one unit of deferred work (today: one event to one consumer's webhook).
public struct JobRecord: Hashable, Sendable, Codable {
    /// `job_<hex>`, derived from what the job does, so writing it twice is a no-op.
    public var id: String
    /// What kind of work.
    public var type: String
    /// The work's parameters as JSON (never a secret value).
    public var payload: String
    /// Where the job is in its life.
    public var status: JobStatus
    /// Attempts made so far, every round counted.
    public var attempts: Int
    /// Attempts allowed before the job fails (raised by one round on `rotor jobs retry`).
    public var maxAttempts: Int
    /// When the job is next due.
    public var runAt: Date
    /// What went wrong last, if anything.
    public var lastError: String?
    /// When the job was written.
    public var createdAt: Date
    /// When the job last changed.
    public var updatedAt: Date
    /// The process holding a running job, `host:pid`.
    public var lockedBy: String?
    /// When a running job's lease ends and another process may claim it.
    public var lockedUntil: Date?

    init(id: String, type: String, payload: String, status: JobStatus, attempts: Int, maxAttempts: Int, runAt: Date,
         lastError: String?, createdAt: Date, updatedAt: Date, lockedBy: String?, lockedUntil: Date?) {
        self.id = id
        self.type = type
        self.payload = payload
        self.status = status
        self.attempts = attempts
        self.maxAttempts = maxAttempts
        self.runAt = runAt
        self.lastError = lastError
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.lockedBy = lockedBy
        self.lockedUntil = lockedUntil
    }

    init(row: Row) {
        id = row["id"]
        type = row["type"]
        payload = row["payload"]
        status = JobStatus(rawValue: row["status"]) ?? .failed
        attempts = row["attempts"]
        maxAttempts = row["max_attempts"]
        runAt = RFC3339.parse(row["run_at"]) ?? Date(timeIntervalSince1970: 0)
        lastError = row["last_error"]
        createdAt = RFC3339.parse(row["created_at"]) ?? Date(timeIntervalSince1970: 0)
        updatedAt = RFC3339.parse(row["updated_at"]) ?? Date(timeIntervalSince1970: 0)
        lockedBy = row["locked_by"]
        lockedUntil = (row["locked_until"] as String?).flatMap(RFC3339.parse)
    }

    /// The job as a claim has it in flight: running, on the claim's attempt, held by its owner
    /// until its lease ends (the row itself stays pending until an outcome is recorded).
    func inFlight(_ flight: InFlightAttempt?) -> JobRecord {
        guard let flight else { return self }
        var job = self
        job.status = .running
        job.attempts = flight.attempt
        job.updatedAt = flight.claimedAt
        job.lockedBy = flight.owner
        job.lockedUntil = flight.leaseUntil
        return job
    }

    /// The delivery this job makes, for `webhook.delivery` jobs.
    public var delivery: DeliveryPayload? {
        guard type == JobType.webhookDelivery.rawValue else { return nil }
        return try? JSONDecoder().decode(DeliveryPayload.self, from: Data(payload.utf8))
    }
}

/// A delivery job a claim failed without sending it: its endpoint is disabled, or its payload
/// or event cannot be read.
public struct UnsentDelivery: Sendable, Hashable {
    /// The job.
    public let jobID: String
    /// The attempts it had made before.
    public let attempts: Int
    /// What it was to deliver, when that could be read.
    public let delivery: DeliveryPayload?
    /// Why it was not sent.
    public let error: String
}

/// The payload of a `webhook.delivery` job: which event goes to which consumer, where.
public struct DeliveryPayload: Hashable, Sendable, Codable {
    /// The event (also the `webhook-id` header: the receiver's idempotency key).
    public var eventID: String
    /// The event's type, for display.
    public var eventType: String
    /// The secret the event is about.
    public var secretID: String
    /// The consumer service.
    public var service: String
    /// The webhook URL the consumer had when the event happened.
    public var url: String

    /// Creates a payload.
    public init(eventID: String, eventType: String, secretID: String, service: String, url: String) {
        self.eventID = eventID
        self.eventType = eventType
        self.secretID = secretID
        self.service = service
        self.url = url
    }

    enum CodingKeys: String, CodingKey {
        case eventID = "event_id", eventType = "event_type", secretID = "secret_id", service, url
    }
}

/// A row of `delivery_attempts`: one HTTP request and what came of it.
public struct DeliveryAttemptRecord: Hashable, Sendable, Codable {
    /// The job.
    public var jobID: String
    /// 1, 2, 3, … across every round.
    public var attempt: Int
    /// Where the request went.
    public var url: String
    /// When it started (scheduling clock).
    public var startedAt: Date
    /// When its outcome was recorded; nil while in flight.
    public var finishedAt: Date?
    /// The HTTP status, when the receiver answered.
    public var statusCode: Int?
    /// Milliseconds from sending to the complete answer (or to giving up).
    public var latencyMS: Int?
    /// What went wrong, if anything.
    public var error: String?

    /// An attempt in flight: started, no outcome yet.
    init(jobID: String, attempt: Int, url: String, startedAt: Date) {
        self.jobID = jobID
        self.attempt = attempt
        self.url = url
        self.startedAt = startedAt
    }

    init(row: Row) {
        jobID = row["job_id"]
        attempt = row["attempt"]
        url = row["url"]
        startedAt = RFC3339.parse(row["started_at"]) ?? Date(timeIntervalSince1970: 0)
        finishedAt = (row["finished_at"] as String?).flatMap(RFC3339.parse)
        statusCode = row["status_code"]
        latencyMS = row["latency_ms"]
        error = row["error"]
    }
}

/// A row of `webhook_endpoints`: an endpoint rotor stopped delivering to (410 Gone).
public struct WebhookEndpointRecord: Hashable, Sendable, Codable {
    /// The webhook URL.
    public var url: String
    /// The consumer service it belongs to.
    public var service: String
    /// When it was disabled; nil when enabled.
    public var disabledAt: Date?
    /// Why.
    public var disabledReason: String?

    init(row: Row) {
        url = row["url"]
        service = row["service"]
        disabledAt = (row["disabled_at"] as String?).flatMap(RFC3339.parse)
        disabledReason = row["disabled_reason"]
    }
}

/// A delivery job claimed by this process: everything needed to make one attempt.
///
/// A pass hands each one from the claim to the request, its outcome and its record: the job,
/// its delivery and its body are shared, not copied, along the way.
public struct ClaimedDelivery: Sendable {
    /// The parts that never change once claimed.
    @usableFromInline
    final class Parts: Sendable {
        @usableFromInline let job: JobRecord
        @usableFromInline let delivery: DeliveryPayload
        @usableFromInline let body: String

        init(job: JobRecord, delivery: DeliveryPayload, body: String) {
            self.job = job
            self.delivery = delivery
            self.body = body
        }
    }

    @usableFromInline let parts: Parts
    /// The claim (its `job_claims` row) that holds this attempt.
    var claim: Int64
    /// The job's sequence number in the store (what its attempts are keyed by).
    var jobSeq: Int64
    /// This attempt's number.
    public var attempt: Int
    /// The job, as claimed (status `running`).
    @inlinable public var job: JobRecord { parts.job }
    /// Which event goes where.
    @inlinable public var delivery: DeliveryPayload { parts.delivery }
    /// The request body: the event's payload JSON, byte for byte the same on every attempt.
    @inlinable public var body: String { parts.body }

    init(job: JobRecord, claim: Int64, jobSeq: Int64, attempt: Int, delivery: DeliveryPayload, body: String) {
        parts = Parts(job: job, delivery: delivery, body: body)
        self.claim = claim
        self.jobSeq = jobSeq
        self.attempt = attempt
    }
}

/// One finished attempt of a claimed job, ready to be recorded.
public struct FinishedDelivery: Sendable {
    public var claimed: ClaimedDelivery
    /// When the attempt ended (the injected clock).
    public var now: Date
    public var statusCode: Int?
    public var latencyMS: Int?
    public var error: String?
    public var resolution: JobResolution

    public init(claimed: ClaimedDelivery, now: Date, statusCode: Int?, latencyMS: Int?, error: String?, resolution: JobResolution) {
        self.claimed = claimed
        self.now = now
        self.statusCode = statusCode
        self.latencyMS = latencyMS
        self.error = error
        self.resolution = resolution
    }
}

/// How a claimed job ends its attempt.
public enum JobResolution: Hashable, Sendable {
    /// Delivered: `completed`.
    case completed
    /// Back to `pending`, due at this instant.
    case retry(at: Date)
    /// `failed` for good (until `rotor jobs retry`).
    case failed
    /// `failed`, and its endpoint disabled (410 Gone).
    case disableEndpoint
}

/// An attempt a claim has in flight: listed by a `job_claims` row whose job is still pending with
/// one attempt fewer counted (its outcome not recorded yet).
struct InFlightAttempt: Sendable {
    var seq: Int64
    var attempt: Int
    var owner: String
    var claimedAt: Date
    var leaseUntil: Date
}

/// One job a claim lists, with the attempt the claim is on: an element of `job_claims.jobs`.
struct ClaimEntry: Hashable, Sendable {
    var seq: Int64
    var attempt: Int

    /// A claim's `jobs`: a JSON array of `[seq, attempt]` pairs. Anything else in it is skipped.
    static func parse(_ text: String) -> [ClaimEntry] {
        guard let pairs = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [[Any]] else { return [] }
        return pairs.compactMap { pair in
            guard pair.count == 2, let seq = (pair[0] as? NSNumber)?.int64Value, let attempt = (pair[1] as? NSNumber)?.intValue else { return nil }
            return ClaimEntry(seq: seq, attempt: attempt)
        }
    }

    /// `entries` as a claim's `jobs` text.
    static func json(_ entries: some Sequence<ClaimEntry>) -> String {
        var text = "[", first = true
        for entry in entries {
            text += first ? "[" : ",["
            first = false
            text += "\(entry.seq),\(entry.attempt)]"
        }
        return text + "]"
    }
}

extension DeliveryPayload {
    /// Reads a delivery job's payload (Foundation's decoder); nil when it is not one (the job
    /// cannot be sent, and says so).
    static func read(_ text: String) -> DeliveryPayload? {
        StoreJSON.value(DeliveryPayload.self, from: text)
    }
}
