import ArgumentParser
import Foundation
import Logging
import RotorCore
import RotorDaemon
import RotorServer
import RotorWeb
import RotorWebhooks
import ServiceLifecycle

/// `rotor daemon`: keep a clone of the secrets repository in step with its remote and reconcile it forever.
struct DaemonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "daemon",
        abstract: "Fetch, reconcile, commit, push and deliver, every interval, until SIGTERM.",
        discussion: """
            Each pass: fetch → fast-forward → validate → plan → apply (commit → push → store) → deliver, \
            under the state store's lock. Logs are JSON lines unless stdout is a terminal. \
            Exit codes: 0 clean shutdown or a successful --once pass; 1 startup error, failed --once pass, \
            or shutdown timeout; 75 --once found the store locked by another rotor; 64 usage error.
            """
    )

    @Option(help: "The secrets repository's remote: a path, file://, https:// or ssh:// URL. Give an HTTPS token in ROTOR_GIT_TOKEN rather than in the URL (the process list shows arguments).")
    var remote: String

    @Option(help: "rotor's own clone of the remote (cloned when missing or empty).")
    var workdir: String

    @Option(help: "The branch to reconcile and push to.")
    var branch = "main"

    @Option(help: "Time between passes (30s, 1m, 1h; 0s with --passes).")
    var interval = "1m"

    @Option(help: "Up to this much is added at random to each wait (10%, or 0.1).")
    var jitter = "10%"

    @Option(help: "Serve the control-plane API (/v1), the management page (/), /healthz and /metrics on host:port (port 0 picks one; a non-loopback host needs TLS); \"off\" serves nothing.")
    var listen = "127.0.0.1:9464"

    @Option(help: ArgumentHelp("The certificate chain to serve HTTPS with (PEM).", valueName: "file"))
    var tlsCert: String?

    @Option(help: ArgumentHelp("The certificate's private key (PEM).", valueName: "file"))
    var tlsKey: String?

    @Option(help: "The state store (default: <workdir>/.git/rotor/state.db).")
    var state: String?

    @Option(help: ArgumentHelp("Freeze every pass's clock at this RFC 3339 instant (tests, demos).", valueName: "time"))
    var at: String?

    @Option(help: ArgumentHelp("With --at: move each pass's clock on by this much (1h, 6h, 1d), to cover months of rotations in a soak.", valueName: "duration"))
    var step: String?

    @Option(help: "Run this many passes and exit (soak tests); exit code as for --once, from the last pass.")
    var passes: Int?

    @Flag(help: "Run one pass and exit (cron, tests).")
    var once = false

    @Option(help: "Push attempts per pass when the remote keeps moving.")
    var maxPushAttempts = 3

    @Option(help: "How long SIGTERM/SIGINT wait for the current step before exiting 1.")
    var shutdownTimeout = "30s"

    @Option(help: ArgumentHelp("How long a sign-in to the management page lasts (8h, 30m).", valueName: "duration"))
    var sessionLifetime = "8h"

    @Option(help: "Log lines: auto (JSON unless stdout is a terminal), json or text.")
    var logFormat = "auto"

    func validate() throws {
        guard Self.duration(interval) != nil || (passes != nil && RotorDuration(parsing: interval)?.seconds == 0) else {
            throw ValidationError("--interval must be a duration such as 30s, 1m or 1h (0s only with --passes)")
        }
        if let passes, passes < 1 { throw ValidationError("--passes must be at least 1") }
        if let step {
            guard at != nil else { throw ValidationError("--step moves the clock of --at: give --at too") }
            guard Self.duration(step) != nil else { throw ValidationError("--step must be a duration such as 1h or 1d") }
        }
        guard Self.duration(shutdownTimeout) != nil else { throw ValidationError("--shutdown-timeout must be a duration such as 30s") }
        guard let fraction = Self.fraction(jitter), (0...1).contains(fraction) else { throw ValidationError("--jitter must be between 0% and 100%") }
        guard listen == "off" || ListenAddress(parsing: listen) != nil else { throw ValidationError("--listen must be host:port (e.g. 127.0.0.1:9464) or off") }
        if (tlsCert == nil) != (tlsKey == nil) { throw ValidationError("--tls-cert and --tls-key go together") }
        if let at, RFC3339.parse(at) == nil { throw ValidationError("--at must be an RFC 3339 timestamp such as 2027-01-05T00:00:00Z") }
        guard maxPushAttempts >= 1 else { throw ValidationError("--max-push-attempts must be at least 1") }
        guard ["auto", "json", "text"].contains(logFormat) else { throw ValidationError("--log-format must be auto, json or text") }
        guard let lifetime = RotorDuration(parsing: sessionLifetime), lifetime.seconds >= 60 else {
            throw ValidationError("--session-lifetime must be a duration of at least a minute, such as 8h or 30m")
        }
    }

    func run() async throws {
        let format: RotorLogHandler.Format = logFormat == "auto" ? .automatic : RotorLogHandler.Format(rawValue: logFormat) ?? .json
        LoggingSystem.bootstrap { label in RotorLogHandler(label: label, format: format) }
        let logger = Logger(label: "rotor.daemon")
        var configuration = DaemonConfiguration(remote: remote, workdir: workdir)
        configuration.branch = branch
        configuration.statePath = state
        configuration.interval = Self.duration(interval) ?? (passes != nil ? .zero : .seconds(60))
        configuration.clockStep = step.flatMap { RotorDuration(parsing: $0) }.map { Double($0.seconds) } ?? 0
        configuration.jitter = Self.fraction(jitter) ?? 0.1
        configuration.fixedNow = at.flatMap(RFC3339.parse)
        configuration.maxPushAttempts = maxPushAttempts
        configuration.shutdownTimeout = Self.duration(shutdownTimeout) ?? .seconds(30)
        configuration.once = once
        do {
            configuration.gpgHome = try KeyringFromEnvironment.shared()?.path
        } catch {
            logger.critical("cannot load the reconciler's key", metadata: ["error": "\(error)"])
            throw ExitCode(1)
        }

        let status = DaemonStatus()
        let delivery = WebhookDelivery(workdir: workdir, gpgHome: configuration.gpgHome,
                                       options: DeliveryOptions(requestTimeout: 15, concurrency: 8, passTimeout: 60),
                                       frozen: configuration.fixedNow != nil)
        let reconciler = Reconciler(configuration: configuration, status: status, logger: logger, delivery: delivery)
        let daemon = DaemonService(runner: reconciler, schedule: PassSchedule(interval: configuration.interval, jitter: configuration.jitter),
                                   once: once, maxPasses: passes, clock: ContinuousClock(), logger: logger, shutdownTimeout: configuration.shutdownTimeout)
        var services = [ServiceGroupConfiguration.ServiceConfiguration(service: daemon, successTerminationBehavior: .gracefullyShutdownGroup)]
        if !once, let address = ListenAddress(parsing: listen) {
            // The API over rotor's clone: reads from it, writes as passes of their own (pushed before they are answered).
            let fixedNow = configuration.fixedNow
            var api = ControlPlaneConfiguration(repositoryPath: configuration.resolvedWorkdir, statePath: configuration.resolvedStatePath,
                                                gpgHome: configuration.gpgHome, clock: { fixedNow ?? Date() })
            if let fixedNow { api.deliveryClock = FixedDeliveryClock(fixedNow) }
            let controlPlane = ControlPlane(configuration: api, gitDirectory: (configuration.resolvedWorkdir as NSString).appendingPathComponent(".git"),
                                            statePath: configuration.resolvedStatePath, writer: DaemonWriter(reconciler: reconciler), logger: logger)
            do {
                let server = try ControlPlaneServer(
                    controlPlane: controlPlane, listen: address,
                    tls: tlsCert.flatMap { cert in tlsKey.map { TLSFiles(certificatePath: cert, keyPath: $0) } },
                    metrics: status.metrics, health: { HealthReport(healthy: status.health.isHealthy, text: status.health.text) },
                    logger: logger,
                    routes: [ManagementPage(sessionLifetime: RotorDuration(parsing: sessionLifetime)?.timeInterval ?? ManagementPage.defaultSessionLifetime,
                                            logger: logger)])
                // Services shut down in reverse order: the daemon finishes its step first, then the server closes.
                services.insert(.init(service: server), at: 0)
            } catch {
                logger.critical("cannot listen", metadata: ["listen": "\(listen)", "error": "\(error)"])
                throw ExitCode(1)
            }
        }
        logger.info("rotor daemon starting", metadata: [
            "remote": "\(DisplayURL.redacted(configuration.remote))", "workdir": "\(configuration.resolvedWorkdir)", "branch": "\(branch)",
            "state": "\(configuration.resolvedStatePath)", "interval": "\(interval)", "jitter": "\(jitter)", "once": "\(once)",
        ])
        if DisplayURL.withoutCredential(configuration.remote).credential != nil {
            logger.warning("--remote carries a password: it is used, never stored, but anyone on this host can read it in the process list; prefer ROTOR_GIT_TOKEN")
        }
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            logger.critical("daemon stopped on an error", metadata: ["error": "\(error)"])
            throw ExitCode(1)
        }
        if once || passes != nil, let last = daemon.passReports.last {
            switch last.outcome {
            case .applied, .unchanged, .interrupted: return
            case .locked: throw ExitCode(75)
            default: throw ExitCode(1)
            }
        }
    }

    /// `30s`, `1m`, `1h30m` as a Duration.
    static func duration(_ text: String) -> Duration? {
        RotorDuration(parsing: text).flatMap { $0.seconds > 0 ? .seconds($0.seconds) : nil }
    }

    /// `10%` or `0.1` as 0.1.
    static func fraction(_ text: String) -> Double? {
        text.hasSuffix("%") ? Double(text.dropLast()).map { $0 / 100 } : Double(text)
    }
}
