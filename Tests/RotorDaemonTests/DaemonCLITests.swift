import Foundation
import Testing
import RotorCore
import RotorEngine
import RotorStore
import RotorTesting

/// `rotor daemon` as a process: exit codes, the lock, signals and fault points (real git, gpg, SQLite, HTTP).
@Suite("rotor daemon (the binary)")
struct DaemonCLITests {
    let db = SecretID(project: "payments", name: "db-password")
    let t0 = "2026-12-01T00:00:00Z"
    let t1 = "2027-01-05T00:00:00Z"

    @Test func onceClonesAppliesAndPushesWithJSONLogs() throws {
        let fixture = try RemoteFixture()
        let created = try fixture.rotor(fixture.daemonArguments(at: t0))
        #expect(created.status == 0, "\(created.stdout)\(created.stderr)")
        let rotated = try fixture.rotor(fixture.daemonArguments(at: t1))
        #expect(rotated.status == 0, "\(rotated.stdout)\(rotated.stderr)")
        #expect(try GitVersions.files(gitDir: fixture.remote, revision: "main")[db]?.versions.map(\.version) == [2, 1])
        // Not a terminal: every line is a JSON object, and the pass's lines carry the revision.
        for line in rotated.stdout.split(separator: "\n") {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String]
            #expect(object?["ts"] != nil && object?["level"] != nil && object?["msg"] != nil, "\(line)")
            if object?["pass"] != nil { #expect(object?["revision"]?.count == 40, "\(line)") }
        }
        #expect(rotated.stdout.contains("~ rotate payments/db-password v1 → v2"))
        #expect(try CrashInvariants.violations(fixture).isEmpty)
    }

    @Test func onceWithTheStoreLockedExits75AndNamesTheHolder() throws {
        let fixture = try RemoteFixture()
        let held = try StateLock(storePath: fixture.statePath)
        let output = try fixture.rotor(fixture.daemonArguments(at: t0))
        #expect(output.status == 75)
        #expect(output.stdout.contains("another rotor holds the state store"))
        #expect(output.stdout.contains("pid \(getpid())"))
        #expect(try GitVersions.files(gitDir: fixture.remote, revision: "main").isEmpty)
        withExtendedLifetime(held) {}
    }

    @Test func twoDaemonProcessesOnOneStoreOnlyOneApplies() throws {
        let fixture = try RemoteFixture()
        #expect(try fixture.rotor(fixture.daemonArguments(at: t0)).status == 0)
        // Given one daemon in the middle of a pass (paused after its commit, holding the store),
        let first = try RunningProcess(Shell.rotorExecutable,
                                       fixture.daemonArguments(once: false, at: t1, extra: ["--listen", "off"]),
                                       environment: ["GNUPGHOME": fixture.seed.keyring.path, "ROTOR_FAULT": "after-commit:pause=2500"],
                                       directory: fixture.seed.directory.path)
        #expect(waitUntil(timeout: 30) { first.stderr.contains("fault point after-commit: pausing") })
        // When a second one runs a pass on the same store, then it applies nothing, names the holder and exits 75,
        let second = try fixture.rotor(fixture.daemonArguments(at: t1))
        #expect(second.status == 75, "\(second.stdout)")
        #expect(second.stdout.contains("another rotor holds the state store"))
        #expect(second.stdout.contains("pid \(first.process.processIdentifier)"))
        // while the first finishes its rotation and stops cleanly.
        first.send(SIGTERM)
        #expect(first.waitForExit(timeout: 20) == 0, "\(first.stdout)\(first.stderr)")
        #expect(try GitVersions.files(gitDir: fixture.remote, revision: "main")[db]?.versions.map(\.version) == [2, 1])
        #expect(try CrashInvariants.violations(fixture).isEmpty)
    }

    @Test func badFlagsAreUsageErrors() throws {
        let fixture = try RemoteFixture()
        #expect(try fixture.rotor(fixture.daemonArguments(extra: ["--interval", "soon"])).status == 64)
        #expect(try fixture.rotor(fixture.daemonArguments(extra: ["--jitter", "150%"])).status == 64)
        #expect(try fixture.rotor(fixture.daemonArguments(extra: ["--listen", "nowhere"])).status == 64)
    }

    @Test func sigtermMidPassFinishesTheStepPersistsAndExits0() throws {
        let fixture = try RemoteFixture()
        #expect(try fixture.rotor(fixture.daemonArguments(at: t0)).status == 0)
        // Given a long-running daemon paused just after committing a due rotation,
        let daemon = try RunningProcess(Shell.rotorExecutable,
                                        fixture.daemonArguments(once: false, at: t1, extra: ["--interval", "1h", "--listen", "127.0.0.1:0"]),
                                        environment: ["GNUPGHOME": fixture.seed.keyring.path, "ROTOR_FAULT": "after-commit:pause=1500"],
                                        directory: fixture.seed.directory.path)
        #expect(waitUntil(timeout: 30) { daemon.stderr.contains("fault point after-commit: pausing") }, "\(daemon.stdout)\(daemon.stderr)")
        // the health endpoint answers meanwhile (no pass has finished yet),
        let port = try #require(Self.listeningPort(daemon.stdout))
        #expect(try HTTPGet.fetch(port: port, path: "/healthz").status == 503)
        // When SIGTERM arrives mid-pass,
        let start = Date()
        daemon.send(SIGTERM)
        // Then the pass finishes its step (push and store), and the process exits 0 promptly.
        #expect(daemon.waitForExit(timeout: 20) == 0, "\(daemon.stdout)\(daemon.stderr)")
        #expect(Date().timeIntervalSince(start) < 15)
        #expect(daemon.stdout.contains("shutdown requested: finishing the current step"))
        #expect(try GitVersions.files(gitDir: fixture.remote, revision: "main")[db]?.active?.version == 2)
        let store = try #require(try StateStore.openReadOnly(path: fixture.statePath))
        #expect(try store.history(of: db).map(\.version) == [2, 1])
        #expect(try CrashInvariants.violations(fixture).isEmpty)
    }

    @Test func aShutdownThatTimesOutExits1AndTheNextStartHeals() throws {
        let fixture = try RemoteFixture()
        #expect(try fixture.rotor(fixture.daemonArguments(at: t0)).status == 0)
        let daemon = try RunningProcess(Shell.rotorExecutable,
                                        fixture.daemonArguments(once: false, at: t1, extra: ["--listen", "off", "--shutdown-timeout", "1s"]),
                                        environment: ["GNUPGHOME": fixture.seed.keyring.path, "ROTOR_FAULT": "after-push:pause=8000"],
                                        directory: fixture.seed.directory.path)
        #expect(waitUntil(timeout: 30) { daemon.stderr.contains("fault point after-push: pausing") })
        daemon.send(SIGTERM)
        #expect(daemon.waitForExit(timeout: 6) == 1, "\(daemon.stdout)\(daemon.stderr)")
        #expect(daemon.stdout.contains("shutdown timed out"))
        // The push happened, the store step did not; the next start adopts the commit with its events.
        let healed = try fixture.rotor(fixture.daemonArguments(at: t1))
        #expect(healed.status == 0, "\(healed.stdout)")
        #expect(try CrashInvariants.violations(fixture).isEmpty)
    }

    /// The port from the "serving /healthz and /metrics" log line.
    static func listeningPort(_ log: String) -> Int? {
        for line in log.split(separator: "\n") where line.contains("serving the API") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String],
                  let listen = object["listen"], let port = listen.split(separator: ":").last else { continue }
            return Int(port)
        }
        return nil
    }
}
