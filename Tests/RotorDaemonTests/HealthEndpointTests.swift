import Foundation
import Testing
import RotorCore
import Logging
import RotorDaemon
import RotorServer
import RotorTesting

/// `/healthz` and `/metrics` over real HTTP on 127.0.0.1, following real passes.
@Suite("Daemon: /healthz and /metrics")
struct HealthEndpointTests {
    @Test func healthAndMetricsAnswerAndReflectAFailingRemote() async throws {
        let fixture = try RemoteFixture()
        let daemon = DaemonHarness(fixture)
        let (port, server) = try await Self.serve(daemon.status, logger: daemon.logs.logger())
        defer { server.cancel() }

        // Before any pass: not yet healthy.
        let starting = try HTTPGet.fetch(port: port, path: "/healthz")
        #expect(starting.status == 503)
        #expect(starting.body == "degraded\nstarting: no pass has finished yet\n")

        // After a pass that created a version: ok, and the metrics say so.
        let created = await daemon.pass()
        #expect(created.outcome == .applied)
        let ok = try HTTPGet.fetch(port: port, path: "/healthz")
        #expect(ok.status == 200)
        #expect(ok.body == "ok\n")
        let metrics = try HTTPGet.fetch(port: port, path: "/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.headers.contains("text/plain; version=0.0.4"))
        for line in ["rotor_passes_total{outcome=\"applied\"} 1", "rotor_passes_total{outcome=\"fetch_failed\"} 0",
                     "rotor_actions_total{kind=\"create\"} 2", "rotor_rotations_total 0", "rotor_expirations_total 0",
                     "rotor_deliveries_total{outcome=\"delivered\"} 0", "rotor_jobs{state=\"pending\"} 0.0", "rotor_jobs{state=\"failed\"} 0.0",
                     "rotor_last_success_info{revision=\"\(try fixture.remoteTip())\"} 1.0",
                     "rotor_last_success_timestamp_seconds \(Int(RFC3339.parse("2026-12-01T00:00:00Z")!.timeIntervalSince1970)).0",
                     "rotor_next_rotation_due_timestamp_seconds \(Int(RFC3339.parse("2026-12-31T00:00:00Z")!.timeIntervalSince1970)).0",
                     "rotor_pass_duration_seconds_count 1", "rotor_healthy 1.0", "rotor_pending_versions 0.0"] {
            #expect(metrics.body.contains(line + "\n"), "missing \(line)")
        }

        // When the remote disappears, the next pass fails to fetch: 503 with the reason, counted by outcome.
        try FileManager.default.removeItem(atPath: fixture.remote)
        let failed = await daemon.pass(at: "2026-12-01T00:01:00Z")
        #expect(failed.outcome == .fetchFailed)
        let degraded = try HTTPGet.fetch(port: port, path: "/healthz")
        #expect(degraded.status == 503)
        #expect(degraded.body.hasPrefix("degraded\nfetch failing: "))
        #expect(degraded.body.contains("cannot fetch from origin"))
        let after = try HTTPGet.fetch(port: port, path: "/metrics").body
        #expect(after.contains("rotor_passes_total{outcome=\"fetch_failed\"} 1\n"))
        #expect(after.contains("rotor_degraded{reason=\"fetch failing\"} 1.0\n"))
        #expect(after.contains("rotor_healthy 0.0\n"))
        // The last success is still reported.
        #expect(after.contains("rotor_last_success_info{revision=\""))

        #expect(try HTTPGet.fetch(port: port, path: "/nope").status == 404)
    }

    /// The daemon's server (no API) on a free port, until the task is cancelled.
    static func serve(_ status: DaemonStatus, logger: Logger) async throws -> (Int, Task<Void, any Error>) {
        let (ports, bound) = AsyncStream.makeStream(of: Int.self)
        let server = try ControlPlaneServer(controlPlane: nil, listen: ListenAddress(host: "127.0.0.1", port: 0), tls: nil, metrics: status.metrics,
                                            health: { HealthReport(healthy: status.health.isHealthy, text: status.health.text) },
                                            logger: logger, onBound: { bound.yield($0) })
        let task = Task { try await server.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw FixtureError("the server did not start") }
        return (port, task)
    }

    @Test func metricsTextFollowsTheExpositionFormat() {
        let status = DaemonStatus()
        var report = PassReport(number: 1, now: RFC3339.parse("2027-01-05T00:00:00Z")!)
        report.outcome = .specInvalid
        report.problem = "secrets/a/b.yaml:1:1: error: \"quoted\"\nsecond line"
        report.duration = 0.3
        status.record(report)
        let text = status.metrics.render()
        // Every sample belongs to a family announced with TYPE.
        var families = Set<String>()
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# TYPE ") { families.insert(String(line.split(separator: " ")[2])) }
            if line.hasPrefix("#") { continue }
            let name = String(line.prefix { $0 != "{" && $0 != " " })
            let family = ["_bucket", "_sum", "_count"].reduce(name) { $0.hasSuffix($1) ? String($0.dropLast($1.count)) : $0 }
            #expect(families.contains(family), "\(line)")
        }
        #expect(text.contains("rotor_pass_duration_seconds_bucket{le=\"0.25\"} 0\n"))
        #expect(text.contains("rotor_pass_duration_seconds_bucket{le=\"0.5\"} 1\n"))
        #expect(text.contains("rotor_degraded{reason=\"spec invalid\"} 1.0\n"))
        #expect(status.health.text == "degraded\nspec invalid: secrets/a/b.yaml:1:1: error: \"quoted\" second line\n")
    }
}
