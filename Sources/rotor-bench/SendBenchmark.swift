import ArgumentParser
import Foundation
import RotorWebhooks

/// `rotor-bench send`: rotor's webhook client alone — requests per second through the send queue
/// to a receiver, with no store, no signing keys and no job bookkeeping. What the delivery pass
/// could reach if everything around the HTTP exchanges cost nothing.
struct SendBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "POST N webhook-sized requests through rotor's send queue and report requests per second.",
        discussion: """
            Every request carries the headers and a body of the size a delivery has (signature
            headers with placeholder values). Run it against the same receiver as `wrk` to see how
            much of the gap to wrk is the client itself.
            """
    )

    @Option(help: "The receiver's URL.") var url: String
    @Option(help: "Requests.") var count = 3000
    @Option(help: "Requests in flight.") var concurrency = 8
    @Option(help: "Body bytes.") var size = 400

    func run() async throws {
        let body = Array(repeating: UInt8(ascii: "x"), count: size)
        let headers = [("content-type", "application/json"), ("user-agent", "rotor-webhooks/1"),
                       ("webhook-id", "evt_" + String(repeating: "0", count: 32)), ("webhook-timestamp", "1700000000"),
                       ("webhook-signature", "v1," + String(repeating: "A", count: 43) + "=")]
        let requests = (0..<count).map { WebhookRequest(tag: $0, url: url, headers: headers, body: body) }
        var ok = 0
        let sender = WebhookSender(connectTimeout: 10, connectionsPerHost: concurrency)
        // One warm-up request opens a connection, as a pass's first requests do.
        _ = try await sender.post(url: url, headers: headers, body: body, timeout: 10)
        let queue = sender.sendQueue(concurrency: concurrency, requestTimeout: 10, deadline: nil)
        let started = ContinuousClock.now
        queue.submit(requests)
        queue.finish()
        for await batch in queue.results {
            for result in batch { if case .finished(_, let outcome, _, _) = result, outcome.isSuccess { ok += 1 } }
        }
        let seconds = Self.seconds(started.duration(to: .now))
        try await sender.shutdown()
        print(String(format: "%d requests (%d answered 2xx) in %.3f s: %.0f requests/s at concurrency %d", count, ok, seconds, Double(count) / seconds, concurrency))
        if ok != count { throw ExitCode.failure }
    }

    static func seconds(_ elapsed: Duration) -> Double {
        Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}
