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
    public func sendQueue(concurrency: Int, requestTimeout: TimeInterval, deadline: ContinuousClock.Instant?) -> NIOWebhookSendQueue {
        NIOWebhookSendQueue(client: self, pool: pool, concurrency: concurrency, requestTimeout: requestTimeout, deadline: deadline)
    }

    /// The request, ready for the pool (its timeout set later by a send queue).
    func exchange(url: String, headers: [(String, String)], body: [UInt8], timeout: TimeInterval) -> Result<WebhookExchange, WebhookTargetError> {
        requestHead(url: url, fields: headers).flatMap { head in
            guard var request = head.start(extraCapacity: body.count) else { return .failure(.forbiddenCharacter) }
            body.withUnsafeBytes { RequestHead.end(&request, body: $0) }
            return .success(WebhookExchange(endpoint: head.endpoint, request: request, timeout: max(timeout, 0.001)))
        }
    }

    /// The start of every request to `url` with the header `fields`, checked and written once.
    /// (`serialize` does the same for one request.)
    func requestHead(url: String, fields: [(String, String)]) -> Result<RequestHead, WebhookTargetError> {
        do {
            return .success(RequestHead(target: try target(url), fields: fields))
        } catch let error as WebhookTargetError {
            return .failure(error)
        } catch {
            return .failure(WebhookTargetError(message: "\(error)"))
        }
    }

    /// The request as it goes on the wire: `POST`, `Host`, the header fields, `Content-Length`
    /// and the body; nil when a name is not an HTTP token or a value holds CR, LF or NUL (which
    /// would let it smuggle a field or a request of its own).
    static func serialize(target: WebhookTarget, headers: [(String, String)], body: [UInt8]) -> ByteBuffer? {
        guard var request = RequestHead(target: target, fields: headers).start(extraCapacity: body.count) else { return nil }
        body.withUnsafeBytes { RequestHead.end(&request, body: $0) }
        return request
    }

    /// The part of a request that is the same for every request to one URL with the same fixed
    /// header fields: the request line, `host` and those fields. A request starts as a copy of it;
    /// its own fields, `content-length` and body follow.
    struct RequestHead: Sendable {
        let endpoint: WebhookTarget.Endpoint
        /// Nil when the URL or a field has a character HTTP forbids there.
        private let bytes: ByteBuffer?

        init(target: WebhookTarget, fields: [(String, String)]) {
            endpoint = target.endpoint
            guard Self.isSafe(target.requestURI.utf8), Self.isSafe(target.hostHeader.utf8),
                  !target.requestURI.utf8.contains(UInt8(ascii: " ")) else {
                bytes = nil
                return
            }
            var head = ByteBuffer()
            head.reserveCapacity(32 + target.requestURI.utf8.count + target.hostHeader.utf8.count
                                 + fields.reduce(0) { $0 + $1.0.utf8.count + $1.1.utf8.count + 4 })
            head.writeStaticString("POST ")
            head.writeString(target.requestURI)
            head.writeStaticString(" HTTP/1.1\r\nhost: ")
            head.writeString(target.hostHeader)
            for (name, value) in fields {
                guard Self.writeField(name: name, value: value, to: &head) else {
                    bytes = nil
                    return
                }
            }
            bytes = head
        }

        /// A new request holding the head, with room for `extraCapacity` more bytes than the
        /// fields and end need; nil when the head is not sendable.
        func start(extraCapacity: Int) -> ByteBuffer? {
            guard let bytes else { return nil }
            var request = ByteBuffer()
            request.reserveCapacity(bytes.readableBytes + 96 + extraCapacity)
            request.writeImmutableBuffer(bytes)
            return request
        }

        /// Writes `\r\nname: value`, or nothing and false when the name is not an HTTP token or
        /// the value holds CR, LF or NUL.
        static func writeField(name: String, value: String, to request: inout ByteBuffer) -> Bool {
            guard !name.isEmpty, name.utf8.allSatisfy(HTTPResponseReader.isTokenCharacter), isSafe(value.utf8) else { return false }
            request.writeStaticString("\r\n")
            request.writeString(name)
            request.writeStaticString(": ")
            request.writeString(value)
            return true
        }

        /// Ends the head with `content-length` and appends the body.
        static func end(_ request: inout ByteBuffer, body: UnsafeRawBufferPointer) {
            request.writeStaticString("\r\ncontent-length: ")
            request.writeString(String(body.count))
            request.writeStaticString("\r\n\r\n")
            request.writeBytes(body)
        }

        /// No CR, LF or NUL: nothing that could end a field or the head early.
        static func isSafe(_ text: some Sequence<UInt8>) -> Bool {
            !text.contains { $0 == 0x0d || $0 == 0x0a || $0 == 0 }
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
