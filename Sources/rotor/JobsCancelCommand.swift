import ArgumentParser
import Foundation
import RotorCore

/// `rotor jobs cancel ID`: a pending job will not run.
struct JobsCancel: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cancel", abstract: "Cancel a pending job (audited). Only pending jobs can be cancelled.")

    @OptionGroup var options: GlobalOptions

    @Argument(help: "The job id, or a unique prefix of at least 8 characters.")
    var id: String

    func run() throws {
        try runReporting {
            let job = try options.engine().cancelJob(id, now: options.now)
            emit("Cancelled job \(job.id) (\(job.attempts) attempt\(job.attempts == 1 ? "" : "s") made).\n")
        }
    }
}
