import RotorAPIContract
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import OpenAPIHummingbird
import OpenAPIRuntime
import ServiceLifecycle

/// Where the server listens: `HOST:PORT` (`[::1]:9464` for IPv6).
package struct ListenAddress: Sendable, CustomStringConvertible {
    package let host: String
    package let port: Int

    /// The default: loopback only.
    package static let `default` = ListenAddress(host: "127.0.0.1", port: 9464)

    package init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `HOST:PORT`; nil when it is not one.
    package init?(parsing text: String) {
        var host: Substring
        let portText: Substring
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { return nil }
            portText = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        guard !host.isEmpty, let port = Int(portText), (0...65535).contains(port) else { return nil }
        host = host == "localhost" ? "127.0.0.1" : host
        self.init(host: String(host), port: port)
    }

    /// Whether only this machine can connect.
    package var isLoopback: Bool { host == "::1" || host.hasPrefix("127.") }

    package var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// A certificate chain and private key in PEM files, for HTTPS.
package struct TLSFiles: Sendable {
    package let certificatePath: String
    package let keyPath: String

    package init(certificatePath: String, keyPath: String) {
        self.certificatePath = certificatePath
        self.keyPath = keyPath
    }
}

/// What `/healthz` says: healthy or not, and why, for people.
package struct HealthReport: Sendable {
    package let healthy: Bool
    package let text: String

    package init(healthy: Bool, text: String) {
        self.healthy = healthy
        self.text = text
    }
}

/// A startup problem with the server's configuration (address, TLS files).
package struct ServerConfigurationError: Error, CustomStringConvertible {
    package let description: String
}

/// Routes served beside the API by the same server (the management page), registered on the
/// router after the API's, so they share its middlewares (metrics, headers, ``RequestInfo``).
package protocol ControlPlaneRoutes: Sendable {
    /// Adds the routes to `router`; `tls` says whether the server speaks HTTPS (for `Secure` cookies).
    func register(on router: Router<ServerContext>, controlPlane: ControlPlane, tls: Bool) throws
}

/// One Hummingbird server for the control plane's API (`/v1`, handlers generated from the
/// contract), `/healthz`, `/metrics` and the management page, run as a swift-service-lifecycle service.
package struct ControlPlaneServer: Service {
    let controlPlane: ControlPlane?
    let listen: ListenAddress
    let tls: TLSFiles?
    let metrics: ServerMetrics
    let health: @Sendable () async -> HealthReport
    let logger: Logger
    let onBound: @Sendable (Int) async -> Void
    let routes: [any ControlPlaneRoutes]

    /// Checks the address and TLS files, so a bad configuration fails at start, not at the first request.
    ///
    /// - Parameters:
    ///   - controlPlane: The API's handlers; nil serves only `/healthz` and `/metrics`.
    ///   - health: Computes `/healthz` (200 when healthy, else 503).
    ///   - onBound: Called with the port once the socket is bound (port 0 picks one).
    ///   - routes: More routes on the same server (the management page), served only with a control plane.
    /// - Throws: ``ServerConfigurationError`` for a non-loopback address without TLS or unreadable TLS files.
    package init(controlPlane: ControlPlane?, listen: ListenAddress, tls: TLSFiles?, metrics: ServerMetrics,
                 health: @escaping @Sendable () async -> HealthReport, logger: Logger,
                 onBound: @escaping @Sendable (Int) async -> Void = { _ in }, routes: [any ControlPlaneRoutes] = []) throws {
        if !listen.isLoopback && tls == nil {
            throw ServerConfigurationError(description: "refusing to listen on \(listen) without TLS: API keys and values would cross the network in clear text. Pass --tls-cert and --tls-key, or listen on 127.0.0.1")
        }
        if let tls {
            for path in [tls.certificatePath, tls.keyPath] where !FileManager.default.isReadableFile(atPath: path) {
                throw ServerConfigurationError(description: "cannot read the TLS file \(path)")
            }
        }
        self.controlPlane = controlPlane
        self.listen = listen
        self.tls = tls
        self.metrics = metrics
        self.health = health
        self.logger = logger
        self.onBound = onBound
        self.routes = routes
    }

    /// The router: middlewares, the operational endpoints and the API.
    func router() throws -> Router<ServerContext> {
        let router = Router(context: ServerContext.self)
        router.add(middleware: MetricsMiddleware<ServerContext>(metrics: metrics))
        router.add(middleware: RequestInfoMiddleware(allowed: try AllowedMethods(
            api: controlPlane, extra: ["/healthz": ["GET"], "/metrics": ["GET"]].merging(controlPlane == nil ? [:] : ["/v1/openapi.yaml": ["GET"]]) { $1 })))
        let health = self.health, metrics = self.metrics
        router.get("/healthz") { _, _ -> Response in
            let report = await health()
            return Response(status: report.healthy ? .ok : .serviceUnavailable,
                            headers: [.contentType: "text/plain; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: report.text)))
        }
        router.get("/metrics") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: ServerMetrics.contentType],
                     body: .init(byteBuffer: ByteBuffer(string: metrics.render())))
        }
        if let controlPlane {
            router.get("/v1/openapi.yaml") { _, _ -> Response in
                Response(status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"],
                         body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.yaml)))
            }
            try controlPlane.registerHandlers(on: router, configuration: .init(dateTranscoder: RFC3339DateTranscoder(), jsonEncodingOptions: [.sortedKeys]),
                                              middlewares: [ProblemMiddleware(logger: logger)])
            for routes in routes { try routes.register(on: router, controlPlane: controlPlane, tls: tls != nil) }
        }
        return router
    }

    /// Binds and serves until graceful shutdown.
    package func run() async throws {
        let server: HTTPServerBuilder
        if let tls {
            let chain = try NIOSSLCertificate.fromPEMFile(tls.certificatePath).map { NIOSSLCertificateSource.certificate($0) }
            let key = try NIOSSLPrivateKey(file: tls.keyPath, format: .pem)
            let configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
            server = try .tls(.http1(), tlsConfiguration: configuration)
        } else {
            server = .http1()
        }
        let onBound = self.onBound, logger = self.logger, controlPlane = self.controlPlane, scheme = tls == nil ? "http" : "https", listen = self.listen
        let application = Application(
            router: try router(), server: server,
            configuration: .init(address: .hostname(listen.host, port: listen.port), serverName: "rotor"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? listen.port
                logger.info(controlPlane == nil ? "serving /healthz and /metrics" : "serving the API, /healthz and /metrics", metadata: ["listen": "\(scheme)://\(ListenAddress(host: listen.host, port: port))"])
                await onBound(port)
            },
            logger: logger)
        defer { controlPlane?.shutdown() }
        // As a service of the caller's group: that group owns the signals and the order of shutdown.
        try await application.run()
    }
}
