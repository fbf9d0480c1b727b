import Foundation
import NIOConcurrencyHelpers
import NIOCore
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
            try await withCheckedThrowingContinuation { continuation in
                pool.loop.execute {
                    exchange.whenFinished { continuation.resume(with: $0) }
                    pool.start(exchange)
                }
            }
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
        guard let request = Self.serialize(target: target, headers: headers, body: body) else {
            return .failure(WebhookTargetError(message: "a header field name or value has a character HTTP forbids"))
        }
        return .success(WebhookExchange(endpoint: target.endpoint, request: request, timeout: max(timeout, 0.001)))
    }

    /// The request as it goes on the wire: `POST`, `Host`, the header fields, `Content-Length`
    /// and the body; nil when a name is not an HTTP token or a value holds CR, LF or NUL (which
    /// would let it smuggle a field or a request of its own).
    static func serialize(target: WebhookTarget, headers: [(String, String)], body: [UInt8]) -> ByteBuffer? {
        let safe = { (text: String) in !text.utf8.contains { $0 == 0x0d || $0 == 0x0a || $0 == 0 } }
        guard safe(target.requestURI), safe(target.hostHeader), !target.requestURI.utf8.contains(UInt8(ascii: " ")) else { return nil }
        var request = ByteBuffer()
        request.reserveCapacity(128 + target.requestURI.utf8.count + headers.reduce(0) { $0 + $1.0.utf8.count + $1.1.utf8.count + 4 } + body.count)
        request.writeStaticString("POST ")
        request.writeString(target.requestURI)
        request.writeStaticString(" HTTP/1.1\r\nhost: ")
        request.writeString(target.hostHeader)
        for (name, value) in headers {
            guard !name.isEmpty, name.utf8.allSatisfy(HTTPResponseReader.isTokenCharacter), safe(value) else { return nil }
            request.writeStaticString("\r\n")
            request.writeString(name)
            request.writeStaticString(": ")
            request.writeString(value)
        }
        request.writeStaticString("\r\ncontent-length: ")
        request.writeString(String(body.count))
        request.writeStaticString("\r\n\r\n")
        request.writeBytes(body)
        return request
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
