import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Sends webhook requests over AsyncHTTPClient and reports what came back. Never throws
/// for what a receiver does: refusals, resets and timeouts become an ``AttemptOutcome``.
///
/// Redirects are not followed (a 3xx is a failed attempt): a delivery goes to the URL in
/// the spec and nowhere else. Each request has a hard deadline covering the connection,
/// the answer and its body, so a receiver that hangs or trickles holds one slot for at
/// most the request timeout.
public final class WebhookHTTPClient: Sendable {
    private let client: HTTPClient
    /// The most of a response body read (and then discarded).
    static let maxResponseBytes = 64 * 1024

    /// Creates a client with its own connection pool; call ``shutdown()`` when done.
    ///
    /// - Parameters:
    ///   - connectTimeout: How long establishing a connection may take.
    ///   - connectionsPerHost: How many connections one host may get at once (so requests
    ///     never queue inside the pool while their timeout runs).
    public init(connectTimeout: TimeInterval, connectionsPerHost: Int = 8) {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: .milliseconds(Int64(max(connectTimeout, 0.05) * 1_000)))
        configuration.decompression = .disabled
        // A refused connection is a failed attempt, retried on rotor's schedule and recorded;
        // AsyncHTTPClient's own reconnect loop would hide it for the whole connect timeout.
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = max(1, connectionsPerHost)
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Closes the connection pool.
    public func shutdown() async throws {
        try await client.shutdown()
    }

    /// POSTs `body` to `url` with `headers`, giving up after `timeout` seconds.
    ///
    /// - Throws: `CancellationError` only when the calling task is cancelled.
    public func post(url: String, headers: [(String, String)], body: [UInt8], timeout: TimeInterval) async throws -> AttemptOutcome {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let client = self.client
        do {
            return try await withThrowingTaskGroup(of: AttemptOutcome.self) { group in
                group.addTask {
                    let response = try await client.execute(request, timeout: .milliseconds(Int64(timeout * 1_000)))
                    // Read (a bounded amount of) the body so the connection can be reused; its content is not kept.
                    _ = try? await response.body.collect(upTo: Self.maxResponseBytes)
                    return .response(status: Int(response.status.code), retryAfter: response.headers.first(name: "retry-after"))
                }
                group.addTask {
                    try await Task.sleep(nanoseconds: UInt64(timeout * 1_000_000_000))
                    return .timedOut(seconds: timeout)
                }
                defer { group.cancelAll() }
                guard let first = try await group.next() else { return .timedOut(seconds: timeout) }
                return first
            }
        } catch is CancellationError where Task.isCancelled {
            throw CancellationError()
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            return .timedOut(seconds: timeout)
        } catch {
            return .transportError(Self.describe(error))
        }
    }

    /// A one-line account of a transport error (what NIO and AsyncHTTPClient say, no request data).
    static func describe(_ error: Error) -> String {
        if let error = error as? HTTPClientError {
            if error == .connectTimeout { return "connection timed out" }
            if error == .remoteConnectionClosed { return "the receiver closed the connection without answering" }
            if error == .invalidURL { return "not a valid URL" }
            return "\(error)"
        }
        let text = String(describing: error)
        if text.localizedCaseInsensitiveContains("connection refused") { return "connection refused" }
        if text.localizedCaseInsensitiveContains("connection reset") { return "connection reset by the receiver" }
        return text.split(separator: "\n").first.map(String.init) ?? text
    }
}
