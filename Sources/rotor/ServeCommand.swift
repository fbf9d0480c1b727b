import ArgumentParser
import Foundation
import Logging
import RotorCore
import RotorDaemon
import RotorServer
import RotorWeb
import RotorWebhooks
import ServiceLifecycle

/// `rotor serve`: the control plane's HTTP API (and `/healthz`, `/metrics`) for one repository
/// and its store, until SIGTERM.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the control-plane API (/v1), the management page (/), /healthz and /metrics for a repository, until SIGTERM.",
        discussion: """
            Every /v1 call needs `Authorization: Bearer <key>` with an API key this repository declares \
            with a rotor: scope (see docs/api.md). Writes (rotate, rollback, revoke) commit to the \
            repository's current branch, as the commands do; spec changes become proposal branches. \
            A non-loopback --listen needs --tls-cert and --tls-key. Exit codes: 0 clean shutdown; 1 startup error.
            """
    )

    @Option(name: .long, help: "A path inside the secrets repository.")
    var repo: String = "."

    @Option(name: .long, help: "The state store (default: <repo>/.git/rotor/state.db).")
    var state: String?

    @Option(help: "Listen on host:port (port 0 picks one; a non-loopback host needs TLS).")
    var listen = "127.0.0.1:9464"

    @Option(help: ArgumentHelp("The certificate chain to serve HTTPS with (PEM).", valueName: "file"))
    var tlsCert: String?

    @Option(help: ArgumentHelp("The certificate's private key (PEM).", valueName: "file"))
    var tlsKey: String?

    @Option(help: ArgumentHelp("Freeze the clock at this RFC 3339 instant (tests, demos).", valueName: "time"))
    var at: String?

    @Option(help: "Failed authentications one address may make per minute before it is refused (429).")
    var authFailureLimit = 10

    @Option(help: ArgumentHelp("How long a sign-in to the management page lasts (8h, 30m).", valueName: "duration"))
    var sessionLifetime = "8h"

    @Option(help: "Log lines: auto (JSON unless stdout is a terminal), json or text.")
    var logFormat = "auto"

    func validate() throws {
        guard ListenAddress(parsing: listen) != nil else { throw ValidationError("--listen must be host:port, e.g. 127.0.0.1:9464") }
        if (tlsCert == nil) != (tlsKey == nil) { throw ValidationError("--tls-cert and --tls-key go together") }
        if let at, RFC3339.parse(at) == nil { throw ValidationError("--at must be an RFC 3339 timestamp such as 2027-01-05T00:00:00Z") }
        guard authFailureLimit >= 1 else { throw ValidationError("--auth-failure-limit must be at least 1") }
        guard ["auto", "json", "text"].contains(logFormat) else { throw ValidationError("--log-format must be auto, json or text") }
        guard let lifetime = RotorDuration(parsing: sessionLifetime), lifetime.seconds >= 60 else {
            throw ValidationError("--session-lifetime must be a duration of at least a minute, such as 8h or 30m")
        }
    }

    func run() async throws {
        let format: RotorLogHandler.Format = logFormat == "auto" ? .automatic : RotorLogHandler.Format(rawValue: logFormat) ?? .json
        LoggingSystem.bootstrap { label in RotorLogHandler(label: label, format: format) }
        let logger = Logger(label: "rotor.serve")
        guard let address = ListenAddress(parsing: listen) else { throw ExitCode(64) }
        let fixed = at.flatMap(RFC3339.parse)
        do {
            var configuration = ControlPlaneConfiguration(repositoryPath: repo, statePath: state, gpgHome: try KeyringFromEnvironment.shared()?.path,
                                                          clock: { fixed ?? Date() })
            if let fixed { configuration.deliveryClock = FixedDeliveryClock(fixed) }
            configuration.authFailureLimit = authFailureLimit
            let controlPlane = try ControlPlane(configuration: configuration, logger: logger)
            let server = try ControlPlaneServer(
                controlPlane: controlPlane, listen: address,
                tls: tlsCert.flatMap { cert in tlsKey.map { TLSFiles(certificatePath: cert, keyPath: $0) } },
                metrics: ServerMetrics(), health: { await controlPlane.health() }, logger: logger,
                onBound: { port in
                    // One line on stderr a script can wait for (the port matters with --listen host:0).
                    let scheme = tlsCert == nil ? "http" : "https"
                    FileHandle.standardError.write(Data("rotor: serving \(scheme)://\(ListenAddress(host: address.host, port: port))\n".utf8))
                },
                routes: [ManagementPage(sessionLifetime: RotorDuration(parsing: sessionLifetime)?.timeInterval ?? ManagementPage.defaultSessionLifetime,
                                        logger: logger)])
            let group = ServiceGroup(configuration: .init(services: [server], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            try await group.run()
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
