import ArgumentParser
import Foundation
import RotorCore

/// `rotor jobs retry ID`: a fresh round of attempts for a job, starting with one right now.
struct JobsRetry: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry",
        abstract: "Try a failed, cancelled or pending job again now, with a fresh round of attempts.",
        discussion: """
            The job is made due now and attempted at once; if that attempt fails, later `rotor deliver` runs retry it on \
            the usual schedule. An endpoint a 410 Gone disabled is enabled again. Audited. Exit codes: 0 delivered; \
            1 error (unknown, running or completed job); 3 the attempt failed (the job is queued again).
            """)

    @OptionGroup var options: GlobalOptions
    @OptionGroup var delivery: DeliveryFlags

    @Argument(help: "The job id, or a unique prefix of at least 8 characters.")
    var id: String

    func run() async throws {
        try await runReporting {
            let engine = try options.engine()
            let (job, reenabled) = try engine.retryJob(id, now: options.now)
            if let reenabled { emit("Re-enabled endpoint \(reenabled).\n") }
            emit("Job \(job.id) is due now with \(job.maxAttempts - job.attempts) more attempts.\n")
            let report = try await engine.deliver(clock: options.deliveryClock, options: delivery.options(), only: [job.id])
            emit(DeliveryRendering.text(report, now: options.now))
            if report.undelivered > 0 { throw ExitCode(3) }
        }
    }
}
