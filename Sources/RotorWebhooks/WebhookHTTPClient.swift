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
        let exchange: WebhookExchange
        switch self.exchange(url: url, headers: headers, body: body, timeout: timeout) {
        case .success(let made): exchange = made
        case .failure(let error): return .transportError("\(error)")
        }
        let pool = self.pool
        return try await withTaskCancellationHandler {
            pool.loop.execute { pool.start(exchange) }
            return try await exchange.promise.futureResult.get()
        } onCancel: {
            pool.loop.execute { exchange.abandon() }
        }
    }

    /// A queue that sends many requests, `concurrency` at a time, entirely on the client's
    /// event loop; outcomes come back through ``WebhookSendQueue/results``.
    ///
    /// - Parameters:
    ///   - concurrency: How many requests are in flight at once.
    ///   - requestTimeout: How long each request may take.
    ///   - deadline: When set, no request starts after it, and one that would outlast it is cut
    ///     to end there (and says so).
    public func sendQueue(concurrency: Int, requestTimeout: TimeInterval, deadline: ContinuousClock.Instant?) -> WebhookSendQueue {
        WebhookSendQueue(client: self, pool: pool, concurrency: concurrency, requestTimeout: requestTimeout, deadline: deadline)
    }

    /// The request, ready for the pool (its timeout set later by a send queue).
    func exchange(url: String, headers: [(String, String)], body: [UInt8], timeout: TimeInterval) -> Result<WebhookExchange, WebhookTargetError> {
        let target: WebhookTarget
        do {
            target = try self.target(url)
        } catch let error as WebhookTargetError {
            return .failure(error)
        } catch {
            return .failure(WebhookTargetError(message: "\(error)"))
        }
        var fields = HTTPHeaders()
        fields.reserveCapacity(headers.count + 3)
        fields.add(name: "host", value: target.hostHeader)
        for (name, value) in headers { fields.add(name: name, value: value) }
        fields.add(name: "content-length", value: String(body.count))
        return .success(WebhookExchange(endpoint: target.endpoint,
                                        head: HTTPRequestHead(version: .http1_1, method: .POST, uri: target.requestURI, headers: fields),
                                        body: ByteBuffer(bytes: body), timeout: max(timeout, 0.001), promise: pool.loop.makePromise()))
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
