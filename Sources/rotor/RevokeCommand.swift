import ArgumentParser
import Foundation
import RotorCore
import RotorEngine

/// `rotor revoke`: invalidate an API key at once — every valid version, no overlap.
struct Revoke: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Revoke an API key now: every valid version stops verifying at once.")

    @OptionGroup var options: GlobalOptions

    @Argument(help: "The API key, as project/name.")
    var name: String

    @Option(help: "Why (recorded in the key's versions, the commit, the audit log and the key.revoked event).")
    var reason: String

    func validate() throws {
        guard SecretID(parsing: name) != nil else { throw ValidationError("the key must be project/name, each matching \(NameRule.pattern)") }
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("--reason must not be empty") }
    }

    func run() throws {
        try runReporting {
            guard let id = SecretID(parsing: name) else { return }
            let engine = try options.engine()
            _ = try engine.resource(of: id, preferKey: true)
            let result = try engine.apply(now: options.now, revocations: [id: reason], only: PlanTarget(id, .key))
            reportRepairs(result.repairs)
            emit(result.plan.renderText())
            if let commit = result.commit { emit("Committed \(commit.short).\n") }
            if !result.plan.actions.contains(where: { $0.kind == .revoke }) {
                emit("Nothing to revoke: \(id) has no valid version.\n")
            }
        }
    }
}
