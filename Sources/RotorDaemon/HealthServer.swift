import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization
import ServiceLifecycle

/// `/healthz` and `/metrics` over HTTP/1.1 (SwiftNIO), as a swift-service-lifecycle `Service`.
///
/// Serves only GET of those two paths from ``DaemonStatus``; everything else is 404 (or 405).
/// Meant for loopback or a private network: it has no TLS and no authentication, and it serves
/// no secret value (the metrics carry outcomes, counts, times and a git revision).
public final class HealthServer: Service, Sendable {
    let host: String
    let port: Int
    let status: DaemonStatus
    let logger: Logger
    let group: any EventLoopGroup
    private let boundChannel = Mutex<(any Channel)?>(nil)
    private var channel: (any Channel)? { boundChannel.withLock { $0 } }

    /// Creates a server for `host:port` (port 0 picks a free port; see ``bind()``).
    public init(host: String, port: Int, status: DaemonStatus, logger: Logger,
                group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.host = host
        self.port = port
        self.status = status
        self.logger = logger
        self.group = group
    }

    /// Binds the socket and starts answering; returns the port bound.
    @discardableResult
    public func bind() async throws -> Int {
        if let channel, let bound = channel.localAddress?.port { return bound }
        let status = self.status
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 64)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(HealthHTTPHandler(status: status))
                }
            }
            .childChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .bind(host: host, port: port)
            .get()
        boundChannel.withLock { $0 = channel }
        let bound = channel.localAddress?.port ?? port
        logger.info("serving /healthz and /metrics", metadata: ["listen": "\(host):\(bound)"])
        return bound
    }

    /// Closes the listening socket.
    public func close() async {
        try? await channel?.close()
    }

    /// Binds (if not yet), then serves until graceful shutdown.
    public func run() async throws {
        try await bind()
        guard let channel else { return }
        try await withGracefulShutdownHandler {
            try await channel.closeFuture.get()
        } onGracefulShutdown: {
            channel.close(promise: nil)
        }
    }
}
