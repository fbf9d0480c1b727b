import ArgumentParser
import Foundation
import RotorCore
import RotorStore

extension JobStatus: ExpressibleByArgument {}

/// `rotor jobs list [--status S]`.
struct JobsList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List jobs, oldest first: status, attempts, when due, what and where.")

    @OptionGroup var options: GlobalOptions

    @Option(help: "Only jobs with this status: pending, running, failed, completed or cancelled.")
    var status: JobStatus?

    func run() throws {
        try runReporting {
            let engine = try options.engine()
            let jobs = try engine.jobs(status: status, now: options.now)
            let disabled = try engine.disabledEndpoints(now: options.now)
            if options.format == .json {
                emit(String(decoding: try RotorJSON.encoder().encode(jobs.map(JobRow.init)), as: UTF8.self) + "\n")
                return
            }
            guard !jobs.isEmpty else {
                emit(status.map { "No \($0.rawValue) jobs.\n" } ?? "No jobs.\n")
                return
            }
            var table = TextTable(["JOB", "STATUS", "ATTEMPTS", "DUE / UPDATED", "EVENT", "SECRET", "SERVICE", "LAST ERROR"])
            for job in jobs {
                let delivery = job.delivery
                let when = job.status == .pending ? RFC3339.format(job.runAt) : RFC3339.format(job.updatedAt)
                table.add([job.id, job.status.rawValue, "\(job.attempts)/\(job.maxAttempts)", when, delivery?.eventType ?? job.type,
                           delivery?.secretID ?? "-", delivery?.service ?? "-", job.lastError.map { String($0.prefix(100)) } ?? "-"])
            }
            emit(table.render())
            for endpoint in disabled {
                emit("Endpoint \(endpoint.url) (\(endpoint.service)) is disabled since \(endpoint.disabledAt.map(RFC3339.format) ?? "?"): \(endpoint.disabledReason ?? "410 Gone"). `rotor jobs retry JOB` enables it again.\n")
            }
        }
    }
}

/// The JSON shape of a job: its record with the delivery payload decoded.
struct JobRow: Encodable {
    let id: String, type: String, status: String, attempts: Int, maxAttempts: Int, runAt: Date
    let lastError: String?, createdAt: Date, updatedAt: Date, lockedBy: String?, lockedUntil: Date?
    let delivery: DeliveryPayload?
    init(_ job: JobRecord) {
        id = job.id; type = job.type; status = job.status.rawValue; attempts = job.attempts; maxAttempts = job.maxAttempts
        runAt = job.runAt; lastError = job.lastError; createdAt = job.createdAt; updatedAt = job.updatedAt
        lockedBy = job.lockedBy; lockedUntil = job.lockedUntil; delivery = job.delivery
    }
}
