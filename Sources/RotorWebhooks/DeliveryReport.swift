import Foundation
import RotorStore

/// What one delivery attempt did, for people and tests.
public struct DeliveryResult: Sendable, Hashable, Codable {
    /// What happened to the job.
    public enum Result: String, Sendable, Hashable, Codable {
        /// The receiver answered 2xx.
        case delivered
        /// The attempt failed; the job waits for `nextAttemptAt`.
        case retrying
        /// The attempt failed and it was the last of the round.
        case failed
        /// The receiver answered 410 Gone; the endpoint is disabled.
        case endpointDisabled = "endpoint-disabled"
        /// The pass ran out of time first; the attempt was not counted.
        case released
        /// Failed without a request: its endpoint is disabled (a 410 earlier), or the job
        /// cannot be read. `rotor jobs retry` sends it again (and enables the endpoint).
        case notSent = "not-sent"
    }

    /// The job.
    public var jobID: String
    /// The event, the `webhook-id` the receiver saw.
    public var eventID: String
    /// The event's type.
    public var eventType: String
    /// The consumer service.
    public var service: String
    /// The endpoint.
    public var url: String
    /// The attempt's number.
    public var attempt: Int
    /// What happened.
    public var result: Result
    /// The HTTP status, when there was one.
    public var statusCode: Int?
    /// How long the attempt took.
    public var latencyMS: Int
    /// What went wrong, naming the endpoint.
    public var error: String?
    /// When the job is due again (retrying only).
    public var nextAttemptAt: Date?
}

/// What a delivery pass did.
public struct DeliveryReport: Sendable, Codable {
    /// Every attempt made, in the order they finished.
    public var results: [DeliveryResult] = []
    /// How long the delivery work took in real time: from the first claim to the last outcome
    /// recorded (process start, reading the repository and reconciling the store not). The
    /// signing keys of the services with deliveries due are decrypted while the store is
    /// reconciled, before the pass; any other key the pass needs is decrypted within it.
    public var passSeconds: Double = 0
    /// The CPU time the whole process used over the same span, user and system, every thread
    /// (the HTTP event loop's included; in the daemon, its health server's too).
    public var passCPUSeconds: Double = 0

    /// Creates an empty report.
    public init() {}

    /// The CPU time this process has used so far, user and system, every thread.
    static func processCPUSeconds() -> Double {
        var usage = rusage()
        guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return 0 }
        let seconds = { (time: timeval) in Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// Attempts that delivered.
    public var delivered: Int { results.filter { $0.result == .delivered }.count }
    /// Attempts that did not deliver (retrying, failed, endpoint disabled).
    public var undelivered: Int { results.filter { $0.result != .delivered && $0.result != .released }.count }
}
