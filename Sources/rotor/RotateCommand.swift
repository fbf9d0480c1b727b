import ArgumentParser
import Foundation
import RotorCore
import RotorEngine
import RotorWebhooks

/// `rotor rotate`: rotate one secret or API key now, with the same rules as a due rotation;
/// then deliver due webhooks, as apply does.
struct Rotate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Rotate a secret or API key now (the old version enters its grace period or overlap).")

    @OptionGroup var options: GlobalOptions
    @OptionGroup var delivery: DeliveryFlags

    @Option(name: .long, help: ArgumentHelp("Seconds the webhook deliveries after the commit may take in all; 0 skips them.", valueName: "seconds"))
    var deliverTimeout: Double = 30

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
        guard deliverTimeout >= 0 else { throw ValidationError("--deliver-timeout must be 0 (no delivery) or more") }
    }

    func run() async throws {
        try await runReporting {
            guard let id = SecretID(parsing: name) else { return }
            let engine = try options.engine()
            let resource = try engine.resource(of: id, preferKey: key ? true : isSecret ? false : nil)
            if resource == .key {
                let preview = try engine.previewKeyRotation(id, reason: reason, now: options.now)
                emit(preview.keyRotationExplanation())
                guard preview.actions.contains(where: { $0.kind == .rotate || $0.kind == .create }) else { throw ExitCode(1) }
                try Confirmation.require(yes: yes, question: "Rotate key \(id)?")
            }
            let result = resource == .key
                ? try engine.apply(now: options.now, forcedKeys: [id: reason], only: PlanTarget(id, .key))
                : try engine.apply(now: options.now, forced: [id: reason], only: PlanTarget(id, .secret))
            reportRepairs(result.repairs)
            emit(result.plan.renderText())
            if let commit = result.commit { emit("Committed \(commit.short).\n") }
            if deliverTimeout > 0 {
                let report = try await engine.deliverAfterApply(clock: options.deliveryClock, options: delivery.options(passTimeout: deliverTimeout))
                if !report.results.isEmpty { emit(DeliveryRendering.text(report, now: options.now)) }
            }
            if !result.plan.actions.contains(where: { $0.kind == .rotate || $0.kind == .create }) {
                throw ExitCode(1)
            }
        }
    }
}
