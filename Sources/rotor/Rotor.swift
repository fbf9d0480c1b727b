import ArgumentParser

/// `rotor`: the root command is configuration only; each subcommand lives in its own file.
/// (Async because `rotor daemon` is; the other subcommands stay synchronous.)
@main
struct Rotor: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotor",
        abstract: "A GitOps reconciler for secrets and API keys.",
        discussion: """
            Exit codes: 0 success; 1 error (invalid specs, git, gpg or store failure); 2 `plan --detailed-exitcode` found changes; 3 `deliver` or `jobs retry` left deliveries undelivered; 64 usage error; 75 `daemon --once` found the store locked by another rotor.
            """,
        version: RotorVersion.text,
        subcommands: [Init.self, Validate.self, PlanCommand.self, Apply.self, Rotate.self, RollbackCommand.self, Get.self, History.self,
                      Consumers.self, Status.self, Rekey.self, ForecastCommand.self,
                      Revoke.self, Keys.self, Audit.self, Deliver.self, Jobs.self, DaemonCommand.self, Serve.self]
    )
}
