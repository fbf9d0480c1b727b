import ArgumentParser
import Foundation
import RotorCore
import RotorWebhooks

/// `rotor rotate`: rotate one secret now, with the same rules as a due rotation; then deliver due webhooks, as apply does.
struct Rotate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Rotate a secret now (its old version enters its grace period).")

    @OptionGroup var options: GlobalOptions
    @OptionGroup var delivery: DeliveryFlags

    @Option(name: .long, help: ArgumentHelp("Seconds the webhook deliveries after the commit may take in all; 0 skips them.", valueName: "seconds"))
    var deliverTimeout: Double = 30

    @Argument(help: "The secret, as project/name.")
    var secret: String

    @Option(help: "Why (recorded in the version, the commit and the audit log).")
    var reason: String

    func validate() throws {
        guard SecretID(parsing: secret) != nil else { throw ValidationError("secret must be project/name, each matching \(NameRule.pattern)") }
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("--reason must not be empty") }
        guard deliverTimeout >= 0 else { throw ValidationError("--deliver-timeout must be 0 (no delivery) or more") }
    }

    func run() async throws {
        try await runReporting {
            guard let id = SecretID(parsing: secret) else { return }
            let engine = try options.engine()
            let result = try engine.apply(now: options.now, forced: [id: reason], only: id)
            emit(result.plan.renderText())
            if let commit = result.commit { emit("Committed \(commit.short).\n") }
            if deliverTimeout > 0 {
                let report = try await engine.deliver(clock: options.deliveryClock, options: delivery.options(passTimeout: deliverTimeout))
                if !report.results.isEmpty { emit(DeliveryRendering.text(report, now: options.now)) }
            }
            if !result.plan.actions.contains(where: { $0.kind == .rotate || $0.kind == .create }) {
                throw ExitCode(1)
            }
        }
    }
}
