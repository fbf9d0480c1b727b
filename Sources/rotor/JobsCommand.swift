import ArgumentParser

/// `rotor jobs`: the job queue (webhook deliveries): list, show, retry, cancel.
struct Jobs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Inspect and steer the job queue: webhook deliveries and their attempts.",
        subcommands: [JobsList.self, JobsShow.self, JobsRetry.self, JobsCancel.self],
        defaultSubcommand: JobsList.self)
}
