import NIOCore
import NIOPosix
import NIOSSL

/// The connections of one ``WebhookHTTPClient``: kept-alive ones per endpoint, new ones on
/// demand. Everything happens on one event loop, so no state here needs a lock.
final class WebhookConnectionPool: @unchecked Sendable {
    let loop: any EventLoop
    private let connectTimeout: TimeAmount
    private let idleLimit: Int
    private var idle: [WebhookTarget.Endpoint: [WebhookConnection]] = [:]
    private var open: [ObjectIdentifier: WebhookConnection] = [:]
    private var tls: Result<NIOSSLContext, any Error>?
    private var shutDown = false
    private let trustRoots: String?

    init(loop: any EventLoop, connectTimeout: Double, idleLimit: Int, trustRoots: String? = nil) {
        self.loop = loop
        self.trustRoots = trustRoots
        self.connectTimeout = .nanoseconds(Int64(max(connectTimeout, 0.05) * 1e9))
        self.idleLimit = max(1, idleLimit)
    }

    /// Starts an exchange: its timer, then a kept-alive connection or a new one. On the loop.
    func start(_ exchange: WebhookExchange) {
        loop.preconditionInEventLoop()
        guard !exchange.finished else { return }
        do {
            exchange.timer = try loop.scheduleCallback(in: .nanoseconds(Int64(exchange.timeout * 1e9)), handler: exchange)
        } catch {
            // Only an event loop that is shutting down refuses.
            exchange.finish(.transportError("the delivery pass was shutting down"))
            return
        }
        dispatch(exchange)
    }

    /// Sends an exchange again, on a new connection (see ``WebhookConnection``).
    func resend(_ exchange: WebhookExchange) {
        dispatch(exchange, reuse: false)
    }

    /// Sends an exchange on an idle kept-alive connection to its endpoint (when `reuse`), or a new one.
    private func dispatch(_ exchange: WebhookExchange, reuse: Bool = true) {
        guard !exchange.finished else { return }
        guard !shutDown else {
            exchange.finish(.transportError("the delivery pass was shutting down"))
            return
        }
        if reuse, let connection = takeIdle(exchange.endpoint) {
            connection.send(exchange)
            return
        }
        connect(exchange.endpoint).whenComplete { [self] result in
            switch result {
            case .success(let connection):
                if exchange.finished { release(connection) } else { connection.send(exchange) }
            case .failure(let error):
                exchange.finish(.transportError(WebhookHTTPClient.describe(error)))
            }
        }
    }

    private func takeIdle(_ endpoint: WebhookTarget.Endpoint) -> WebhookConnection? {
        while let connection = idle[endpoint]?.popLast() {
            if connection.isActive { return connection }
        }
        return nil
    }

    /// Takes back a connection that finished an exchange and may carry the next.
    func release(_ connection: WebhookConnection) {
        guard !shutDown, connection.isActive, idle[connection.endpoint, default: []].count < idleLimit else {
            connection.close()
            return
        }
        idle[connection.endpoint, default: []].append(connection)
    }

    /// Drops a connection that closed.
    func forget(_ connection: WebhookConnection) {
        open[ObjectIdentifier(connection)] = nil
        idle[connection.endpoint]?.removeAll { $0 === connection }
    }

    private func connect(_ endpoint: WebhookTarget.Endpoint) -> EventLoopFuture<WebhookConnection> {
        let connection = WebhookConnection(endpoint: endpoint, pool: self)
        let tlsHandler: NIOSSLClientHandler?
        do {
            tlsHandler = endpoint.tls ? try NIOSSLClientHandler(context: tlsContext(), serverHostname: Self.isIPAddress(endpoint.host) ? nil : endpoint.host) : nil
        } catch {
            return loop.makeFailedFuture(error)
        }
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tlsHandler { try channel.pipeline.syncOperations.addHandler(tlsHandler) }
                    try channel.pipeline.syncOperations.addHandler(connection)
                }
            }
        let connected: EventLoopFuture<any Channel>
        if let address = try? SocketAddress(ipAddress: endpoint.host, port: endpoint.port) {
            connected = bootstrap.connect(to: address)
        } else {
            connected = bootstrap.connect(host: endpoint.host, port: endpoint.port)
        }
        return connected.map { [self] _ in
            if shutDown { connection.close() } else { open[ObjectIdentifier(connection)] = connection }
            return connection
        }
    }

    /// The TLS context, made on first use: the system's trust roots (unless a test names its
    /// own), full verification (certificate chain and host name), as browsers and `curl` do.
    private func tlsContext() throws -> NIOSSLContext {
        if let tls { return try tls.get() }
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let trustRoots { configuration.trustRoots = .file(trustRoots) }
        let made = Result { try NIOSSLContext(configuration: configuration) }
        tls = made
        return try made.get()
    }

    static func isIPAddress(_ host: String) -> Bool {
        (try? SocketAddress(ipAddress: host, port: 0)) != nil
    }

    /// Closes every connection; exchanges still running end as transport errors.
    func shutdown() -> EventLoopFuture<Void> {
        loop.flatSubmit { [self] in
            shutDown = true
            idle = [:]
            let closing = open.values.compactMap { connection -> EventLoopFuture<Void>? in
                defer { connection.close() }
                return connection.closeFuture
            }
            open = [:]
            return EventLoopFuture.andAllComplete(closing, on: loop)
        }
    }
}
