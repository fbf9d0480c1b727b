import ArgumentParser
import Foundation
import RotorCore
import RotorEngine
import RotorWebhooks

/// `rotor rollback`: bring back the value of a version still in its grace period, as a new
/// version; then deliver due webhooks, as rotate does.
struct RollbackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Make a version in its grace period live again, as a new version (the current one enters its grace period).",
        discussion: """
            The value of vK comes back as vN+1: history never rewinds. Without --to-version, K is the newest \
            version still in its grace period. After vK's grace period ended its value is gone, and the \
            rollback is refused with nothing changed (exit 1).
            """)

    @OptionGroup var options: GlobalOptions
    @OptionGroup var delivery: DeliveryFlags

    @Option(name: .long, help: ArgumentHelp("Seconds the webhook deliveries after the commit may take in all; 0 skips them.", valueName: "seconds"))
    var deliverTimeout: Double = 30

    @OptionGroup var target: TargetArgument

    @Option(help: "Why (recorded in the version, the commit and the audit log).")
    var reason: String

    @Option(name: .customLong("to-version"), help: ArgumentHelp("The version whose value comes back (default: the newest one in its grace period).", valueName: "N"))
    var toVersion: Int?

    @Flag(help: "Remove the current version at once instead of giving it a grace period (its value leaked).")
    var expireCurrent = false

    @Flag(help: "Show what the rollback would do; change nothing.")
    var dryRun = false

    func validate() throws {
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("--reason must not be empty") }
        if let toVersion, toVersion < 1 { throw ValidationError("--to-version must be 1 or more") }
        guard deliverTimeout >= 0 else { throw ValidationError("--deliver-timeout must be 0 (no delivery) or more") }
    }

    func run() async throws {
        try await runReporting {
            let engine = try options.engine()
            if dryRun {
                let plan = try engine.previewRollback(target.id, to: toVersion, reason: reason, expireCurrent: expireCurrent, now: options.now)
                emit(plan.renderText())
                return
            }
            let result = try engine.rollback(target.id, to: toVersion, reason: reason, expireCurrent: expireCurrent, now: options.now)
            reportRepairs(result.repairs)
            emit(result.plan.renderText())
            if let commit = result.commit { emit("Committed \(commit.short).\n") }
            if deliverTimeout > 0 {
                let report = try await engine.deliverAfterApply(clock: options.deliveryClock, options: delivery.options(passTimeout: deliverTimeout))
                if !report.results.isEmpty { emit(DeliveryRendering.text(report, now: options.now)) }
            }
        }
    }
}
