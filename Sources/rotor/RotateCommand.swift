import ArgumentParser
import Foundation
import RotorCore
import RotorEngine

/// `rotor rotate`: rotate one secret or API key now, with the same rules as a due rotation.
struct Rotate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Rotate a secret or API key now (the old version enters its grace period or overlap).")

    @OptionGroup var options: GlobalOptions

    @Argument(help: "The secret or API key, as project/name.")
    var name: String

    @Option(help: "Why (recorded in the version, the commit and the audit log).")
    var reason: String

    @Flag(help: "The name is an API key (needed only when a secret has the same name).")
    var key = false

    @Flag(name: .customLong("secret"), help: "The name is a secret (needed only when an API key has the same name).")
    var isSecret = false

    @Flag(name: .shortAndLong, help: "Rotate an API key without asking (for scripts).")
    var yes = false

    func validate() throws {
        if key && isSecret { throw ValidationError("--key and --secret exclude each other") }
        guard SecretID(parsing: name) != nil else { throw ValidationError("secret must be project/name, each matching \(NameRule.pattern)") }
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("--reason must not be empty") }
    }

    func run() throws {
        try runReporting {
            guard let id = SecretID(parsing: name) else { return }
            let engine = try options.engine()
            let resource = try engine.resource(of: id, preferKey: key ? true : isSecret ? false : nil)
            if resource == .key {
                let preview = try engine.previewKeyRotation(id, reason: reason, now: options.now)
                emit(KeyRotationWarning.text(preview))
                guard preview.actions.contains(where: { $0.kind == .rotate || $0.kind == .create }) else { throw ExitCode(1) }
                try Confirmation.require(yes: yes, question: "Rotate key \(id)?")
            }
            let result = resource == .key
                ? try engine.apply(now: options.now, forcedKeys: [id: reason], only: PlanTarget(id, .key))
                : try engine.apply(now: options.now, forced: [id: reason], only: PlanTarget(id, .secret))
            emit(result.plan.renderText())
            if let commit = result.commit { emit("Committed \(commit.short).\n") }
            if !result.plan.actions.contains(where: { $0.kind == .rotate || $0.kind == .create }) {
                throw ExitCode(1)
            }
        }
    }
}
