import ArgumentParser
import Foundation
import RotorCore
import RotorStore

/// `rotor jobs show ID`: one job and every attempt (status code, latency, error).
struct JobsShow: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one job and every attempt: status code, latency, error.")

    @OptionGroup var options: GlobalOptions

    @Argument(help: "The job id, or a unique prefix of at least 8 characters.")
    var id: String

    func run() throws {
        try runReporting {
            let detail = try options.engine().job(id, now: options.now)
            let job = detail.job
            if options.format == .json {
                struct Shape: Encodable { let job: JobRow; let attempts: [DeliveryAttemptRecord] }
                emit(String(decoding: try RotorJSON.encoder().encode(Shape(job: JobRow(job), attempts: detail.attempts)), as: UTF8.self) + "\n")
                return
            }
            var text = "job \(job.id)\n"
            var fields: [(String, String)] = [("type", job.type), ("status", job.status.rawValue),
                                              ("attempts", "\(job.attempts) of \(job.maxAttempts)")]
            if let delivery = job.delivery {
                fields += [("event", "\(delivery.eventType) \(delivery.eventID) (the webhook-id)"), ("secret", delivery.secretID),
                           ("service", delivery.service), ("url", delivery.url)]
            }
            fields.append((job.status == .pending ? "due" : "run at", RFC3339.format(job.runAt)))
            fields += [("created", RFC3339.format(job.createdAt)), ("updated", RFC3339.format(job.updatedAt))]
            if let owner = job.lockedBy { fields.append(("held by", "\(owner) until \(job.lockedUntil.map(RFC3339.format) ?? "?")")) }
            if let error = job.lastError { fields.append(("last error", error)) }
            if let endpoint = detail.disabledEndpoint {
                fields.append(("endpoint", "disabled since \(endpoint.disabledAt.map(RFC3339.format) ?? "?") (\(endpoint.disabledReason ?? "410 Gone")); `rotor jobs retry \(job.id)` enables it again"))
            }
            let width = fields.map(\.0.count).max() ?? 0
            for (name, value) in fields { text += "  \(name.padding(toLength: width, withPad: " ", startingAt: 0))  \(value)\n" }
            if detail.attempts.isEmpty {
                text += "No attempts yet.\n"
            } else {
                var table = TextTable(["ATTEMPT", "STARTED", "STATUS", "LATENCY", "ERROR"])
                for attempt in detail.attempts {
                    let status = attempt.statusCode.map(String.init) ?? (attempt.finishedAt == nil ? "in flight" : "-")
                    table.add(["\(attempt.attempt)", RFC3339.format(attempt.startedAt), status,
                               attempt.latencyMS.map { "\($0) ms" } ?? "-", attempt.error ?? "-"])
                }
                text += table.render()
            }
            emit(text)
        }
    }
}
