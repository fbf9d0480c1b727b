import ArgumentParser
import Foundation
import RotorCore

/// `rotor rotate`: rotate one secret now, with the same rules as a due rotation.
struct Rotate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Rotate a secret now (its old version enters its grace period).")

    @OptionGroup var options: GlobalOptions

    @Argument(help: "The secret, as project/name.")
    var secret: String

    @Option(help: "Why (recorded in the version, the commit and the audit log).")
    var reason: String

    func validate() throws {
        guard SecretID(parsing: secret) != nil else { throw ValidationError("secret must be project/name, each matching \(NameRule.pattern)") }
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("--reason must not be empty") }
    }

    func run() throws {
        try runReporting {
            guard let id = SecretID(parsing: secret) else { return }
            let result = try options.engine().apply(now: options.now, forced: [id: reason], only: id)
            emit(result.plan.renderText())
            if let commit = result.commit { emit("Committed \(commit.short).\n") }
            if !result.plan.actions.contains(where: { $0.kind == .rotate || $0.kind == .create }) {
                throw ExitCode(1)
            }
        }
    }
}
