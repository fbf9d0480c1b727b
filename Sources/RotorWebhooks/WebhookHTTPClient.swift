import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// Sends webhook requests over HTTP/1.1 (TLS for `https://`) and reports what came back.
/// Never throws for what a receiver does: refusals, resets and timeouts become an ``AttemptOutcome``.
///
/// Built on SwiftNIO directly: one event loop carries every connection of the client, kept-alive
/// connections are reused per endpoint, and each request's timer is a timer on that loop.
/// Redirects are not followed (a 3xx is a failed attempt): a delivery goes to the URL in the
/// spec and nowhere else. Each request has a hard deadline covering the connection, the answer
/// and its body, so a receiver that hangs or trickles holds one slot for at most the request timeout.
public final class WebhookHTTPClient: Sendable {
    private let pool: WebhookConnectionPool
    /// Parsed URLs: the same few endpoints come back for every event.
    private let targets = NIOLockedValueBox([String: WebhookTarget]())
    /// The most of a response body read (and then discarded).
    static let maxResponseBytes = 64 * 1024

    /// Creates a client with its own connections; call ``shutdown()`` when done.
    ///
    /// - Parameters:
    ///   - connectTimeout: How long establishing a connection may take.
    ///   - connectionsPerHost: How many idle connections to one endpoint are kept for reuse.
    public convenience init(connectTimeout: TimeInterval, connectionsPerHost: Int = 8) {
        self.init(connectTimeout: connectTimeout, connectionsPerHost: connectionsPerHost, trustRoots: nil)
    }

    /// A client that trusts only the certificates in the PEM file `trustRoots` (tests' own CA),
    /// or the system's roots when nil.
    init(connectTimeout: TimeInterval, connectionsPerHost: Int, trustRoots: String?) {
        pool = WebhookConnectionPool(loop: MultiThreadedEventLoopGroup.singleton.next(), connectTimeout: connectTimeout,
                                     idleLimit: connectionsPerHost, trustRoots: trustRoots)
    }

    /// Closes every connection.
    public func shutdown() async throws {
        try await pool.shutdown().get()
    }

    /// POSTs `body` to `url` with `headers`, giving up after `timeout` seconds.
    ///
    /// - Throws: `CancellationError` only when the calling task is cancelled.
    public func post(url: String, headers: [(String, String)], body: [UInt8], timeout: TimeInterval) async throws -> AttemptOutcome {
        let target: WebhookTarget
        do {
            target = try self.target(url)
        } catch {
            return .transportError("\(error)")
        }
        var fields = HTTPHeaders()
        fields.reserveCapacity(headers.count + 3)
        fields.add(name: "host", value: target.hostHeader)
        for (name, value) in headers { fields.add(name: name, value: value) }
        fields.add(name: "content-length", value: String(body.count))
        if let authorization = target.authorization { fields.add(name: "authorization", value: authorization) }
        let pool = self.pool
        let exchange = WebhookExchange(endpoint: target.endpoint,
                                       head: HTTPRequestHead(version: .http1_1, method: .POST, uri: target.requestURI, headers: fields),
                                       body: ByteBuffer(bytes: body), timeout: max(timeout, 0.001), promise: pool.loop.makePromise())
        return try await withTaskCancellationHandler {
            pool.loop.execute { pool.start(exchange) }
            return try await exchange.promise.futureResult.get()
        } onCancel: {
            pool.loop.execute { exchange.abandon() }
        }
    }

    private func target(_ url: String) throws -> WebhookTarget {
        if let known = targets.withLockedValue({ $0[url] }) { return known }
        let parsed = try WebhookTarget(url: url)
        targets.withLockedValue { $0[url] = parsed }
        return parsed
    }

    /// A one-line account of a transport error (what NIO and the TLS library say, no request data).
    static func describe(_ error: any Error) -> String {
        if let error = error as? NIOConnectionError {
            if let dns = error.dnsAError ?? error.dnsAAAAError { return "cannot resolve \(error.host): \(firstLine(dns))" }
            if let first = error.connectionErrors.first { return describe(first.error) }
        }
        if let error = error as? ChannelError, case .connectTimeout = error { return "connection timed out" }
        if let error = error as? IOError {
            switch error.errnoCode {
            case ECONNREFUSED: return "connection refused"
            case ECONNRESET, EPIPE: return "connection reset by the receiver"
            case EHOSTUNREACH, ENETUNREACH: return "no route to the receiver's host"
            default: break
            }
        }
        if error is NIOSSLError || error is BoringSSLError { return "TLS: \(firstLine(error))" }
        let text = firstLine(error)
        if text.localizedCaseInsensitiveContains("connection refused") { return "connection refused" }
        if text.localizedCaseInsensitiveContains("connection reset") { return "connection reset by the receiver" }
        return text
    }

    private static func firstLine(_ error: any Error) -> String {
        let text = String(describing: error)
        return text.split(separator: "\n").first.map(String.init) ?? text
    }
}
