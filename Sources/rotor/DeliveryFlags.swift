import ArgumentParser
import Foundation
import RotorWebhooks

/// Options of the commands that deliver webhooks (`deliver`, `apply`, `jobs retry`).
struct DeliveryFlags: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Seconds one webhook request may take, connection included.", valueName: "seconds"))
    var requestTimeout: Double = 15

    @Option(name: .long, help: "How many webhook requests may be in flight at once.")
    var concurrency: Int = 8

    func validate() throws {
        guard requestTimeout > 0, requestTimeout <= 600 else { throw ValidationError("--request-timeout must be between 0 and 600 seconds") }
        guard (1...256).contains(concurrency) else { throw ValidationError("--concurrency must be between 1 and 256") }
    }

    /// The worker options, with an optional bound on the whole pass.
    func options(passTimeout: TimeInterval? = nil) -> DeliveryOptions {
        DeliveryOptions(requestTimeout: requestTimeout, concurrency: concurrency, passTimeout: passTimeout)
    }
}
