import ArgumentParser
import Foundation
import RotorCore

/// `rotor deliver`: every webhook delivery due now gets one attempt, then rotor exits.
struct Deliver: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Deliver the webhooks that are due, once, and exit.",
        discussion: """
            Each due job gets one signed attempt; failures are retried by later runs (1 min, 4 min, 16 min, 64 min, \
            256 min, ±20%). --at sets "now" for what is due. Needs the private key to read signing secrets, as `rotor get` does.
            Exit codes: 0 everything due was delivered (or nothing was due); 1 error; 3 some deliveries did not succeed \
            (see `rotor jobs list`).
            """)

    @OptionGroup var options: GlobalOptions
    @OptionGroup var delivery: DeliveryFlags

    func run() async throws {
        try await runReporting {
            let report = try await options.engine().deliver(clock: options.deliveryClock, options: delivery.options())
            switch options.format {
            case .json: emit(String(decoding: try RotorJSON.encoder().encode(report), as: UTF8.self) + "\n")
            case .text, .markdown: emit(DeliveryRendering.text(report, now: options.now))
            }
            if report.undelivered > 0 { throw ExitCode(3) }
        }
    }
}
