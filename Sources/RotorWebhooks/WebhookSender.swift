import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// Sends webhook requests with AsyncHTTPClient and reports what came back. Never throws for what
/// a receiver does: refusals, resets and timeouts become an ``AttemptOutcome``.
///
/// Every answer comes from a host rotor cannot trust, so it is parsed by AsyncHTTPClient (NIO's
/// llhttp), never by code of rotor's own. Connections are kept alive and reused (AsyncHTTPClient's
/// pool, up to `concurrency` per host). Redirects are not followed (a 3xx is a failed attempt): a
/// delivery goes to the URL in the spec and nowhere else. Each request has a deadline covering the
/// connection, the answer and its body, so a receiver that hangs or trickles holds one slot for at
/// most the request timeout; at most ``maxResponseBytes`` of a body are read (and discarded).
///
/// Requests go through the proxy that `HTTPS_PROXY`/`https_proxy` (for `https://` URLs) or
/// `HTTP_PROXY`/`http_proxy` (for `http://` URLs) names, unless `NO_PROXY`/`no_proxy` lists the
/// host (see ``ProxySettings``).
public final class WebhookSender: Sendable {
    /// The most of a response body read (and then discarded).
    static let maxResponseBytes = 64 * 1024

    /// The event loops the webhook connections live on: NIO's shared group, one thread per core
    /// (on 2 cores, a delivery pass went 15% faster on two loops than on one: see
    /// docs/internals/delivery.md).
    static var eventLoops: MultiThreadedEventLoopGroup { .singleton }

    private let configuration: HTTPClient.Configuration
    private let proxies: ProxySettings
    /// One client per proxy (nil: direct), made on first use.
    private let clients = Mutex<[HTTPClient.Configuration.Proxy?: HTTPClient]>([:])
    /// Parsed URLs: the same few endpoints come back for every event.
    private let targets = Mutex<[String: Result<Target, WebhookTargetError>]>([:])
    private let shutDown = Mutex(false)

    /// A parsed webhook URL and the client that reaches it.
    struct Target: Sendable {
        let url: URL
        let client: HTTPClient
    }

    /// Creates a sender with its own connections; call ``shutdown()`` when done.
    ///
    /// - Parameters:
    ///   - connectTimeout: How long establishing a connection may take (the request's deadline may cut it shorter).
    ///   - connectionsPerHost: How many connections to one endpoint it opens and keeps for reuse.
    ///   - environment: Where the proxy settings are read (the process's environment by default).
    public convenience init(connectTimeout: TimeInterval, connectionsPerHost: Int = 8,
                            environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.init(connectTimeout: connectTimeout, connectionsPerHost: connectionsPerHost, trustRoots: nil, environment: environment)
    }

    /// A sender that trusts only the certificates in the PEM file `trustRoots` (tests' own CA),
    /// or the system's roots when nil.
    init(connectTimeout: TimeInterval, connectionsPerHost: Int, trustRoots: String?,
         environment: [String: String] = ProcessInfo.processInfo.environment) {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let trustRoots { tls.trustRoots = .file(trustRoots) }
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls, redirectConfiguration: .disallow,
                                                     timeout: .init(connect: .nanoseconds(Int64(max(connectTimeout, 0.05) * 1e9)), read: nil),
                                                     decompression: .disabled)
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = max(1, connectionsPerHost)
        // A refused or failed connection fails the requests waiting for it at once (and they are
        // retried on the delivery schedule), instead of retrying until each request's deadline.
        configuration.connectionPool.retryConnectionEstablishment = false
        // No tracing spans: rotor bootstraps no tracer, and making a no-op span per request was
        // 7% of the event loop's time.
        configuration.tracing.tracer = nil
        self.configuration = configuration
        self.proxies = ProxySettings(environment: environment)
    }

    /// Closes every connection.
    public func shutdown() async throws {
        let all = clients.withLock { clients -> [HTTPClient] in
            shutDown.withLock { $0 = true }
            defer { clients = [:] }
            return Array(clients.values)
        }
        for client in all { try await client.shutdown() }
    }

    /// POSTs `body` to `url` with `headers`, giving up after `timeout` seconds.
    ///
    /// - Throws: `CancellationError` only when the calling task is cancelled.
    public func post(url: String, headers: [(String, String)], body: [UInt8], timeout: TimeInterval) async throws -> AttemptOutcome {
        let exchange: Exchange
        switch prepare(url: url, headers: headers, body: ByteBuffer(bytes: body)) {
        case .success(let made): exchange = made
        case .failure(let error): return .transportError("\(error)")
        }
        let timeout = max(timeout, 0.001)
        let running = Mutex<Running?>(nil)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let started = exchange.start(timeout: timeout) { continuation.resume(with: $0) }
                running.withLock { $0 = started }
            }
        } onCancel: {
            running.withLock { $0 }?.cancel()
        }
    }

    /// A queue that sends many requests, `concurrency` at a time; outcomes come back through
    /// ``WebhookSendQueue/results``.
    ///
    /// - Parameters:
    ///   - concurrency: How many requests are in flight at once.
    ///   - requestTimeout: How long each request may take.
    ///   - deadline: When set, no request starts after it, and one that would outlast it is cut
    ///     to end there (and says so).
    public func sendQueue(concurrency: Int, requestTimeout: TimeInterval, deadline: ContinuousClock.Instant?) -> WebhookSendQueue {
        WebhookSendQueue(sender: self, concurrency: concurrency, requestTimeout: requestTimeout, deadline: deadline)
    }

    /// A request ready to start: its URL checked, its header fields checked, its client chosen.
    func prepare(url: String, headers: HTTPHeaders, body: ByteBuffer) -> Result<Exchange, WebhookTargetError> {
        target(url).flatMap { target in
            for (name, value) in headers where !Self.isAllowed(name: name, value: value) { return .failure(.forbiddenCharacter) }
            do {
                let request = try HTTPClient.Request(url: target.url, method: .POST, headers: headers, body: .byteBuffer(body))
                return .success(Exchange(client: target.client, request: request))
            } catch {
                return .failure(WebhookTargetError(message: "\(error)"))
            }
        }
    }

    func prepare(url: String, headers: [(String, String)], body: ByteBuffer) -> Result<Exchange, WebhookTargetError> {
        prepare(url: url, headers: HTTPHeaders(headers), body: body)
    }

    private func target(_ url: String) -> Result<Target, WebhookTargetError> {
        if let known = targets.withLock({ $0[url] }) { return known }
        let made = Result { () throws(WebhookTargetError) -> Target in
            let parsed = try Self.parse(url)
            let proxy: HTTPClient.Configuration.Proxy?
            switch proxies.proxy(forTLS: parsed.endpoint.tls, host: parsed.endpoint.host, port: parsed.endpoint.port) {
            case .success(let found): proxy = found
            case .failure(let error): throw error
            }
            guard let client = self.client(proxy: proxy) else { throw WebhookTargetError(message: "the delivery pass was shutting down") }
            guard let foundationURL = URL(string: url) else { throw WebhookTargetError(message: "not a valid URL") }
            return Target(url: foundationURL, client: client)
        }
        targets.withLock { $0[url] = made }
        return made
    }

    private static func parse(_ url: String) throws(WebhookTargetError) -> WebhookTarget {
        do {
            return try WebhookTarget(url: url)
        } catch let error as WebhookTargetError {
            throw error
        } catch {
            throw WebhookTargetError(message: "\(error)")
        }
    }

    /// The client for `proxy` (direct when nil), made on first use; nil once shut down.
    private func client(proxy: HTTPClient.Configuration.Proxy?) -> HTTPClient? {
        clients.withLock { clients in
            if let known = clients[proxy] { return known }
            guard !shutDown.withLock({ $0 }) else { return nil }
            var configuration = self.configuration
            configuration.proxy = proxy
            let made = HTTPClient(eventLoopGroup: Self.eventLoops, configuration: configuration)
            clients[proxy] = made
            return made
        }
    }

    /// Whether a header field can go in a request as it is: the name an HTTP token, the value
    /// free of CR, LF and NUL (which would let it smuggle a field or a request of its own).
    static func isAllowed(name: String, value: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy(isTokenCharacter) && !value.utf8.contains { $0 == 0x0d || $0 == 0x0a || $0 == 0 }
    }

    /// RFC 9110's `tchar`.
    static func isTokenCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): return true
        default: return "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }

    /// One request, ready to start on its client.
    struct Exchange: Sendable {
        let client: HTTPClient
        let request: HTTPClient.Request

        /// Starts it with a deadline `timeout` seconds from now; `completion` gets the outcome, or
        /// a `CancellationError` when it was cancelled. Returns the running request (to cancel it).
        ///
        /// When the connection ends before a byte of answer, the request is sent once more (within
        /// the same deadline): on a kept-alive connection that is most often the receiver closing it
        /// while idle, just as the request went out, and the request was never read. If instead the
        /// receiver read it and hung up, it gets it twice: at least once, and receivers dedupe on
        /// `webhook-id`.
        @discardableResult
        func start(timeout: Double, completion: @escaping @Sendable (Result<AttemptOutcome, any Error>) -> Void) -> Running {
            let running = Running()
            send(deadline: .now() + .nanoseconds(Int64(timeout * 1e9)), timeout: timeout, resend: true, running: running, completion: completion)
            return running
        }

        private func send(deadline: NIODeadline, timeout: Double, resend: Bool, running: Running,
                          completion: @escaping @Sendable (Result<AttemptOutcome, any Error>) -> Void) {
            let reader = ResponseReader()
            let task = client.execute(request: request, delegate: reader, deadline: deadline)
            if !running.set(task) { task.cancel() }
            task.futureResult.whenComplete { result in
                switch result {
                case .success(let outcome): completion(.success(outcome))
                case .failure(let error):
                    if resend, !reader.answered, WebhookSender.endedBeforeAnswer(error), !running.isCancelled, deadline > .now() {
                        send(deadline: deadline, timeout: timeout, resend: false, running: running, completion: completion)
                    } else if let outcome = reader.outcome(after: error, timeout: timeout) {
                        completion(.success(outcome))
                    } else {
                        completion(.failure(CancellationError()))
                    }
                }
            }
        }
    }

    /// A started request, to cancel (whichever of its sends is running).
    final class Running: Sendable {
        private let state = Mutex<(task: HTTPClient.Task<AttemptOutcome>?, cancelled: Bool)>((nil, false))

        /// Cuts it off: it ends as cancelled, unless it has ended already.
        func cancel() {
            state.withLock { state -> HTTPClient.Task<AttemptOutcome>? in
                state.cancelled = true
                return state.task
            }?.cancel()
        }

        var isCancelled: Bool { state.withLock { $0.cancelled } }

        /// Records the running send; false when it was cancelled meanwhile (the caller cancels it).
        fileprivate func set(_ task: HTTPClient.Task<AttemptOutcome>) -> Bool {
            state.withLock { state in
                state.task = task
                return !state.cancelled
            }
        }
    }

    /// Reads an answer: the status and `Retry-After` are kept, at most ``maxResponseBytes`` of the
    /// body are read and discarded (a longer body ends the request, and its connection).
    // @unchecked: AsyncHTTPClient calls every delegate method on the request's event loop, and the
    // outcome is read in a callback of the request's future, on that loop too.
    final class ResponseReader: HTTPClientResponseDelegate, @unchecked Sendable {
        typealias Response = AttemptOutcome
        private var status: Int?
        private var retryAfter: String?
        private var bodyBytes = 0

        /// Whether a status came.
        var answered: Bool { status != nil }

        struct TooLong: Error {}

        func didReceiveHead(task: HTTPClient.Task<AttemptOutcome>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
            status = Int(head.status.code)
            retryAfter = head.headers.first(name: "retry-after")
            return task.eventLoop.makeSucceededVoidFuture()
        }

        func didReceiveBodyPart(task: HTTPClient.Task<AttemptOutcome>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
            bodyBytes += buffer.readableBytes
            if bodyBytes > WebhookSender.maxResponseBytes { return task.eventLoop.makeFailedFuture(TooLong()) }
            return task.eventLoop.makeSucceededVoidFuture()
        }

        func didFinishRequest(task: HTTPClient.Task<AttemptOutcome>) throws -> AttemptOutcome {
            guard let status else { throw HTTPClientError.remoteConnectionClosed }
            return .response(status: status, retryAfter: retryAfter)
        }

        /// What a failed request came to: nil when it was cancelled (the queue or the caller gave up on it).
        func outcome(after error: any Error, timeout: Double) -> AttemptOutcome? {
            if let error = error as? HTTPClientError {
                if error == .cancelled { return nil }
                if error == .deadlineExceeded { return .timedOut(seconds: timeout) }
            }
            // The status came: a body too long or broken after it does not change it.
            if let status { return .response(status: status, retryAfter: retryAfter) }
            return .transportError(WebhookSender.describe(error))
        }
    }

    /// Whether `error` says the connection ended (closed or reset) before any answer came.
    static func endedBeforeAnswer(_ error: any Error) -> Bool {
        if let error = error as? HTTPClientError { return error == .remoteConnectionClosed }
        if let error = error as? ChannelError, case .ioOnClosedChannel = error { return true }
        if let error = error as? IOError { return [ECONNRESET, EPIPE].contains(error.errnoCode) }
        return false
    }

    /// A one-line account of a transport error (what AsyncHTTPClient, NIO and the TLS library
    /// say; no request data, no proxy credentials).
    static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .remoteConnectionClosed: return "the receiver closed the connection without answering"
            case .connectTimeout: return "connection timed out"
            case .tlsHandshakeTimeout: return "TLS: the handshake timed out"
            case .readTimeout: return "the receiver stopped sending"
            case .invalidProxyResponse: return "the proxy refused to connect to the receiver"
            case .proxyAuthenticationRequired: return "the proxy asks for credentials (407 Proxy Authentication Required)"
            case .httpProxyHandshakeTimeout: return "the proxy did not answer in time"
            case .alreadyShutdown: return "the delivery pass was shutting down"
            default: return "\(error)"
            }
        }
        if error is HTTPParserError { return "the receiver's answer is not valid HTTP/1.1: \(error)" }
        if let error = error as? NIOConnectionError {
            if let dns = error.dnsAError ?? error.dnsAAAAError { return "cannot resolve \(error.host): \(firstLine(dns))" }
            if let first = error.connectionErrors.first { return describe(first.error) }
        }
        if let error = error as? ChannelError {
            if case .connectTimeout = error { return "connection timed out" }
            if case .ioOnClosedChannel = error { return "the receiver closed the connection without answering" }
        }
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
