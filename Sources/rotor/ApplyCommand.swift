import ArgumentParser
import Foundation
import RotorFaults
import RotorCore
import RotorEngine
import RotorWebhooks

/// `rotor apply`: plan, then create, rotate and expire versions; one commit per pass; then deliver what is due.
struct Apply: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply the plan: new versions encrypted and committed under versions/; then deliver due webhooks.",
        discussion: """
            After the commit and the store step, the webhooks that are due (this pass's and earlier ones') get one attempt, \
            for at most --deliver-timeout seconds; what is left waits for `rotor deliver`. Delivery failures do not change \
            apply's exit code: they are listed, and `rotor jobs list` shows them.
            """)

    @OptionGroup var options: GlobalOptions
    @OptionGroup var delivery: DeliveryFlags

    @Option(name: .long, help: ArgumentHelp("Seconds the webhook deliveries after the commit may take in all; 0 skips them.", valueName: "seconds"))
    var deliverTimeout: Double = 30

    func validate() throws {
        guard deliverTimeout >= 0 else { throw ValidationError("--deliver-timeout must be 0 (no delivery) or more") }
    }

    func run() async throws {
        try await runReporting {
            let engine = try options.engine()
            let result = try engine.apply(now: options.now)
            reportRepairs(result.repairs)
            FaultPoint.beforeDeliver.trigger()
            var report: DeliveryReport?
            if deliverTimeout > 0 {
                report = try await engine.deliverAfterApply(clock: options.deliveryClock, options: delivery.options(passTimeout: deliverTimeout))
            }
            switch options.format {
            case .json:
                emit(String(decoding: try RotorJSON.encoder().encode([
                    "plan": AnyEncodable(result.plan), "commit": AnyEncodable(result.commit?.hex),
                    "webhooks": AnyEncodable(report?.results),
                ]), as: UTF8.self) + "\n")
            case .text, .markdown:
                emit(result.plan.renderText())
                if let commit = result.commit {
                    emit("Committed \(commit.short) on \(options.repo).\n")
                } else if result.plan.hasChanges {
                    emit("No commit needed (warnings recorded).\n")
                }
                if let report, !report.results.isEmpty { emit(DeliveryRendering.text(report, now: options.now)) }
            }
        }
    }
}
